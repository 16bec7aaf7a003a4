package main

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
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
}
