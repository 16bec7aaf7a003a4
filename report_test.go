package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
	checkProvenance(t, dir, stored)
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
	if !bytes.Equal(page[:at], stored[:end]) {
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
	for _, want := range []string{
		"<td>train</td><td>train</td>", "<td>synth</td>", "latent_dim = 10", "max_epochs = 2",
		"<td>" + src.Host + "</td>", "<td>go</td>", src.Outputs["gra"].Digest, "Exported by litho ",
	} {
		if !strings.Contains(sec, want) {
			t.Errorf("provenance section lacks %q:\n%s", want, sec)
		}
	}
}
