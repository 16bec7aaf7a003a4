package cli_test

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"litho/artifacts/storetest"
	"litho/cli/clitest"
)

// nobody is the unprivileged user a root test runs litho as.
const nobody = 65534

// unprivileged makes cmd run without the right to write what the test
// made read-only: as root, as the user nobody (with a copy of the test
// binary that nobody may run); otherwise as is, since permissions bind
// an ordinary user already.
func unprivileged(t *testing.T, cmd *exec.Cmd) *exec.Cmd {
	t.Helper()
	if os.Getuid() != 0 {
		return cmd
	}
	cmd.Path = nobodyBinary(t)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	return cmd
}

// nobodyBinary copies the test binary to a directory the user nobody can
// reach, once per test.
func nobodyBinary(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	reachable(t, dir)
	dst := filepath.Join(dir, "litho")
	src, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, src); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// reachable lets everyone enter dir and the test's temporary directory
// above it (t.TempDir makes both private).
func reachable(t *testing.T, dir string) {
	t.Helper()
	for d := dir; d != filepath.Dir(os.TempDir()) && d != "/"; d = filepath.Dir(d) {
		if d == os.TempDir() {
			return
		}
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// readOnlyTree takes every write permission off dir's tree (and gives
// back the owner's when the test ends, so it can be removed).
func readOnlyTree(t *testing.T, dir string) {
	t.Helper()
	chmodTree(t, dir, func(m fs.FileMode) fs.FileMode { return m&^0o222 | 0o444 | m&0o111 })
	t.Cleanup(func() { chmodTree(t, dir, func(m fs.FileMode) fs.FileMode { return m | 0o200 }) })
}

func chmodTree(t *testing.T, dir string, mode func(fs.FileMode) fs.FileMode) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		m := fi.Mode().Perm()
		if d.IsDir() {
			m |= 0o111
		}
		return os.Chmod(p, mode(m))
	})
}

// TestReadOnlyStoreCanBeRead: on a store litho may not write (every file
// and directory read-only, and, when the test runs as root, litho run as
// the user nobody), the commands that only look work: show, status,
// why, metrics, export, report, check and gc's listing. Permissions, not
// litho's word, enforce that they write nothing to the store.
func TestReadOnlyStoreCanBeRead(t *testing.T) {
	dir := outputsProject(t)
	store := filepath.Join(dir, ".litho")
	reachable(t, dir)
	readOnlyTree(t, store)
	out := t.TempDir()
	reachable(t, out)
	os.Chmod(out, 0o777)
	before := storetest.Snapshot(t, store)
	for _, args := range [][]string{
		{"show", "a"}, {"status"}, {"why", "concat"}, {"metrics", "show"},
		{"export", "--out", filepath.Join(out, "m.json"), "evaluate", "metrics"},
		{"export", "--out", filepath.Join(out, "parts"), "map", "out"},
		{"report", "--out", filepath.Join(out, "r.html")},
		{"check"}, {"gc", "--keep-last", "0"},
	} {
		r := clitest.Run(t, unprivileged(t, litho(t, dir, nil, args...)))
		if r.Code != 0 {
			t.Errorf("litho %s on a read-only store: exit %d: %s", strings.Join(args, " "), r.Code, r.Stderr)
		}
	}
	if d := storetest.Changed(before, storetest.Snapshot(t, store)); len(d) > 0 {
		t.Errorf("the read-only store changed: %v", d)
	}
	// The same store is really not writable by that user: a run fails.
	if r := clitest.Run(t, unprivileged(t, litho(t, dir, nil, "run", "--force", "a"))); r.Code == 0 || !strings.Contains(r.Stderr, "permission denied") {
		t.Errorf("a run on the read-only store: exit %d, want a permission error; the test does not make it read-only: %s", r.Code, r.Stderr)
	}
}

// TestFilesHonourTheUmask: everything litho writes into the store
// (objects, records, run logs, the marker, lock and stat cache, their
// directories) and the files export writes take their mode from the
// umask, as any file the user writes does.
func TestFilesHonourTheUmask(t *testing.T) {
	for _, umask := range []fs.FileMode{0o077, 0o022, 0o002} {
		t.Run(fmt.Sprintf("%03o", umask), func(t *testing.T) {
			dir := t.TempDir()
			shell := fmt.Sprintf("umask %03o", umask)
			for _, args := range [][]string{{"run"}, {"export", "--out", filepath.Join(dir, "out"), "a", "out"}} {
				if r := clitest.Run(t, inShell(litho(t, dir, nil, args...), shell)); r.Code != 0 {
					t.Fatalf("litho %s: exit %d: %s", args[0], r.Code, r.Stderr)
				}
			}
			files := 0
			filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || p == dir {
					return err
				}
				fi, _ := d.Info()
				want := 0o666 &^ umask
				if d.IsDir() {
					want = 0o777 &^ umask
				}
				if fi.Mode().Perm() != want {
					t.Errorf("%s: mode %03o, want %03o", p, fi.Mode().Perm(), want)
				}
				files++
				return nil
			})
			if files < 10 {
				t.Errorf("only %d files and directories checked", files)
			}
		})
	}
}
