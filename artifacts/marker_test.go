package artifacts_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"litho/artifacts"
	"litho/artifacts/storetest"
)

func hasMarker(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, artifacts.MarkerName))
	return err == nil
}

// TestNewStoreIsMarked: a missing or empty directory becomes a store
// with a marker; reopening it works.
func TestNewStoreIsMarked(t *testing.T) {
	for name, dir := range map[string]string{"missing": filepath.Join(t.TempDir(), "a", "b"), "empty": t.TempDir()} {
		t.Run(name, func(t *testing.T) {
			if _, err := artifacts.OpenLocal(dir); err != nil {
				t.Fatal(err)
			}
			if !hasMarker(dir) {
				t.Fatal("no marker in a new store")
			}
			if _, err := artifacts.OpenLocal(dir); err != nil {
				t.Errorf("reopening: %v", err)
			}
		})
	}
}

// foreignDirs are directories that look a little like a store but hold
// something litho never writes, each with the entry to be named.
func foreignDirs(t *testing.T) map[string]func(dir string) string {
	d := string(artifacts.DigestBytes([]byte("x")))
	outside := filepath.Join(t.TempDir(), "outside.txt")
	storetest.Plant(t, filepath.Dir(outside), map[string]string{"outside.txt": "keep"})
	return map[string]func(string) string{
		"a user's files": func(dir string) string {
			storetest.Plant(t, dir, map[string]string{"notes.txt": "mine", "data/a.csv": "1,2"})
			return "data"
		},
		"notes in tmp": func(dir string) string {
			storetest.Plant(t, dir, map[string]string{"tmp/notes.txt": "mine"})
			return "tmp/notes.txt"
		},
		"a file in a shard": func(dir string) string {
			storetest.Plant(t, dir, map[string]string{"cas/ab/notes.txt": "mine"})
			return "cas/ab/notes.txt"
		},
		"a digest in the wrong shard": func(dir string) string {
			storetest.Plant(t, dir, map[string]string{"cas/zz/" + d: "mine"})
			return "cas/zz/" + d
		},
		"a symlink in a shard": func(dir string) string {
			storetest.Symlink(t, outside, filepath.Join(dir, "cas", d[:2], d))
			return "cas/" + d[:2] + "/" + d
		},
		"tmp is a symlink": func(dir string) string {
			storetest.Symlink(t, filepath.Dir(outside), filepath.Join(dir, "tmp"))
			return "tmp"
		},
		"the store a symlink to a user's directory": func(dir string) string {
			mine := t.TempDir()
			storetest.Plant(t, mine, map[string]string{"notes.txt": "mine"})
			os.Remove(dir)
			storetest.Symlink(t, mine, dir)
			return "notes.txt"
		},
		"a foreign temp name": func(dir string) string {
			storetest.Plant(t, dir, map[string]string{"tmp/save-1x": ""})
			return "tmp/save-1x"
		},
	}
}

// TestForeignDirectoryRefused: a directory with no marker that holds what
// litho does not write is refused by OpenLocal and ViewLocal alike, with
// a *NotStoreError naming the entry, and left exactly as it was.
func TestForeignDirectoryRefused(t *testing.T) {
	for name, fill := range foreignDirs(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			foreign := fill(dir)
			before := storetest.Snapshot(t, dir)
			for op, open := range map[string]func(string) (*artifacts.Local, error){"open": artifacts.OpenLocal, "view": artifacts.ViewLocal} {
				_, err := open(dir)
				var ns *artifacts.NotStoreError
				if !errors.As(err, &ns) {
					t.Fatalf("%s: %v, want a NotStoreError", op, err)
				}
				if ns.Foreign != filepath.FromSlash(foreign) || !strings.Contains(err.Error(), dir) {
					t.Errorf("%s: %v, want it to name %s in %s", op, err, foreign, dir)
				}
			}
			if d := storetest.Changed(before, storetest.Snapshot(t, dir)); len(d) > 0 {
				t.Errorf("the directory changed: %v", d)
			}
		})
	}
}

