package cli_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"litho/artifacts"
	"litho/artifacts/s3store"
	"litho/artifacts/s3store/s3test"
	"litho/artifacts/storetest"
	"litho/cli/clitest"
)

// flipByte changes one byte of a file in place.
func flipByte(t *testing.T, path string) {
	t.Helper()
	storetest.Edit(t, path, func(b []byte) { b[len(b)/2] ^= 0x20 })
}

// TestVerifyFindsAndRepairsLocal: verify finds every damage at once,
// including those no run looks at (a partition record behind an intact
// stage record, a record whose manifest lists other partitions, a corrupt
// manifest), exits 1 and changes nothing; --repair removes them; a run
// then ends with the clean outputs and the store verifies clean.
func TestVerifyFindsAndRepairsLocal(t *testing.T) {
	dir := t.TempDir()
	clean := events(t, mustRun(t, dir, nil, "run", "--json").Stdout)
	keys, outs := clitest.Keys(clean), outputs(clean)
	flipByte(t, blobFile(dir, outs["a"]["out"]))
	flipByte(t, blobFile(dir, outs["map"]["out"]))
	os.WriteFile(recordFile(dir, keys["map/b"]), bytes.Replace(readFile(t, recordFile(dir, keys["map/b"])), []byte(`"host": "`), []byte(`"host": "x`), 1), 0o644)
	os.WriteFile(recordFile(dir, keys["split"]), editJSON(t, readFile(t, recordFile(dir, keys["split"])), func(m map[string]any) {
		delete(m, "integrity")
		delete(output(m, "parts")["parts"].(map[string]any), "a")
	}), 0o644)
	bad := []string{"cas/" + outs["a"]["out"], "cas/" + outs["map"]["out"], "ac/" + keys["map/b"], "ac/" + keys["split"]}

	before := storetest.Snapshot(t, dir)
	r := runLitho(t, dir, nil, "verify")
	if r.Code != 1 || !strings.Contains(r.Stdout, "4 bad, 0 repaired") {
		t.Errorf("verify: exit %d, want 1 with 4 bad: %s%s", r.Code, r.Stdout, r.Stderr)
	}
	for _, name := range bad {
		if !strings.Contains(r.Stdout, name) {
			t.Errorf("verify does not name %s:\n%s", name, r.Stdout)
		}
	}
	if d := storetest.Changed(before, storetest.Snapshot(t, dir)); len(d) > 0 {
		t.Errorf("verify without --repair changed %v", d)
	}
	if r := mustRun(t, dir, nil, "verify", "--repair"); !strings.Contains(r.Stdout, "4 bad, 4 repaired") {
		t.Errorf("verify --repair: %s", r.Stdout)
	}
	after := events(t, mustRun(t, dir, nil, "run", "--json").Stdout)
	if got, want := outputs(after), outs; !equalOutputs(got, want) {
		t.Errorf("outputs after repair %v, want the clean run's %v", got, want)
	}
	if r := mustRun(t, dir, nil, "verify"); !strings.Contains(r.Stdout, " 0 bad") {
		t.Errorf("verify after the run: %s", r.Stdout)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestVerifyRemoteRepairs: in the bucket, a corrupt blob (same size), a
// blob of the wrong size and a damaged record are found by verify
// --remote; --repair on the host that computed them puts its good copies
// back and removes the record; the next host then ends with the clean
// outputs, and the bucket verifies clean.
func TestVerifyRemoteRepairs(t *testing.T) {
	ctx := context.Background()
	env, cfg := remoteEnv(t)
	hostA := t.TempDir()
	clean := events(t, mustRun(t, hostA, env, "run", "--json").Stdout)
	keys, outs := clitest.Keys(clean), outputs(clean)
	bucket, err := s3store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	put := func(ns artifacts.Namespace, name string, b []byte) {
		bucket.Remove(ctx, ns, name)
		if err := bucket.Save(ctx, ns, name, bytes.NewReader(b), int64(len(b))); err != nil {
			t.Fatal(err)
		}
	}
	corrupt := readFile(t, blobFile(hostA, outs["a"]["out"]))
	corrupt[0] ^= 0x20
	put(artifacts.Blobs, outs["a"]["out"], corrupt)
	put(artifacts.Blobs, outs["concat"]["out"], []byte("short"))
	rec := readFile(t, recordFile(hostA, keys["map/c"]))
	put(artifacts.Records, keys["map/c"], editJSON(t, rec, func(m map[string]any) { m["seconds"] = 99 }))

	r := runLitho(t, hostA, env, "verify", "--remote")
	if r.Code != 1 || !strings.Contains(r.Stdout, "3 bad, 0 repaired") {
		t.Errorf("verify --remote: exit %d: %s%s", r.Code, r.Stdout, r.Stderr)
	}
	r = mustRun(t, hostA, env, "verify", "--remote", "--repair")
	if !strings.Contains(r.Stdout, "3 bad, 3 repaired") || strings.Count(r.Stdout, "replaced by the local copy") != 2 {
		t.Errorf("verify --remote --repair: %s", r.Stdout)
	}
	hostB := mustRun(t, t.TempDir(), env, "run", "--json")
	if got := outputs(events(t, hostB.Stdout)); !equalOutputs(got, outs) {
		t.Errorf("outputs on the next host %v, want the clean run's %v", got, outs)
	}
	if n := executed(events(t, hostB.Stdout)); n > 1 {
		t.Errorf("the next host executed %d stages, want at most the one whose record went", n)
	}
	if r := mustRun(t, hostA, env, "verify", "--remote"); !strings.Contains(r.Stdout, " 0 bad") {
		t.Errorf("the bucket after repair: %s", r.Stdout)
	}
	checkRemoteComplete(t, cfg)
	// The partition's record stays gone: its stage's record, intact,
	// serves the stage, and a run that needs the partition recomputes it.
	if _, err := bucket.Stat(ctx, artifacts.Records, keys["map/c"]); !errors.Is(err, artifacts.ErrNotFound) {
		t.Errorf("the damaged record is still in the bucket: %v", err)
	}
}

// TestVerifyRemoteRepairsUnreadable: an object MinIO itself reports
// unreadable (its own file damaged; it still lists and stats it) makes
// export fail on a new host, naming the object and what mends it; verify
// --remote reports it, and --repair on a host with a good copy replaces
// it, after which the new host exports it.
func TestVerifyRemoteRepairsUnreadable(t *testing.T) {
	env, cfg := remoteEnv(t)
	hostA := t.TempDir()
	d := outputs(events(t, mustRun(t, hostA, env, "run", "--json").Stdout))["a"]["out"]
	s3test.Unreadable(t, cfg, "cas/sha256/"+d[:2]+"/"+d)

	hostB := t.TempDir()
	out := filepath.Join(hostB, "a.out")
	if r := runLitho(t, hostB, env, "export", "--out", out, "a", "out"); r.Code != 3 || !strings.Contains(r.Stderr, "verify --remote --repair") {
		t.Errorf("export of an unreadable object: exit %d, want 3 naming the remedy: %s", r.Code, r.Stderr)
	}
	if r := runLitho(t, hostB, env, "verify", "--remote"); r.Code != 1 || !strings.Contains(r.Stdout, "cas/"+d+"  unreadable") {
		t.Errorf("verify --remote: exit %d: %s%s", r.Code, r.Stdout, r.Stderr)
	}
	if r := mustRun(t, hostA, env, "verify", "--remote", "--repair"); !strings.Contains(r.Stdout, "replaced by the local copy") {
		t.Errorf("verify --remote --repair: %s", r.Stdout)
	}
	mustRun(t, hostB, env, "export", "--out", out, "a", "out")
	if !bytes.Equal(readFile(t, out), readFile(t, blobFile(hostA, d))) {
		t.Error("the export after repair differs from host A's blob")
	}
}

// TestBadMetadataHealed: an object whose MinIO metadata is damaged cannot
// even be statted, and the listing leaves it out. The next host that
// needs it reports it, recomputes its stage and replaces it, ending with
// the clean outputs; damaged again, verify --remote finds it through the
// records that name it, and --repair puts host A's copy in its place.
func TestBadMetadataHealed(t *testing.T) {
	env, cfg := remoteEnv(t)
	hostA := t.TempDir()
	clean := outputs(events(t, mustRun(t, hostA, env, "run", "--json").Stdout))
	d := clean["a"]["out"]
	key := "cas/sha256/" + d[:2] + "/" + d
	s3test.BadMetadata(t, cfg, key)
	r := mustRun(t, t.TempDir(), env, "run", "--json")
	if !strings.Contains(r.Stderr, "cannot be read") || !strings.Contains(r.Stderr, d) {
		t.Errorf("no report of the unreadable object: %s", r.Stderr)
	}
	if got := outputs(events(t, r.Stdout)); !equalOutputs(got, clean) {
		t.Errorf("outputs %v, want the clean run's %v", got, clean)
	}
	if r := mustRun(t, hostA, env, "verify", "--remote"); !strings.Contains(r.Stdout, " 0 bad") {
		t.Errorf("the bucket after the run: %s", r.Stdout)
	}

	s3test.BadMetadata(t, cfg, key)
	if r := runLitho(t, t.TempDir(), env, "verify", "--remote"); r.Code != 1 || !strings.Contains(r.Stdout, "cas/"+d+"  unreadable") {
		t.Errorf("verify --remote: exit %d: %s%s", r.Code, r.Stdout, r.Stderr)
	}
	if r := mustRun(t, hostA, env, "verify", "--remote", "--repair"); !strings.Contains(r.Stdout, "replaced by the local copy") {
		t.Errorf("verify --remote --repair: %s", r.Stdout)
	}
	if r := mustRun(t, hostA, env, "verify", "--remote"); !strings.Contains(r.Stdout, " 0 bad") {
		t.Errorf("the bucket after repair: %s", r.Stdout)
	}
}
