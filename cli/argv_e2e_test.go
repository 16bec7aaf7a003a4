package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagsAnywhere: every command gives the same exit code and output
// with its flags after its positional arguments as before them.
func TestFlagsAnywhere(t *testing.T) {
	dir := gateProject(t)
	mustRun(t, dir, nil, "run", "--set", "evaluate.ari=0.3")
	mustRun(t, dir, nil, "run")
	cases := []struct{ before, after string }{
		{"show --json evaluate", "show evaluate --json"},
		{"why --set evaluate.ari=0.4 --json evaluate", "why evaluate --set evaluate.ari=0.4 --json"},
		{"status --json --set evaluate.ari=0.3", "status --set evaluate.ari=0.3 --json"},
		{"metrics show --json current", "metrics show current --json"},
		{"metrics diff --changed run~1 current", "metrics diff run~1 current --changed"},
		{"export --out before.json evaluate metrics", "export evaluate metrics --out after.json"},
		{"--log-level error show evaluate", "show evaluate --log-level error"},
	}
	for _, c := range cases {
		b := runLitho(t, dir, nil, strings.Fields(c.before)...)
		a := runLitho(t, dir, nil, strings.Fields(c.after)...)
		if b.Code != 0 || a.Code != b.Code || a.Stdout != b.Stdout {
			t.Errorf("%q → exit %d, %q → exit %d\n%s\n%s\nvs\n%s\n%s", c.before, b.Code, c.after, a.Code, b.Stdout, b.Stderr, a.Stdout, a.Stderr)
		}
	}
	before, _ := os.ReadFile(filepath.Join(dir, "before.json"))
	after, err := os.ReadFile(filepath.Join(dir, "after.json"))
	if err != nil || string(before) != string(after) {
		t.Errorf("export with --out last: %v", err)
	}
	// `--` ends flags: what follows is positional, even when it looks like one.
	if r := runLitho(t, dir, nil, "show", "--", "--json"); r.Code != 2 || !strings.Contains(r.Stderr, "--json") {
		t.Errorf("show -- --json: exit %d, want 2 naming the stage --json: %s", r.Code, r.Stderr)
	}
}

// TestStatusExitCode: `status --exit-code` exits 1 while a stage would
// run and 0 once everything is cached; plain status exits 0 either way.
func TestStatusExitCode(t *testing.T) {
	dir := t.TempDir()
	if r := runLitho(t, dir, nil, "status"); r.Code != 0 {
		t.Errorf("status before a run: exit %d", r.Code)
	}
	if r := runLitho(t, dir, nil, "status", "--exit-code"); r.Code != 1 || !strings.Contains(r.Stdout, "would run") || strings.Contains(r.Stderr, "litho:") {
		t.Errorf("status --exit-code before a run: exit %d, want 1 with the plan only\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	mustRun(t, dir, nil, "run")
	if r := runLitho(t, dir, nil, "status", "--exit-code"); r.Code != 0 {
		t.Errorf("status --exit-code after a run: exit %d: %s", r.Code, r.Stdout)
	}
}

// TestVersion: --version names the commit the binary was built from (or
// says it is unknown, as for a test binary).
func TestVersion(t *testing.T) {
	r := runLitho(t, t.TempDir(), nil, "--version")
	if r.Code != 0 || !strings.Contains(r.Stdout, "test (commit ") {
		t.Errorf("--version: exit %d: %q", r.Code, r.Stdout)
	}
}

// TestRuns: `litho runs` lists the recorded runs newest first as run~N,
// with how many stages ran and how many were cached.
func TestRuns(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, nil, "run")
	mustRun(t, dir, nil, "run")
	r := mustRun(t, dir, nil, "runs")
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "run~0 ") || !strings.Contains(lines[0], "ran 0 ") ||
		!strings.HasPrefix(lines[1], "run~1 ") || strings.Contains(lines[1], "ran 0 ") {
		t.Errorf("litho runs:\n%s", r.Stdout)
	}
	if r := mustRun(t, dir, nil, "runs", "--json", "--last", "1"); strings.Count(r.Stdout, "\n") != 1 || !strings.Contains(r.Stdout, `"ref":"run~0"`) {
		t.Errorf("runs --json --last 1: %s", r.Stdout)
	}
}

// TestMetricsDiffMarkdown: `metrics diff --md` prints a Markdown table
// with one row per metric, names A and B below it and, for two runs, the
// parameters that changed between them.
func TestMetricsDiffMarkdown(t *testing.T) {
	dir := gateProject(t)
	mustRun(t, dir, nil, "run", "--set", "evaluate.ari=0.3")
	mustRun(t, dir, nil, "run")
	r := mustRun(t, dir, nil, "metrics", "diff", "run~1", "run~0", "--md", "--changed")
	for _, want := range []string{"| metric | A | B | B − A |\n|---|--:|--:|--:|\n", "| `gmm.k18.ari` | 0.3000 | 0.2500 |", "\nA = `run~1 ", "| `evaluate.params.ari` | `0.3` | `0.25` |"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("metrics diff --md lacks %q:\n%s", want, r.Stdout)
		}
	}
}
