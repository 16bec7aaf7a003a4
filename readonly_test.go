package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"litho/artifacts"
	"litho/artifacts/s3store"
	"litho/artifacts/s3store/s3test"
	"litho/artifacts/storetest"
)

// readOnly are the commands that must leave the local store and the
// bucket as they found them, with what each needs to do real work. A
// command may fail (nothing to show yet); it still must not write.
func readOnlyCommands(data, out string) [][]string {
	return [][]string{
		{"status"},
		{"status", "--json"},
		{"status", "--data", data},
		{"why", "train"},
		{"why", "--data", data, "bin"},
		{"show", "train"},
		{"dag"},
		{"export", "--out", filepath.Join(out, "bins"), "--format", "csv", "bin", "bins"},
		{"metrics", "show"},
		{"check"},
		{"report", "--out", filepath.Join(out, "report.html")},
		{"gc"},
		{"gc", "--remote"},
		{"verify"},
		{"verify", "--remote"},
		{"compare"},
	}
}

// TestReadOnlyCommandsWriteNothing: on an empty store and bucket, and
// again after a run was pushed, every read-only command leaves the local
// store and the bucket byte-identical (names, bytes and modification
// times), and push leaves the local store and the bucket's content as
// they were once everything is there.
func TestReadOnlyCommandsWriteNothing(t *testing.T) {
	cfg := s3test.Config(t)
	env := s3test.CLIEnv(cfg)
	bucket, err := s3store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer bucket.Close()
	dir, out := t.TempDir(), t.TempDir()
	smallPipeline(t, dir)
	data := filepath.Join(out, "lily")
	if r := lithoEnv(t, dir, env, "synth", "--out", data, "--boreholes", "8", "--seed", "2"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	store := filepath.Join(dir, ".litho")
	check := func(when string, args ...string) {
		t.Helper()
		local, remote := storetest.Snapshot(t, store, "lock"), bucketSnapshot(t, bucket, true)
		r := lithoEnv(t, dir, env, args...)
		if r.Code > 2 {
			t.Errorf("%s: litho %s: exit %d: %s", when, strings.Join(args, " "), r.Code, r.Stderr)
		}
		if d := storetest.Changed(local, storetest.Snapshot(t, store, "lock")); len(d) > 0 {
			t.Errorf("%s: litho %s changed the local store: %v", when, strings.Join(args, " "), d)
		}
		if d := storetest.Changed(remote, bucketSnapshot(t, bucket, true)); len(d) > 0 {
			t.Errorf("%s: litho %s changed the bucket: %v", when, strings.Join(args, " "), d)
		}
	}
	for _, args := range readOnlyCommands(data, out) {
		check("empty store", args...)
	}
	for _, args := range [][]string{{"run"}, {"push"}} {
		if r := lithoEnv(t, dir, env, args...); r.Code != 0 {
			t.Fatalf("litho %s: exit %d: %s", args[0], r.Code, r.Stderr)
		}
	}
	for _, args := range readOnlyCommands(data, out) {
		check("after a run", args...)
	}
	local, content := storetest.Snapshot(t, store, "lock"), bucketSnapshot(t, bucket, false)
	if r := lithoEnv(t, dir, env, "push"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	if d := storetest.Changed(local, storetest.Snapshot(t, store, "lock")); len(d) > 0 {
		t.Errorf("push changed the local store: %v", d)
	}
	if d := storetest.Changed(content, bucketSnapshot(t, bucket, false)); len(d) > 0 {
		t.Errorf("a second push changed the bucket's content: %v", d)
	}
}

// smallPipeline writes the default pipeline, shrunk to run in seconds.
func smallPipeline(t *testing.T, dir string) {
	t.Helper()
	src := bytes.Replace(defaultPipeline, []byte("boreholes = 60"), []byte("boreholes = 12"), 1)
	src = bytes.Replace(src, []byte("latent_dim = 10"), []byte("latent_dim = 10\n  max_epochs = 2"), 1)
	if bytes.Equal(src, defaultPipeline) {
		t.Fatal("the default pipeline no longer has the settings this test shrinks")
	}
	if err := os.WriteFile(filepath.Join(dir, "pipeline.hcl"), src, 0o644); err != nil {
		t.Fatal(err)
	}
}

// bucketSnapshot maps every object of the bucket's prefix to a digest of
// its bytes and, with times, its modification time.
func bucketSnapshot(t *testing.T, be *s3store.Backend, times bool) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, ns := range []artifacts.Namespace{artifacts.Blobs, artifacts.Records, artifacts.Runs} {
		err := be.List(ctx, ns, func(i artifacts.Info) error {
			rc, err := be.Open(ctx, ns, i.Name)
			if err != nil {
				return err
			}
			defer rc.Close()
			h := sha256.New()
			if _, err := io.Copy(h, rc); err != nil {
				return err
			}
			v := fmt.Sprintf("%x", h.Sum(nil))
			if times {
				v += " " + i.ModTime.String()
			}
			out[string(ns)+"/"+i.Name] = v
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}
