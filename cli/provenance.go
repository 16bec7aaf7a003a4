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
	Start                                      time.Time
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

var provenanceHTML = template.Must(template.New("provenance").Parse(`<section id="provenance">
<h2>Provenance</h2>
<p>Exported by litho {{.Litho}} on {{.Now.Format "2006-01-02 15:04:05Z"}} from the records of the store.</p>
<table>
<tr><th>stage</th><th>kind</th><th>version</th><th>parameters</th><th>host</th><th>backend</th><th>litho</th><th>started</th></tr>
{{range .Stages}}<tr><td>{{.Stage}}</td><td>{{.Kind}}</td><td>{{.Version}}</td><td>{{range .Params}}<code>{{index . 0}} = {{index . 1}}</code><br>{{end}}</td><td>{{.Host}}</td><td>{{.Backend}}</td><td>{{.Litho}}</td><td>{{.Start.UTC.Format "2006-01-02 15:04:05Z"}}</td></tr>
{{end}}</table>
<h3>Data fingerprints</h3>
<table>
<tr><th>source</th><th>output</th><th>digest</th><th>file</th></tr>
{{range $s := .Stages}}{{range .Fingerprints}}<tr><td>{{$s.Stage}}</td><td>{{index . 0}}</td><td><code>{{index . 1}}</code></td><td>{{index . 2}}</td></tr>
{{end}}{{end}}</table>
</section>
`))

// withProvenance returns a copy of the report page with the provenance
// section before </body> (at the end when there is none), so the stored
// artifact, whose digest the records name, stays as it is.
func withProvenance(page []byte, litho string, now time.Time, stages []provenanceStage) ([]byte, error) {
	var sec bytes.Buffer
	err := provenanceHTML.Execute(&sec, struct {
		Litho  string
		Now    time.Time
		Stages []provenanceStage
	}{litho, now.UTC(), stages})
	if err != nil {
		return nil, err
	}
	at := bytes.LastIndex(page, []byte("</body>"))
	if at < 0 {
		at = len(page)
	}
	return slices.Concat(page[:at:at], sec.Bytes(), page[at:]), nil
}
