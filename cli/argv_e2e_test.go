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
