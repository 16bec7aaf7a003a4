package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"slices"
	"time"

	"litho/dag"
)

// provenanceStage is one stage's record as the report's provenance
// section shows it.
type provenanceStage struct {
	Stage, Kind, Version, Host, Backend, Litho string
	Start, End                                 time.Time
	Params                                     [][2]string // name, JSON value, sorted by name
	// Fingerprints lists a source's outputs (name, digest, file): a source
	// has no inputs, so its outputs' digests are the data's fingerprints.
	Fingerprints [][3]string
}

// provenance reads the records of stage and of every stage upstream of
// it, as the pipeline stands, in the plan's order. It only reads.
func (p *project) provenance(ctx context.Context, stage string) ([]provenanceStage, error) {
	plan, err := p.runner(1).Plan(ctx, p.Pipeline, dag.Options{To: stage})
	if err != nil {
		return nil, err
	}
	var out []provenanceStage
	for _, e := range plan {
		if e.Status != dag.StatusCached {
			continue // the report is current, so its upstream is too; be lenient all the same
		}
		rec, ok, err := dag.LoadRecord(ctx, p.Store, e.Key, p.Log)
		if err != nil {
			return nil, storeError{err}
		}
		if ok {
			out = append(out, provenanceOf(rec))
		}
	}
	return out, nil
}

func provenanceOf(rec *dag.Record) provenanceStage {
	s := provenanceStage{
		Stage: rec.Stage, Kind: rec.Fields.Kind, Version: rec.Fields.Version,
		Host: rec.Host, Backend: rec.Notes["backend"], Litho: rec.Litho, Start: rec.Start,
		End: rec.Start.Add(time.Duration(rec.Seconds * float64(time.Second))),
	}
	for _, k := range sortedKeys(rec.Fields.Params) {
		b, _ := json.Marshal(rec.Fields.Params[k])
		s.Params = append(s.Params, [2]string{k, string(b)})
	}
	if len(rec.Fields.Inputs) == 0 {
		for _, k := range sortedKeys(rec.Outputs) {
			o := rec.Outputs[k]
			s.Fingerprints = append(s.Fingerprints, [3]string{k, string(o.Digest), o.External})
		}
	}
	return s
}

// provenance is what the report's provenance section shows.
type provenance struct {
	Litho          string
	Now            time.Time
	Pipeline       string // the file, or the embedded default
	PipelineDigest string // dag.Pipeline.Digest
	Stages         []provenanceStage
}

// First is the earliest start among the records.
func (p provenance) First() time.Time {
	var first time.Time
	for i, s := range p.Stages {
		if i == 0 || s.Start.Before(first) {
			first = s.Start
		}
	}
	return first.UTC()
}

// Last is the latest end among the records.
func (p provenance) Last() time.Time {
	var last time.Time
	for _, s := range p.Stages {
		if s.End.After(last) {
			last = s.End
		}
	}
	return last.UTC()
}

// sectionStyle lays the added sections' wide tables out at the report's
// width: text left-aligned, times unbroken, a scroll bar rather than a
// table running off the page.
const sectionStyle = `<style>
.wide { overflow-x: auto; }
.wide table { font-size: 0.85em; }
#provenance td, #provenance th, #comparison td:first-child, #comparison th:first-child { text-align: left; }
#provenance td.t { white-space: nowrap; }
</style>
`

var provenanceHTML = template.Must(template.New("provenance").Parse(`<section id="provenance">
<h2>Provenance</h2>
<p>Exported by litho {{.Litho}} on {{.Now.Format "2006-01-02 15:04:05Z"}} from the records of the store.
{{if .Stages}}Computed between {{.First.Format "2006-01-02 15:04:05Z"}} and {{.Last.Format "2006-01-02 15:04:05Z"}}.{{end}}</p>
<p>Pipeline {{.Pipeline}}, digest <code>sha256:{{.PipelineDigest}}</code>: the SHA-256 of its decoded definition (every stage's name, kind,
parameters with defaults filled in and --set applied, and wiring), so comments and layout do not change it; the versions are below.</p>
<div class="wide"><table>
<tr><th>stage</th><th>kind</th><th>version</th><th>parameters</th><th>host</th><th>backend</th><th>litho</th><th>started</th><th>finished</th></tr>
{{range .Stages}}<tr><td>{{.Stage}}</td><td>{{.Kind}}</td><td>{{.Version}}</td><td>{{range .Params}}<code>{{index . 0}} = {{index . 1}}</code><br>{{end}}</td><td>{{.Host}}</td><td>{{.Backend}}</td><td>{{.Litho}}</td><td class="t">{{.Start.UTC.Format "2006-01-02 15:04:05Z"}}</td><td class="t">{{.End.UTC.Format "2006-01-02 15:04:05Z"}}</td></tr>
{{end}}</table></div>
<h3>Data fingerprints</h3>
<div class="wide"><table>
<tr><th>source</th><th>output</th><th>digest</th><th>file</th></tr>
{{range $s := .Stages}}{{range .Fingerprints}}<tr><td>{{$s.Stage}}</td><td>{{index . 0}}</td><td><code>{{index . 1}}</code></td><td>{{index . 2}}</td></tr>
{{end}}{{end}}</table></div>
</section>
`))

// provenanceSection renders the provenance section.
func provenanceSection(p provenance) ([]byte, error) {
	var sec bytes.Buffer
	p.Now = p.Now.UTC()
	if err := provenanceHTML.Execute(&sec, p); err != nil {
		return nil, err
	}
	return sec.Bytes(), nil
}

// withSections returns a copy of the report page with the sections
// before </body> (at the end when there is none), so the stored
// artifact, whose digest the records name, stays as it is.
func withSections(page []byte, sections ...[]byte) []byte {
	at := bytes.LastIndex(page, []byte("</body>"))
	if at < 0 {
		at = len(page)
	}
	return slices.Concat(append(append([][]byte{page[:at:at]}, sections...), page[at:])...)
}
