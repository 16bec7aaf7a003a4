package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMetricsShow(t *testing.T) {
	dir := gateProject(t)
	if r := inProcess(t, dir, "run"); r.Code != 0 {
		t.Fatalf("run: %s", r.Stderr)
	}
	r := inProcess(t, dir, "metrics", "show", "--json")
	var flat map[string]float64
	if err := json.Unmarshal([]byte(r.Stdout), &flat); err != nil {
		t.Fatalf("exit %d: %v: %s %s", r.Code, err, r.Stdout, r.Stderr)
	}
	if flat["gmm.k18.ari"] != 0.25 || flat["best.gmm.k"] != 18 {
		t.Errorf("metrics %v", flat)
	}
	r = inProcess(t, dir, "metrics", "show", filepath.Join(dir, "baseline.json"))
	if r.Code != 0 || !strings.Contains(r.Stdout, "gmm.k18.ari") || !strings.Contains(r.Stdout, "0.3000") {
		t.Errorf("show FILE: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
}

func TestMetricsDiff(t *testing.T) {
	dir := gateProject(t)
	for _, ari := range []string{"0.25", "0.27"} {
		if r := inProcess(t, dir, "run", "--set", "evaluate.ari="+ari); r.Code != 0 {
			t.Fatalf("run: %s", r.Stderr)
		}
	}
	tests := []struct {
		name  string
		args  []string
		code  int
		delta string
	}{
		{"two runs", []string{"run~1", "run~0"}, 0, "+0.0200"},
		{"file and current", []string{"--set", "evaluate.ari=0.27", filepath.Join(dir, "baseline.json"), "current"}, 0, "-0.0300"},
		{"digest of a run's metrics", nil, 0, "+0.0200"},
		{"too few runs", []string{"run~5", "current"}, 2, ""},
		{"no such file", []string{filepath.Join(dir, "nope.json"), "current"}, 2, ""},
		{"one ref", []string{"current"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if args == nil {
				args = []string{metricsDigest(t, dir, "0.25"), "run~0"}
			}
			r := inProcess(t, dir, append([]string{"metrics", "diff"}, args...)...)
			if r.Code != tt.code {
				t.Fatalf("exit %d, want %d: %s%s", r.Code, tt.code, r.Stdout, r.Stderr)
			}
			if tt.delta != "" && !lineHas(r.Stdout, "gmm.k18.ari", tt.delta) {
				t.Errorf("no gmm.k18.ari line with %s:\n%s", tt.delta, r.Stdout)
			}
		})
	}
}

// metricsDigest is the digest of the metrics a run with ari produced,
// as `litho show --json` reports it.
func metricsDigest(t *testing.T, dir, ari string) string {
	r := inProcess(t, dir, "show", "--json", "--set", "evaluate.ari="+ari, "evaluate")
	var rec struct {
		Outputs map[string]struct {
			Digest string `json:"digest"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &rec); err != nil {
		t.Fatalf("%v: %s", err, r.Stdout)
	}
	return rec.Outputs["metrics"].Digest
}

func lineHas(out string, parts ...string) bool {
	for _, line := range strings.Split(out, "\n") {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			return true
		}
	}
	return false
}

func TestReportWritesTheStageReport(t *testing.T) {
	dir := gateProject(t)
	if r := inProcess(t, dir, "run", "--set", "evaluate.ari=0.31"); r.Code != 0 {
		t.Fatalf("run: %s", r.Stderr)
	}
	out := filepath.Join(dir, "out", "r.html")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	r := inProcess(t, dir, "report", "--out", out, "--set", "evaluate.ari=0.31")
	if r.Code != 0 {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// The stored page, then the sections the export adds: one model, so
	// no comparison, only the provenance.
	rest, ok := strings.CutPrefix(string(b), "<!DOCTYPE html><p>ari 0.31</p>")
	if _, sec, _ := strings.Cut(rest, `<section id="provenance">`); !ok || !strings.Contains(sec, "<td>fakeeval</td>") ||
		strings.Contains(rest, `id="comparison"`) {
		t.Errorf("report %q", b)
	}
	if r := inProcess(t, dir, "report", "--stage", "source"); r.Code != 2 {
		t.Errorf("report of a stage without a report output: exit %d", r.Code)
	}
}
