package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"litho/artifacts"
	"litho/artifacts/s3store"
)

// TestWrongSizeRemoteBlobRepaired: a blob in the bucket with the wrong
// size (short or long) is reported by the next host that needs it, which
// recomputes the stage and replaces the bucket's copy with the good one;
// the run ends with a clean run's outputs, and a third host reads the
// blob and runs nothing.
func TestWrongSizeRemoteBlobRepaired(t *testing.T) {
	ctx := context.Background()
	for name, damage := range map[string]func([]byte) []byte{
		"short": func(b []byte) []byte { return b[:len(b)-1] },
		"long":  func(b []byte) []byte { return append(bytes.Clone(b), "junk"...) },
	} {
		t.Run(name, func(t *testing.T) {
			env, cfg := remoteEnv(t)
			clean := events(t, mustRun(t, t.TempDir(), env, "run", "--json").Stdout)
			d := artifacts.Digest(outputs(clean)["a"]["out"])
			bucket, err := s3store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			st := artifacts.NewStore(bucket)
			good, err := st.ReadAll(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			bad := damage(good)
			if err := bucket.Save(ctx, artifacts.Blobs, string(d), bytes.NewReader(bad), int64(len(bad))); err != nil {
				t.Fatal(err)
			}
			if info, _ := bucket.Stat(ctx, artifacts.Blobs, string(d)); info.Size != int64(len(bad)) {
				t.Fatalf("the damaged copy was not planted: size %d", info.Size)
			}
			r := mustRun(t, t.TempDir(), env, "run", "--json")
			if !strings.Contains(r.Stderr, "wrong size") || !strings.Contains(r.Stderr, string(d)) {
				t.Errorf("no report of the wrong-size object %s: %s", d.Short(), r.Stderr)
			}
			if got, want := outputs(events(t, r.Stdout)), outputs(clean); !equalOutputs(got, want) {
				t.Errorf("outputs %v, want the clean run's %v", got, want)
			}
			if b, err := st.ReadAll(ctx, d); err != nil || !bytes.Equal(b, good) {
				t.Errorf("the bucket's copy is not repaired: %d bytes, %v", len(b), err)
			}
			hostC := t.TempDir()
			out := filepath.Join(hostC, "a.out")
			mustRun(t, hostC, env, "export", "--out", out, "a", "out")
			if b, _ := os.ReadFile(out); !bytes.Equal(b, good) {
				t.Errorf("a third host exported %q, want %q", b, good)
			}
			third := mustRun(t, hostC, env, "run", "--json")
			if n := executed(events(t, third.Stdout)); n != 0 || strings.Contains(third.Stderr, "wrong size") {
				t.Errorf("a third host executed %d stages: %s", n, third.Stderr)
			}
		})
	}
}

// TestDirectoryInObjectPlace: a directory where a blob belongs is no
// object: an empty one is replaced by the recomputed blob (the run ends
// with the clean outputs); one with files in it is never removed, and the
// run fails (exit 3: the store cannot take the object) saying where.
func TestDirectoryInObjectPlace(t *testing.T) {
	for _, files := range []map[string]string{nil, {"notes.txt": "mine"}} {
		dir := t.TempDir()
		clean := events(t, mustRun(t, dir, nil, "run", "--json").Stdout)
		blob := blobFile(dir, outputs(clean)["a"]["out"])
		if err := os.Remove(blob); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(blob, 0o755); err != nil {
			t.Fatal(err)
		}
		plant(t, blob, files)
		r := runLitho(t, dir, nil, "run", "--json")
		if files != nil {
			if r.Code != 3 || !strings.Contains(r.Stderr, "a directory is where the object belongs") {
				t.Errorf("a directory with files in place: exit %d, want 3 saying so: %s", r.Code, r.Stderr)
			}
			if b, err := os.ReadFile(filepath.Join(blob, "notes.txt")); err != nil || string(b) != "mine" {
				t.Errorf("the directory's file is gone: %v", err)
			}
			continue
		}
		if r.Code != 0 {
			t.Fatalf("exit %d: %s", r.Code, r.Stderr)
		}
		if got, want := outputs(events(t, r.Stdout)), outputs(clean); !equalOutputs(got, want) {
			t.Errorf("outputs %v, want the clean run's %v", got, want)
		}
		if fi, err := os.Lstat(blob); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("the blob is not back in place: %v", err)
		}
	}
}
