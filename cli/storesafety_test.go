package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"litho/artifacts"
	"litho/artifacts/storetest"
)

// plant writes files (path → content, relative to dir) and dates them
// two hours back, past every age litho waits for before cleaning.
func plant(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	storetest.Plant(t, dir, files)
	for p := range files {
		ageHours(t, filepath.Join(dir, p))
	}
}

// ageHours dates a path (a symlink itself, not its target) two hours back.
func ageHours(t *testing.T, path string) {
	t.Helper()
	if out, err := exec.Command("touch", "-h", "-d", "2 hours ago", path).CombinedOutput(); err != nil {
		t.Fatalf("touch: %v %s", err, out)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	storetest.Symlink(t, target, link)
	ageHours(t, link)
}

// TestForeignStoreLeftAlone: pointed at a directory litho did not create
// (the repro, a project directory, a digest-named file in a
// shard-like path), every command that opens a store, writing or only
// looking, exits 2 naming the directory and leaves every file as it was.
func TestForeignStoreLeftAlone(t *testing.T) {
	d := string(artifacts.DigestBytes([]byte("x")))
	fixtures := map[string]map[string]string{
		"notes in tmp":      {"tmp/notes.txt": "mine"},
		"a project":         {"pipeline.hcl": "source \"gen\" {}\n", "data/GRA_DataLITH.csv": "Exp,Site\n"},
		"a file in a shard": {"cas/" + d[:2] + "/" + d: "mine", "runs/17/notes": "mine"},
	}
	commands := [][]string{
		{"run"}, {"run", "--dry-run"}, {"status"}, {"why", "a"}, {"show", "a"},
		{"gc"}, {"gc", "--keep-last", "0", "--yes"}, {"metrics", "show", "--stage", "a"},
	}
	for name, files := range fixtures {
		t.Run(name, func(t *testing.T) {
			dir, store := t.TempDir(), t.TempDir()
			plant(t, store, files)
			before := storetest.Snapshot(t, store)
			for _, args := range commands {
				r := runLitho(t, dir, nil, append([]string{"--store", store}, args...)...)
				if r.Code != 2 || !strings.Contains(r.Stderr, store+" is not a litho store") {
					t.Errorf("litho %s: exit %d, want 2 naming the store: %s", strings.Join(args, " "), r.Code, r.Stderr)
				}
			}
			if d := storetest.Changed(before, storetest.Snapshot(t, store)); len(d) > 0 {
				t.Errorf("the directory changed: %v", d)
			}
		})
	}
}

// TestStoreFromBeforeMarkersAdopted: a store litho wrote before stores
// were marked is used as it is (everything stays cached) and marked.
func TestStoreFromBeforeMarkersAdopted(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, nil, "run")
	marker := filepath.Join(dir, ".litho", artifacts.MarkerName)
	if err := os.Remove(marker); err != nil {
		t.Fatal(err)
	}
	if n := executed(events(t, mustRun(t, dir, nil, "run", "--json").Stdout)); n != 0 {
		t.Errorf("the adopted store's run executed %d stages, want 0", n)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the adopted store is not marked: %v", err)
	}
}

// TestRunCleansOnlyItsOwnTemps: a run's temp cleaning removes old save-*
// files and stage-* directories and nothing else in tmp: not other
// names, not symlinks or their targets; and a tmp that is a symlink is
// not followed.
func TestRunCleansOnlyItsOwnTemps(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	mustRun(t, dir, nil, "run")
	store := filepath.Join(dir, ".litho")
	plant(t, outside, map[string]string{"save-9": "theirs", "notes.txt": "theirs", "stage-8/x": "theirs"})
	plant(t, store, map[string]string{"tmp/save-1": "", "tmp/stage-2/part.parquet": "",
		"tmp/notes.txt": "mine", "tmp/save-3.orig": "mine", "tmp/stage-four/f": "mine"})
	symlink(t, filepath.Join(outside, "save-9"), filepath.Join(store, "tmp", "save-5"))
	symlink(t, filepath.Join(outside, "stage-8"), filepath.Join(store, "tmp", "stage-6"))
	ageHours(t, filepath.Join(store, "tmp", "stage-2"))
	ageHours(t, filepath.Join(outside, "stage-8"))
	theirs := storetest.Snapshot(t, outside)
	mustRun(t, dir, nil, "run")
	for p, want := range map[string]bool{"save-1": false, "stage-2": false, "notes.txt": true,
		"save-3.orig": true, "stage-four/f": true, "save-5": true, "stage-6": true} {
		if _, err := os.Lstat(filepath.Join(store, "tmp", p)); (err == nil) != want {
			t.Errorf("tmp/%s: present %v, want %v", p, err == nil, want)
		}
	}
	os.RemoveAll(filepath.Join(store, "tmp"))
	symlink(t, outside, filepath.Join(store, "tmp"))
	mustRun(t, dir, nil, "run", "--force", "a")
	if d := storetest.Changed(theirs, storetest.Snapshot(t, outside)); len(d) > 0 {
		t.Errorf("runs changed files outside the store: %v", d)
	}
}

// TestGCDeletesOnlyLithoNames: gc --yes on the local store deletes the
// unreachable records, blobs and run logs, and leaves every file litho
// could not have written there (other names, other paths, symlinks) and
// a symlink's target.
func TestGCDeletesOnlyLithoNames(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	mustRun(t, dir, nil, "run", "--set", `a.suffix="old"`)
	mustRun(t, dir, nil, "run")
	store := filepath.Join(dir, ".litho")
	d := string(artifacts.DigestBytes([]byte("never stored")))
	foreign := map[string]string{
		"cas/ab/notes.txt": "mine", "cas/zz/" + d: "mine", "cas/" + d[:2] + "/sub/" + d: "mine",
		"ac/no/notes": "mine", "ac/zz/" + d: "mine", "runs/ab/notes": "mine", "runs/no/notes": "mine",
		"README": "mine",
	}
	plant(t, store, foreign)
	plant(t, outside, map[string]string{"target": "theirs"})
	symlink(t, filepath.Join(outside, "target"), filepath.Join(store, "cas", d[:2], d))
	theirs := storetest.Snapshot(t, outside)
	done := gcJSON(t, dir, "--keep-last", "0", "--yes")
	if len(done.Objects) == 0 {
		t.Fatal("gc --yes deleted nothing; the old parameters' results should go")
	}
	for p := range foreign {
		if _, err := os.Stat(filepath.Join(store, p)); err != nil {
			t.Errorf("gc --yes removed %s: %v", p, err)
		}
	}
	if _, err := os.Lstat(filepath.Join(store, "cas", d[:2], d)); err != nil {
		t.Errorf("gc --yes removed a symlink litho did not write: %v", err)
	}
	if d := storetest.Changed(theirs, storetest.Snapshot(t, outside)); len(d) > 0 {
		t.Errorf("gc changed files outside the store: %v", d)
	}
	if n := executed(events(t, mustRun(t, dir, nil, "run", "--json").Stdout)); n != 0 {
		t.Errorf("after gc the current pipeline executed %d stages", n)
	}
}