// TestStoreWithoutMarkerAdopted: a store from before markers (objects,
// records, run logs, lock, stat cache, temporary files; nothing else) is
// read as it is by ViewLocal, which writes nothing, and marked by
// OpenLocal, its objects intact.
func TestStoreWithoutMarkerAdopted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := artifacts.OpenLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := storetest.SaveBlob(t, l, []byte("an artifact"))
	saveRecord(t, l, key("rec"), []artifacts.Digest{d})
	run := artifacts.RunName(time.Now(), []byte("{}"))
	if err := l.Save(ctx, artifacts.Runs, run, strings.NewReader("{}"), 2); err != nil {
		t.Fatal(err)
	}
	storetest.Plant(t, dir, map[string]string{"lock": "released\n", "statcache.json": "{}", "tmp/save-12": "", "tmp/stage-34/anything": ""})
	if err := os.Remove(filepath.Join(dir, artifacts.MarkerName)); err != nil {
		t.Fatal(err)
	}
	before := storetest.Snapshot(t, dir)
	if _, err := artifacts.ViewLocal(dir); err != nil {
		t.Fatalf("view a store from before markers: %v", err)
	}
	if d := storetest.Changed(before, storetest.Snapshot(t, dir)); len(d) > 0 {
		t.Errorf("viewing changed the store: %v", d)
	}
	l, err = artifacts.OpenLocal(dir)
	if err != nil {
		t.Fatalf("open a store from before markers: %v", err)
	}
	if !hasMarker(dir) {
		t.Error("the adopted store was not marked")
	}
	if got := storetest.MustRead(t, l, artifacts.Blobs, string(d)); string(got) != "an artifact" {
		t.Errorf("blob after adoption: %q", got)
	}
}

// TestMarkedStoreMayHoldAnything: once marked, a store is used whatever
// else it holds (garbage collection and temp cleaning still touch only
// litho's names).
func TestMarkedStoreMayHoldAnything(t *testing.T) {
	dir := t.TempDir()
	if _, err := artifacts.OpenLocal(dir); err != nil {
		t.Fatal(err)
	}
	storetest.Plant(t, dir, map[string]string{"README": "a note beside the store"})
	if _, err := artifacts.OpenLocal(dir); err != nil {
		t.Errorf("open a marked store holding a note: %v", err)
	}
}

