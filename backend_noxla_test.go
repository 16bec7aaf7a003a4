//go:build !(xla && cgo && linux && amd64)

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestUnservableBackendFailsAtParse: in a build without XLA, a train
// backend of xla:… is an invalid pipeline (exit 2, file:line:col), from
// the file or --set, before any stage runs: no store is even created.
func TestUnservableBackendFailsAtParse(t *testing.T) {
	src := bytes.Replace(defaultPipeline, []byte("latent_dim = 10"), []byte("latent_dim = 10\n  backend = \"xla:cuda\""), 1)
	line := bytes.Count(src[:bytes.Index(src, []byte("backend = "))], []byte("\n")) + 1
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pipeline.hcl"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	for _, c := range []struct {
		dir  string
		args []string
		want string
	}{
		{dir, []string{"run"}, "pipeline.hcl:" + strconv.Itoa(line) + ":"},
		{dir, []string{"check"}, "pipeline.hcl:" + strconv.Itoa(line) + ":"},
		{other, []string{"run", "--set", `train.backend="xla:/opt/pjrt/plugin.so"`}, "Invalid --set"},
	} {
		r := litho(t, c.dir, c.args...)
		if r.Code != 2 || !strings.Contains(r.Stderr, c.want) || !strings.Contains(r.Stderr, "built without XLA") {
			t.Errorf("litho %s: exit %d, want 2 with %q and why: %s", strings.Join(c.args, " "), r.Code, c.want, r.Stderr)
		}
		if _, err := os.Stat(filepath.Join(c.dir, ".litho")); err == nil {
			t.Errorf("litho %s created a store: something ran", strings.Join(c.args, " "))
		}
	}
}
