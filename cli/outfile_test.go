package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"litho/artifacts/storetest"
	"litho/cli/clitest"
	"litho/schemas"
)

// writer is a command that writes a file the user names with --out.
type writer struct {
	name string
	args []string // the command line, --force and --out left out
	out  string   // --out, relative to the output directory
	file string   // a file it writes there
}

// writers are the commands that write files outside the store.
var writers = []writer{
	{"export", []string{"export", "evaluate", "metrics"}, "file", "file"},
	{"export a partitioned output", []string{"export", "map", "out"}, "parts", "parts/a"},
	{"report", []string{"report"}, "file", "file"},
}

// command is w's command line writing into dir, with --force if asked.
func (w writer) command(dir string, force bool) []string {
	flags := []string{"--out", filepath.Join(dir, w.out)}
	if force {
		flags = append(flags, "--force")
	}
	return append(append([]string{w.args[0]}, flags...), w.args[1:]...)
}

// outputsProject is the linear pipeline (with a partitioned output) and
// a stand-in evaluate stage (a metrics and a report), run once.
func outputsProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writePipeline(t, dir, string(testPipeline)+`
stage "fakeeval" "evaluate" {
  inputs = { in = source.data }
}
`)
	mustRun(t, dir, nil, "run")
	return dir
}

// noTemps fails when a temporary file is left in dir.
func noTemps(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".tmp") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

// target is something already at the path a command is told to write.
type target struct {
	name  string
	make  func(t *testing.T, path string) // creates it
	force bool                            // --force replaces it
}

func targets(outside string) []target {
	return []target{
		{"a regular file", func(t *testing.T, p string) { os.WriteFile(p, []byte("mine"), 0o644) }, true},
		{"a symlink", func(t *testing.T, p string) { symlink(t, filepath.Join(outside, "target"), p) }, false},
		{"a directory", func(t *testing.T, p string) { plant(t, p, map[string]string{"inner": "mine"}) }, false},
		{"a named pipe", func(t *testing.T, p string) {
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"a device", func(t *testing.T, p string) {
			// A null device of the test's own, so that a regression
			// replaces nothing of the machine's.
			if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
				t.Skipf("mknod (needs root): %v", err)
			}
		}, false},
	}
}

// TestOutputsReplaceOnlyRegularFiles: export and report refuse (exit 2)
// to replace what is at --out: a regular file without --force, and a
// symlink, directory, pipe or device even with it. A refusal leaves the
// thing (and a symlink's target) as it was and no temporary file; with
// --force a regular file is replaced.
func TestOutputsReplaceOnlyRegularFiles(t *testing.T) {
	dir := outputsProject(t)
	for _, w := range writers {
		for _, tg := range targets(t.TempDir()) {
			t.Run(w.name+"/"+tg.name, func(t *testing.T) {
				out, outside := t.TempDir(), t.TempDir()
				plant(t, outside, map[string]string{"target": "theirs"})
				path := filepath.Join(out, w.file)
				os.MkdirAll(filepath.Dir(path), 0o755)
				tg.make(t, path)
				before, theirs := storetest.Snapshot(t, out), storetest.Snapshot(t, outside)
				if r := runLitho(t, dir, nil, w.command(out, false)...); r.Code != 2 || !strings.Contains(r.Stderr, path) {
					t.Errorf("without --force: exit %d, want 2 naming %s: %s", r.Code, path, r.Stderr)
				}
				if d := storetest.Changed(before, storetest.Snapshot(t, out)); len(d) > 0 {
					t.Errorf("a refused write changed %v", d)
				}
				r := runLitho(t, dir, nil, w.command(out, true)...)
				switch {
				case tg.force && r.Code != 0:
					t.Errorf("--force over a regular file: exit %d: %s", r.Code, r.Stderr)
				case !tg.force && r.Code != 2:
					t.Errorf("--force over %s: exit %d, want 2: %s", tg.name, r.Code, r.Stderr)
				case !tg.force:
					if d := storetest.Changed(before, storetest.Snapshot(t, out)); len(d) > 0 {
						t.Errorf("--force over %s changed %v", tg.name, d)
					}
				}
				if d := storetest.Changed(theirs, storetest.Snapshot(t, outside)); len(d) > 0 {
					t.Errorf("a symlink's target changed: %v", d)
				}
				noTemps(t, out)
			})
		}
	}
}

// TestFailedWriteLeavesNoTemp: when writing the output fails (here the
// file size limit makes every write fail), export and report exit
// non-zero, leave no temporary file, and a file --force would have
// replaced is intact.
func TestFailedWriteLeavesNoTemp(t *testing.T) {
	dir := outputsProject(t)
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			out := t.TempDir()
			plant(t, out, map[string]string{w.file: "mine"})
			before := storetest.Snapshot(t, out)
			r := clitest.Run(t, inShell(litho(t, dir, nil, w.command(out, true)...), "ulimit -f 0"))
			if r.Code == 0 || !strings.Contains(r.Stderr, "file too large") {
				t.Errorf("exit %d, want a failure saying why: %s", r.Code, r.Stderr)
			}
			noTemps(t, out)
			if d := storetest.Changed(before, storetest.Snapshot(t, out)); len(d) > 0 {
				t.Errorf("a failed write changed %v", d)
			}
		})
	}
}

// TestSynthRefusesToOverwrite: litho synth writes the LILY database's file
// names, so it refuses (exit 2, nothing written) when one exists, unless
// --force; a symlink is refused even with --force, its target intact.
func TestSynthRefusesToOverwrite(t *testing.T) {
	data, outside := t.TempDir(), t.TempDir()
	gra := filepath.Join(data, schemas.LILYFiles[0].FileName)
	plant(t, data, map[string]string{schemas.LILYFiles[0].FileName: "the real GRA file"})
	before := storetest.Snapshot(t, data)
	synth := []string{"synth", "--out", data, "--boreholes", "2"}
	if r := runLitho(t, t.TempDir(), nil, synth...); r.Code != 2 || !strings.Contains(r.Stderr, gra+" already exists") {
		t.Errorf("synth over a LILY file: exit %d, want 2 naming it: %s", r.Code, r.Stderr)
	}
	if d := storetest.Changed(before, storetest.Snapshot(t, data)); len(d) > 0 {
		t.Errorf("a refused synth changed %v", d)
	}
	if r := runLitho(t, t.TempDir(), nil, append(synth, "--force")...); r.Code != 0 {
		t.Fatalf("synth --force: exit %d: %s", r.Code, r.Stderr)
	}
	if b, _ := os.ReadFile(gra); string(b) == "the real GRA file" {
		t.Error("synth --force did not replace the file")
	}
	plant(t, outside, map[string]string{"target": "theirs"})
	os.Remove(gra)
	symlink(t, filepath.Join(outside, "target"), gra)
	theirs := storetest.Snapshot(t, outside)
	if r := runLitho(t, t.TempDir(), nil, append(synth, "--force")...); r.Code != 2 || !strings.Contains(r.Stderr, "symlink") {
		t.Errorf("synth --force over a symlink: exit %d, want 2: %s", r.Code, r.Stderr)
	}
	if d := storetest.Changed(theirs, storetest.Snapshot(t, outside)); len(d) > 0 {
		t.Errorf("synth wrote through a symlink: %v", d)
	}
}
