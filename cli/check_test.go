package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"litho/cli"
	"litho/dag"
	"litho/dag/dagtest"
	"litho/schemas"
	"litho/stages/evaluate"
)

type fakeParams struct {
	ARI float64 `param:"ari"`
}

// fakeEvaluate stands in for the evaluate stage: its metrics carry the
// ari parameter as gmm.k18.ari, its report a fixed page naming it.
func fakeEvaluate() *dag.Kind {
	return &dag.Kind{
		Name: "fakeeval", Version: "1",
		Params:  fakeParams{ARI: 0.25},
		Inputs:  []dag.InputSpec{{Name: "in"}},
		Outputs: []dag.OutputSpec{{Name: "metrics", MediaType: schemas.MediaMetrics}, {Name: "report", MediaType: schemas.MediaReport}},
		Run: func(ctx context.Context, x *dag.Exec) error {
			ari := dag.ParamsOf[fakeParams](x).ARI
			m := &evaluate.Metrics{Schema: evaluate.MetricsSchema, Split: "test", Rows: 1000,
				Methods: map[string]map[string]evaluate.Score{"gmm": {"k18": {K: 18, ARI: ari, Silhouette: 0.1, Clusters: 18}}},
				Best:    map[string]evaluate.Best{"gmm": {K: 18, ARI: ari, Silhouette: 0.1}}}
			b, err := m.Encode()
			if err != nil {
				return err
			}
			if err := x.Put(ctx, "metrics", b); err != nil {
				return err
			}
			return x.Put(ctx, "report", []byte("<!DOCTYPE html><p>ari "+formatFloat(ari)+"</p>"))
		},
	}
}

func formatFloat(v float64) string { b, _ := json.Marshal(v); return string(b) }

// gateProject copies testdata/gates to a temporary directory.
func gateProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"pipeline.hcl", "baseline.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "gates", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// inProcess runs litho with the stand-in kinds in the project dir.
func inProcess(t *testing.T, dir string, args ...string) result {
	t.Helper()
	reg := dagtest.Kinds(&dagtest.Counter{})
	reg.Register(fakeEvaluate())
	var out, errb bytes.Buffer
	env := &cli.Env{Registry: reg, Stdout: &out, Stderr: &errb, Version: "test"}
	full := append([]string{"litho", "--file", filepath.Join(dir, "pipeline.hcl"), "--log-level", "error"}, args...)
	code := env.Main(full)
	return result{Code: code, Stdout: out.String(), Stderr: errb.String()}
}

const dropGate = `gate "drop" {
  metric   = "gmm.k18.ari"
  max_drop = 0.02
}`

func TestCheckGates(t *testing.T) {
	tests := []struct {
		name     string
		ari      string // --set evaluate.ari for run and check
		gates    string // appended to the pipeline
		args     []string
		code     int
		contains []string
	}{
		{name: "floor met", ari: "0.25", code: 0, contains: []string{"all 1 gates pass", "gmm.k18.ari", "0.2500", "≥ 0.2000"}},
		{name: "floor violated", ari: "0.15", code: 1, contains: []string{"failed gates", "ari", "gmm.k18.ari", "0.1500", "≥ 0.2000"}},
		{name: "drop within bound", ari: "0.29", gates: dropGate,
			args: []string{"--baseline", "baseline.json"}, code: 0, contains: []string{"all 2 gates pass"}},
		{name: "drop too large", ari: "0.25", gates: dropGate,
			args: []string{"--baseline", "baseline.json"}, code: 1, contains: []string{"drop", "0.2500", "≥ 0.2800 (baseline 0.3000 − 0.0200)"}},
		{name: "metric missing", ari: "0.25", gates: "gate \"sil\" {\n  metric = \"kmeans.k12.silhouette\"\n  min = 0.1\n}",
			code: 1, contains: []string{"kmeans.k12.silhouette", "not in the metrics"}},
		{name: "max_drop without a baseline is not checked", ari: "0.25", gates: dropGate,
			code: 0, contains: []string{"all 2 gates pass", "drop not checked: no --baseline"}},
		{name: "baseline file missing", ari: "0.25", args: []string{"--baseline", "nope.json"}, code: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := gateProject(t)
			if tt.gates != "" {
				appendFile(t, filepath.Join(dir, "pipeline.hcl"), "\n"+tt.gates+"\n")
			}
			set := []string{"--set", "evaluate.ari=" + tt.ari}
			if r := inProcess(t, dir, append([]string{"run"}, set...)...); r.Code != 0 {
				t.Fatalf("run: exit %d: %s", r.Code, r.Stderr)
			}
			args := append(append([]string{"check"}, set...), tt.args...)
			for i, a := range args {
				if strings.HasSuffix(a, ".json") {
					args[i] = filepath.Join(dir, a)
				}
			}
			r := inProcess(t, dir, args...)
			if r.Code != tt.code {
				t.Fatalf("check: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.Code, tt.code, r.Stdout, r.Stderr)
			}
			for _, want := range tt.contains {
				if !strings.Contains(r.Stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, r.Stdout)
				}
			}
		})
	}
}

func TestCheckNeedsCurrentMetrics(t *testing.T) {
	dir := gateProject(t)
	if r := inProcess(t, dir, "check"); r.Code != 2 || !strings.Contains(r.Stderr, "run `litho run` first") {
		t.Errorf("before any run: exit %d, stderr %q; want 2 and a hint to run", r.Code, r.Stderr)
	}
	// A passing run, then a parameter change that was never run: check
	// must not judge the new pipeline by the old metrics.
	if r := inProcess(t, dir, "run"); r.Code != 0 {
		t.Fatalf("run: %s", r.Stderr)
	}
	if r := inProcess(t, dir, "check", "--set", "evaluate.ari=0.1"); r.Code != 2 || !strings.Contains(r.Stderr, "as it stands") {
		t.Errorf("after a change: exit %d, stderr %q; want 2", r.Code, r.Stderr)
	}
}

func TestCheckJSON(t *testing.T) {
	dir := gateProject(t)
	inProcess(t, dir, "run", "--set", "evaluate.ari=0.1")
	r := inProcess(t, dir, "check", "--set", "evaluate.ari=0.1", "--json")
	var res []struct {
		Gate  string   `json:"gate"`
		Value *float64 `json:"value"`
		Pass  bool     `json:"pass"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &res); err != nil {
		t.Fatalf("%v: %s", err, r.Stdout)
	}
	if r.Code != 1 || len(res) != 1 || res[0].Pass || res[0].Value == nil || *res[0].Value != 0.1 {
		t.Errorf("exit %d, results %+v", r.Code, res)
	}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}
