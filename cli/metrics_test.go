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
	if r := inProcess(t, dir, "run"); r.code != 0 {
		t.Fatalf("run: %s", r.stderr)
	}
	r := inProcess(t, dir, "metrics", "show", "--json")
	var flat map[string]float64
	if err := json.Unmarshal([]byte(r.stdout), &flat); err != nil {
		t.Fatalf("exit %d: %v: %s %s", r.code, err, r.stdout, r.stderr)
	}
	if flat["gmm.k18.ari"] != 0.25 || flat["best.gmm.k"] != 18 {
		t.Errorf("metrics %v", flat)
	}
	r = inProcess(t, dir, "metrics", "show", filepath.Join(dir, "baseline.json"))
	if r.code != 0 || !strings.Contains(r.stdout, "gmm.k18.ari") || !strings.Contains(r.stdout, "0.3000") {
		t.Errorf("show FILE: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestMetricsDiff(t *testing.T) {
	dir := gateProject(t)
	for _, ari := range []string{"0.25", "0.27"} {
		if r := inProcess(t, dir, "run", "--set", "evaluate.ari="+ari); r.code != 0 {
			t.Fatalf("run: %s", r.stderr)
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
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d: %s%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if tt.delta != "" && !lineHas(r.stdout, "gmm.k18.ari", tt.delta) {
				t.Errorf("no gmm.k18.ari line with %s:\n%s", tt.delta, r.stdout)
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
	if err := json.Unmarshal([]byte(r.stdout), &rec); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
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
	if r := inProcess(t, dir, "run", "--set", "evaluate.ari=0.31"); r.code != 0 {
		t.Fatalf("run: %s", r.stderr)
	}
	out := filepath.Join(dir, "out", "r.html")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	r := inProcess(t, dir, "report", "--out", out, "--set", "evaluate.ari=0.31")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "<!DOCTYPE html><p>ari 0.31</p>" {
		t.Errorf("report %q", b)
	}
	if r := inProcess(t, dir, "report", "--stage", "source"); r.code != 2 {
		t.Errorf("report of a stage without a report output: exit %d", r.code)
	}
}
