package storetest

import (
	"os"
	"path/filepath"
	"testing"

	"litho/artifacts"
)

// Local opens a new local store in a temporary directory.
func Local(t testing.TB) *artifacts.Local {
	t.Helper()
	l, err := artifacts.OpenLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Plant writes files (path → content, relative to dir), making parents.
func Plant(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Symlink makes link point at target, making link's parents.
func Symlink(t testing.TB, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// Edit rewrites the file at path in place with edit's changes to its
// bytes (the size stays).
func Edit(t testing.TB, path string, edit func(b []byte)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edit(b)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
