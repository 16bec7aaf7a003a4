package cli_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/golden/NAME, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update once to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

func TestDagFormats(t *testing.T) {
	for _, format := range []string{"text", "dot", "mermaid"} {
		t.Run(format, func(t *testing.T) {
			r := runLitho(t, t.TempDir(), nil, "dag", "--format", format)
			if r.Code != 0 {
				t.Fatal(r.Stderr)
			}
			golden(t, "dag."+format, r.Stdout)
		})
	}
}
