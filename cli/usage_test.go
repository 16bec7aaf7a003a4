package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBrokenMetricsInputsAreUsageErrors: a --baseline or metrics REF that
// the caller names and that holds no metrics (malformed, empty, another
// schema, NaN, binary, a directory, missing), an unknown metrics
// subcommand and a digest the store lacks exit 2 naming what is wrong,
// never 1 like a failed gate; a good baseline still passes.
func TestBrokenMetricsInputsAreUsageErrors(t *testing.T) {
	dir := gateProject(t)
	mustRun(t, dir, nil, "run")
	bad := map[string]string{
		"malformed.json": `{"schema": "litho.metrics/1", "methods": `,
		"empty.json":     "",
		"schema.json":    `{"schema": "other/1"}`,
		"nan.json":       `{"schema": "litho.metrics/1", "methods": {"gmm": {"k18": {"k": 18, "ari": NaN}}}}`,
		"huge.json":      `{"schema": "litho.metrics/1", "methods": {"gmm": {"k18": {"k": 18, "ari": 1e999}}}}`,
		"binary.json":    "\x00\x01\xff\xfePK\x03\x04",
		"array.json":     `[1, 2]`,
	}
	for name, content := range bad {
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
	}
	os.Mkdir(filepath.Join(dir, "adir.json"), 0o755)
	absent := strings.Repeat("ab", 32)
	cases := [][]string{
		{"metrics", "show", "adir.json"},
		{"check", "--baseline", "missing.json"},
		{"check", "--baseline", "adir.json"},
		{"metrics", "nope"},
		{"metrics", "show", absent},
		{"metrics", "diff", absent, "current"},
	}
	for name := range bad {
		cases = append(cases, []string{"check", "--baseline", name}, []string{"metrics", "show", name},
			[]string{"metrics", "diff", name, "current"})
	}
	for _, args := range cases {
		r := runLitho(t, dir, nil, args...)
		named := args[len(args)-1]
		if args[0] == "metrics" && args[1] == "diff" {
			named = args[2]
		}
		if r.Code != 2 || !strings.Contains(r.Stderr, named) {
			t.Errorf("litho %s: exit %d, want 2 naming %s: %s", strings.Join(args, " "), r.Code, named, r.Stderr)
		}
	}
	if r := runLitho(t, dir, nil, "check", "--baseline", "baseline.json"); r.Code != 0 {
		t.Errorf("check with a good baseline: exit %d: %s", r.Code, r.Stderr)
	}
}

// TestEmptyPipelineFails: an empty, blank, comment-only or gates-only
// pipeline.hcl is invalid (exit 2, file:1:1) for run, check and status,
// so CI cannot pass on an emptied file; nothing is created.
func TestEmptyPipelineFails(t *testing.T) {
	for name, src := range map[string]string{
		"empty":         "",
		"blank":         "\n  \n\t\n",
		"comments only": "# source \"gen\" {}\n// stage \"upper\" \"a\" {}\n/* gate */\n",
		"gates only":    "gate \"ari\" {\n  metric = \"gmm.k18.ari\"\n  min = 0.2\n}\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writePipeline(t, dir, src)
			for _, cmd := range []string{"run", "check", "status"} {
				r := runLitho(t, dir, nil, cmd)
				if r.Code != 2 || !strings.Contains(r.Stderr, "pipeline.hcl:1:1: Empty pipeline") {
					t.Errorf("litho %s: exit %d, want 2 with pipeline.hcl:1:1: Empty pipeline: %s", cmd, r.Code, r.Stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, ".litho")); err == nil {
				t.Error("a store was created for an empty pipeline")
			}
		})
	}
}
