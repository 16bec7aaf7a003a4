package evaluate

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"strings"
)

// Picture is one picture of the report, as PNG and SVG.
type Picture struct {
	Output   string // stage output name of the PNG
	Title    string
	Caption  string
	PNG, SVG []byte
}

// Src is the img attribute that embeds the picture as a data: URI, so
// the report is one file. Base64 holds no quote or ampersand, so the
// attribute needs no escaping (html/template would write + as &#43;).
func (p Picture) Src() template.HTMLAttr {
	return template.HTMLAttr(`src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(p.PNG) + `"`)
}

type reportView struct {
	M        *Metrics
	Methods  []string
	Focus    Labeling
	Comp     []ClusterInfo
	Pictures []Picture
}

// Report renders the self-contained HTML page: metrics tables, the
// composition of the focus model, and every picture as a data: URI. It
// links to nothing outside itself.
func Report(m *Metrics, focus Labeling, pics []Picture) ([]byte, error) {
	v := reportView{M: m, Methods: sortedMethods(m), Focus: focus, Pictures: pics}
	v.Comp = m.Methods[focus.Method][ScoreKey(focus.K)].Composition
	var buf bytes.Buffer
	if err := reportTmpl.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return buf.Bytes(), nil
}

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"f3":     func(v float64) string { return fmt.Sprintf("%.3f", v) },
	"pct":    func(v float64) string { return fmt.Sprintf("%.1f %%", 100*v) },
	"scores": sortedScores,
	"join":   strings.Join,
	"svg":    SVGOutput,
	"tops": func(ts []LithShare) string {
		parts := make([]string, len(ts))
		for i, t := range ts {
			parts[i] = fmt.Sprintf("%s %.0f %%", t.Lithology, 100*t.Share)
		}
		return strings.Join(parts, " · ")
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>litho report: clusters vs described lithology ({{.M.Split}} split)</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f0f0f0; }
td.l, th.l { text-align: left; }
tr.best td { font-weight: bold; background: #fff6d5; }
figure { margin: 2em 0; }
img { max-width: 100%; border: 1px solid #ddd; }
figcaption { color: #555; font-size: 0.9em; }
</style>
</head>
<body>
<h1>Clusters vs described lithology</h1>
<p>Split <b>{{.M.Split}}</b>: {{.M.Rows}} depth bins from {{.M.Boreholes}} boreholes, {{.M.Lithologies}} described lithologies.
Latent space: {{.M.Latent.ActiveDims}} of {{.M.Latent.Dim}} dimensions active (standard deviation ≥ {{.M.Latent.CollapseThreshold}}).
Silhouette on a seeded sample of {{.M.SilhouetteSample}} bins.{{with .M.Model}}
Model: {{.Parameters}} parameters on {{len .Features}} inputs ({{join .Features ", "}}).{{end}}</p>

<h2>Best k per method (highest ARI)</h2>
<table>
<tr><th class="l">method</th><th>k</th><th>ARI</th><th>silhouette</th></tr>
{{range $m := .Methods}}{{with index $.M.Best $m}}<tr><td class="l">{{$m}}</td><td>{{.K}}</td><td>{{f3 .ARI}}</td><td>{{f3 .Silhouette}}</td></tr>
{{end}}{{end}}</table>

<h2>Scores</h2>
<table>
<tr><th class="l">method</th><th>k</th><th>ARI</th><th>silhouette</th><th>purity</th><th>entropy (bits)</th><th>clusters</th></tr>
{{range $m := .Methods}}{{$best := index $.M.Best $m}}{{range scores (index $.M.Methods $m)}}<tr{{if eq .K $best.K}} class="best"{{end}}><td class="l">{{$m}}</td><td>{{.K}}</td><td>{{f3 .ARI}}</td><td>{{f3 .Silhouette}}</td><td>{{f3 .Purity}}</td><td>{{f3 .Entropy}}</td><td>{{.Clusters}}</td></tr>
{{end}}{{end}}</table>

{{with .M.Model}}{{if .ReconR2}}<h2>Reconstruction R² (test split, scaled features)</h2>
<table>
<tr><th class="l">feature</th>{{range .Features}}<th>{{.}}</th>{{end}}</tr>
<tr><td class="l">reconstruction</td>{{$r := .ReconR2}}{{range .Features}}<td>{{with index $r .}}{{f3 .}}{{else}}–{{end}}</td>{{end}}</tr>
{{if .ImputeR2}}<tr><td class="l">imputation (feature masked)</td>{{$r := .ImputeR2}}{{range .Features}}<td>{{with index $r .}}{{f3 .}}{{else}}–{{end}}</td>{{end}}</tr>
{{end}}</table>
{{end}}{{end}}
<h2>Latent dimensions</h2>
<table>
<tr><th class="l">dimension</th>{{range $i, $s := .M.Latent.Std}}<th>{{$i}}</th>{{end}}</tr>
<tr><td class="l">standard deviation</td>{{range .M.Latent.Std}}<td>{{f3 .}}</td>{{end}}</tr>
</table>

{{range .Pictures}}<figure>
<h2>{{.Title}}</h2>
<img {{.Src}} alt="{{.Title}}">
<figcaption>{{.Caption}} As SVG: stage output <code>{{svg .Output}}</code>.</figcaption>
</figure>
{{end}}
<h2>Cluster composition: {{.Focus.Method}} k={{.Focus.K}}</h2>
<table>
<tr><th>cluster</th><th>bins</th><th>share</th><th>entropy (bits)</th><th class="l">most frequent lithologies</th></tr>
{{range .Comp}}<tr><td>{{.Cluster}}</td><td>{{.Size}}</td><td>{{pct .Share}}</td><td>{{f3 .Entropy}}</td><td class="l">{{tops .Top}}</td></tr>
{{end}}</table>
</body>
</html>
`))