// TestBadMarker: a marker of another format version, or not a marker at
// all, is a *FormatError, and nothing is written.
func TestBadMarker(t *testing.T) {
	for name, content := range map[string]string{
		"newer format": `{"store":"litho","version":99}`,
		"not json":     "garbage",
		"other tool":   `{"store":"other","version":1}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			storetest.Plant(t, dir, map[string]string{artifacts.MarkerName: content})
			for _, open := range []func(string) (*artifacts.Local, error){artifacts.OpenLocal, artifacts.ViewLocal} {
				var fe *artifacts.FormatError
				if _, err := open(dir); !errors.As(err, &fe) {
					t.Errorf("%v, want a FormatError", err)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "cas")); err == nil {
				t.Error("a store with a bad marker was filled in")
			}
		})
	}
}

// TestCleanTempTakesOnlyLithoTemps: CleanTemp removes old save-* files
// and stage-* directories, and leaves young ones, other names, symlinks
// (and their targets) and a tmp directory that is itself a symlink.
func TestCleanTempTakesOnlyLithoTemps(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	l, err := artifacts.OpenLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Plant(t, outside, map[string]string{"target.txt": "keep", "sub/inner.txt": "keep", "save-7": "keep"})
	storetest.Plant(t, dir, map[string]string{
		"tmp/save-1": "", "tmp/stage-2/out.parquet": "", // litho's, old: go
		"tmp/save-3":    "", // litho's, young: stays
		"tmp/notes.txt": "", "tmp/save-4.bak": "", "tmp/stage-x/f": "",
	})
	storetest.Symlink(t, filepath.Join(outside, "target.txt"), filepath.Join(dir, "tmp", "save-5"))
	storetest.Symlink(t, filepath.Join(outside, "sub"), filepath.Join(dir, "tmp", "stage-6"))
	old := time.Now().Add(-2 * time.Hour)
	for _, p := range []string{"save-1", "stage-2", "notes.txt", "save-4.bak", "stage-x"} {
		os.Chtimes(filepath.Join(dir, "tmp", p), old, old)
	}
	for _, p := range []string{"save-5", "stage-6"} {
		// The links' own times: Go has no lutimes.
		if out, err := exec.Command("touch", "-h", "-d", "2 hours ago", filepath.Join(dir, "tmp", p)).CombinedOutput(); err != nil {
			t.Fatalf("touch -h: %v %s", err, out)
		}
	}
	outsideBefore := storetest.Snapshot(t, outside)
	if err := l.CleanTemp(); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{"save-1": false, "stage-2": false, "save-3": true, "notes.txt": true,
		"save-4.bak": true, "stage-x": true, "save-5": true, "stage-6": true} {
		if _, err := os.Lstat(filepath.Join(dir, "tmp", p)); (err == nil) != want {
			t.Errorf("tmp/%s: present %v, want %v", p, err == nil, want)
		}
	}
	// tmp itself a symlink to a directory of old save-* files: untouched.
	os.RemoveAll(l.TempDir())
	storetest.Symlink(t, outside, l.TempDir())
	os.Chtimes(filepath.Join(outside, "save-7"), old, old)
	if err := l.CleanTemp(); err != nil {
		t.Fatal(err)
	}
	if d := storetest.Changed(outsideBefore, storetest.Snapshot(t, outside)); len(d) > 0 {
		t.Errorf("cleaning changed files outside the store: %v", d)
	}
}

// TestListAndGCSkipWhatLithoDidNotWrite: in a marked store, files at
// other paths than Save's and symlinks are not listed, names litho never
// gives are not collected: garbage collection leaves them all (and a
// symlink's target).
func TestListAndGCSkipWhatLithoDidNotWrite(t *testing.T) {
	ctx := context.Background()
	dir, outside := t.TempDir(), t.TempDir()
	l, err := artifacts.OpenLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Plant(t, outside, map[string]string{"target": "keep"})
	orphan := storetest.SaveBlob(t, l, []byte("a real orphan"))
	d := string(artifacts.DigestBytes([]byte("never stored")))
	k := key("a record elsewhere")
	foreign := map[string]string{
		"cas/ab/notes.txt": "", "cas/zz/" + d: "", "cas/" + d[:2] + "/sub/" + d: "",
		"ac/no/notes": "", "ac/zz/" + k: "", "runs/ab/notes": "",
	}
	storetest.Plant(t, dir, foreign)
	link := filepath.Join(dir, "cas", d[:2], d)
	storetest.Symlink(t, filepath.Join(outside, "target"), link)
	var got []string
	for _, ns := range []artifacts.Namespace{artifacts.Blobs, artifacts.Records, artifacts.Runs} {
		got = append(got, names(t, l, ns)...)
	}
	if want := []string{string(orphan), "notes"}; !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v (the orphan blob, and ac/no/notes where Save would put a record \"notes\")", got, want)
	}
	st, err := artifacts.GC(ctx, l, artifacts.GCOptions{Refs: testRefs, NoGrace: true})
	if err != nil || st.BlobsDeleted != 1 {
		t.Fatalf("gc: %+v, %v; want the orphan deleted", st, err)
	}
	for p := range foreign {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("gc removed %s: %v", p, err)
		}
	}
	if b, err := os.ReadFile(link); err != nil || string(b) != "keep" {
		t.Errorf("the symlink or its target is gone: %q, %v", b, err)
	}
}

// TestFixedNamesNotWrittenThrough: the files litho writes at fixed names
// in a store, the lock and the stat cache's temporary file, are never
// written through a symlink planted there: the lock is refused, the stat
// cache goes through a fresh temporary file; the links' targets keep
// their bytes.
func TestFixedNamesNotWrittenThrough(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	l, err := artifacts.OpenLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Plant(t, outside, map[string]string{"lock-target": "theirs", "cache-target": "theirs", "input.csv": "1,2"})
	storetest.Symlink(t, filepath.Join(outside, "lock-target"), filepath.Join(dir, "lock"))
	storetest.Symlink(t, filepath.Join(outside, "cache-target"), filepath.Join(dir, "statcache.json.tmp"))
	before := storetest.Snapshot(t, outside)
	if _, _, err := l.Lock(context.Background(), time.Second, nil); err == nil {
		t.Error("a lock through a symlink was taken")
	}
	fp := artifacts.NewFingerprinter(filepath.Join(dir, "statcache.json"))
	if _, _, err := fp.Fingerprint(context.Background(), filepath.Join(outside, "input.csv")); err != nil {
		t.Fatal(err)
	}
	if err := fp.Save(); err != nil {
		t.Fatal(err)
	}
	if d := storetest.Changed(before, storetest.Snapshot(t, outside)); len(d) > 0 {
		t.Errorf("files outside the store changed: %v", d)
	}
}
