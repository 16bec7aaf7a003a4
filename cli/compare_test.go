package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// comparePipeline has two metrics stages (the stand-in evaluate) and one
// that has not run.
const comparePipeline = `source "gen" { n = 3 }
stage "fakeeval" "fakeeval_small" {
  inputs = { in = source.data }
  ari    = 0.125
}
stage "fakeeval" "fakeeval_large" {
  inputs = { in = source.data }
  ari    = 0.5
}
`

// TestCompare: every metrics stage becomes a row in run order, as text,
// Markdown (golden files) and JSON with numbers; a stage that has not
// run is named below the table.
func TestCompare(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pipeline.hcl"), []byte(comparePipeline), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := inProcess(t, dir, "run", "--to", "fakeeval_small"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	if r := inProcess(t, dir, "compare"); r.Code != 0 || !strings.Contains(r.Stdout, "not run yet for the pipeline as it stands: fakeeval_large") {
		t.Fatalf("compare before the second run: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	if r := inProcess(t, dir, "run"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	for name, args := range map[string][]string{"compare.text": {"compare"}, "compare.md": {"compare", "--md"}} {
		r := inProcess(t, dir, args...)
		if r.Code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.Code, r.Stderr)
		}
		golden(t, name, r.Stdout)
	}
	r := inProcess(t, dir, "compare", "--json")
	var got struct {
		Models []struct {
			Model string                        `json:"model"`
			ARI   map[string]map[string]float64 `json:"ari"`
		} `json:"models"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &got); err != nil {
		t.Fatalf("compare --json: %v\n%s", err, r.Stdout)
	}
	if len(got.Models) != 2 || got.Models[0].Model != "small" || got.Models[1].ARI["gmm"]["18"] != 0.5 {
		t.Errorf("compare --json: %+v", got.Models)
	}
	page := filepath.Join(dir, "compare.html")
	if r := inProcess(t, dir, "compare", "--html", page); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	if b, err := os.ReadFile(page); err != nil || !strings.Contains(string(b), "<td>small</td>") || strings.Contains(string(b), "http") {
		t.Errorf("compare --html: %v\n%s", err, b)
	}
	if r := inProcess(t, dir, "compare", "--html", page); r.Code != 2 {
		t.Errorf("compare --html over an existing file without --force: exit %d, want 2", r.Code)
	}
}
