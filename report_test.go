package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"litho/dag"
	"litho/stages"
)

var reportLine = regexp.MustCompile(`(?m)^report: (file://\S+) `)

// TestRunPrintsTheReportAsAFileURL: the run summary names the report as
// an absolute file:// URL that opens the stored page, the bytes `litho
// report` exports.
func TestRunPrintsTheReportAsAFileURL(t *testing.T) {
	dir := t.TempDir()
	smallPipeline(t, dir)
	r := litho(t, dir, "run")
	if r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	m := reportLine.FindStringSubmatch(r.Stdout)
	if m == nil {
		t.Fatalf("no file:// report line in:\n%s", r.Stdout)
	}
	u, err := url.Parse(m[1])
	if err != nil || !filepath.IsAbs(filepath.FromSlash(u.Path)) {
		t.Fatalf("report URL %q: not an absolute file URL (%v)", m[1], err)
	}
	stored, err := os.ReadFile(filepath.FromSlash(u.Path))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(stored, []byte("<html")) {
		t.Errorf("%s is not the HTML report", u.Path)
	}
	if !bytes.Contains(stored, []byte("<h2>Training curve</h2>")) {
		t.Error("the stored report has no training curve")
	}
	checkProvenance(t, dir, stored)
	checkTrainingPicture(t, dir, "evaluate", "VAE training: 2 epochs")
}

// checkTrainingPicture: the evaluate stage's SVG training curve parses
// and draws the history that train wrote.
func checkTrainingPicture(t *testing.T, dir, stage, want string, args ...string) {
	t.Helper()
	out := filepath.Join(dir, "training.svg")
	if r := litho(t, dir, append([]string{"export", "--force", "--out", out, stage, "training_plot_svg"}, args...)...); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ XMLName xml.Name }
	if err := xml.Unmarshal(b, &doc); err != nil || doc.XMLName.Local != "svg" {
		t.Fatalf("training_plot_svg: not an SVG document (%v, root %q)", err, doc.XMLName.Local)
	}
	if !bytes.Contains(b, []byte(want)) {
		t.Errorf("training_plot_svg lacks %q", want)
	}
}

// TestReportComparesTheModels: with several models in the pipeline the
// exported report carries the comparison table of `litho compare`, one
// row per model; each model's stored report has its own training curve.
func TestReportComparesTheModels(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("examples/two-vaes.hcl")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pipeline.hcl"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	sets := []string{"--set", "source.boreholes=12", "--set", "vae8.max_epochs=2", "--set", "vae10.max_epochs=3"}
	if r := litho(t, dir, append([]string{"run"}, sets...)...); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	out := filepath.Join(dir, "report.html")
	if r := litho(t, dir, append([]string{"report", "--out", out}, sets...)...); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(page, []byte(`<section id="comparison">`))
	end := bytes.Index(page, []byte(`<section id="provenance">`))
	if at < 0 || end < at {
		t.Fatal("the report of a two-model pipeline has no comparison section before the provenance")
	}
	sec := string(page[at:end])
	for _, want := range []string{"<th>model</th>", "<th>GMM k18</th>", "ARI against the described lithology"} {
		if !strings.Contains(sec, want) {
			t.Errorf("comparison lacks %q:\n%s", want, sec)
		}
	}
	// model, inputs (no stats wired: –), latent, active, parameters, epochs
	for _, row := range []string{`<td>evaluate8</td><td>–</td><td>8</td><td>\d+</td><td>–</td><td>2</td>`,
		`<td>evaluate10</td><td>–</td><td>10</td><td>\d+</td><td>–</td><td>3</td>`} {
		if !regexp.MustCompile(row).MatchString(sec) {
			t.Errorf("comparison has no row %s:\n%s", row, sec)
		}
	}
	checkTrainingPicture(t, dir, "evaluate8", "VAE training: 2 epochs", sets...)
	checkTrainingPicture(t, dir, "evaluate10", "VAE training: 3 epochs", sets...)
}

// checkProvenance: `litho report --out` adds a provenance section, built
// from the records, to a copy of the stored page, which stays as it was.
func checkProvenance(t *testing.T, dir string, stored []byte) {
	t.Helper()
	out := filepath.Join(dir, "report.html")
	if r := litho(t, dir, "report", "--out", out); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stored, []byte(`id="provenance"`)) {
		t.Error("the stored report carries the provenance section; it must stay host- and time-free")
	}
	at := bytes.Index(page, []byte(`<section id="provenance">`))
	if at < 0 {
		t.Fatal("the exported report has no provenance section")
	}
	end := bytes.LastIndex(stored, []byte("</body>"))
	if !bytes.HasPrefix(page, stored[:end]) {
		t.Error("the exported report differs from the stored one before the provenance section")
	}
	var src struct {
		Host    string `json:"host"`
		Outputs map[string]struct {
			Digest string `json:"digest"`
		} `json:"outputs"`
	}
	r := litho(t, dir, "show", "--json", "source")
	if err := json.Unmarshal([]byte(r.Stdout), &src); err != nil || len(src.Outputs) == 0 {
		t.Fatalf("show source: %v\n%s", err, r.Stderr)
	}
	sec := string(page[at:])
	if bytes.Contains(page, []byte(`id="comparison"`)) {
		t.Error("a one-model report has a comparison section")
	}
	def, err := os.ReadFile(filepath.Join(dir, "pipeline.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := dag.Parse("pipeline.hcl", def, stages.Registry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Pipeline pipeline.hcl, digest <code>sha256:" + p.Digest() + "</code>", "Computed between ", "<th>finished</th>",
		"<td>train</td><td>train</td>", "<td>synth</td>", "latent_dim = 10", "max_epochs = 2",
		"<td>" + src.Host + "</td>", "<td>go</td>", src.Outputs["gra"].Digest, "Exported by litho ",
	} {
		if !strings.Contains(sec, want) {
			t.Errorf("provenance section lacks %q:\n%s", want, sec)
		}
	}
}
