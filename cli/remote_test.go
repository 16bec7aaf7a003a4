package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"litho/artifacts"
	"litho/artifacts/s3store"
	"litho/artifacts/s3store/s3test"
	"litho/dag"
)

// remoteEnv points litho at a fresh prefix of the test MinIO.
func remoteEnv(t *testing.T) ([]string, s3store.Config) {
	cfg := s3test.Config(t)
	return s3test.CLIEnv(cfg), cfg
}

func mustRun(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	r := runLitho(t, dir, env, args...)
	if r.Code != 0 {
		t.Fatalf("litho %s: exit %d: %s", strings.Join(args, " "), r.Code, r.Stderr)
	}
	return r
}

// outputs maps stage → output name → digest from a run's JSON events.
func outputs(evs []dag.Event) map[string]map[string]string {
	m := map[string]map[string]string{}
	for _, e := range evs {
		if e.Partition == "" {
			m[e.Stage] = e.Outputs
		}
	}
	return m
}

// blobFile is where a local store in dir keeps a blob.
func blobFile(dir, d string) string {
	return filepath.Join(dir, ".litho", "cas", d[:2], d)
}

// TestTwoHosts: host A computes and publishes; host B, with its own
// working directory and local store, runs nothing and, after pulling, has
// the same final outputs byte for byte. --offline ignores the remote.
func TestTwoHosts(t *testing.T) {
	env, _ := remoteEnv(t)
	hostA, hostB, hostC := t.TempDir(), t.TempDir(), t.TempDir()
	a := events(t, mustRun(t, hostA, env, "run", "--json").Stdout)
	if executed(a) == 0 {
		t.Fatal("host A executed nothing")
	}
	b := events(t, mustRun(t, hostB, env, "run", "--json").Stdout)
	if n := executed(b); n != 0 {
		t.Errorf("host B executed %d stages, want 0 (all fetched from the remote)", n)
	}
	outA, outB := outputs(a), outputs(b)
	for _, stage := range []string{"concat", "slow"} {
		if len(outA[stage]) == 0 || !equalMaps(outA[stage], outB[stage]) {
			t.Errorf("%s outputs: host A %v, host B %v", stage, outA[stage], outB[stage])
		}
	}
	pull := mustRun(t, hostB, env, "pull")
	if !strings.Contains(pull.Stdout, "pulled") {
		t.Errorf("pull printed %q", pull.Stdout)
	}
	for _, d := range outA["slow"] {
		fa, errA := os.ReadFile(blobFile(hostA, d))
		fb, errB := os.ReadFile(blobFile(hostB, d))
		if errA != nil || errB != nil || !bytes.Equal(fa, fb) {
			t.Errorf("final output %s: host A %v, host B %v (equal %v)", d[:12], errA, errB, bytes.Equal(fa, fb))
		}
	}
	c := events(t, mustRun(t, hostC, env, "run", "--offline", "--json").Stdout)
	if executed(c) != executed(a) {
		t.Errorf("offline host executed %d stages, want all %d: the remote must not be used", executed(c), executed(a))
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestTwoHostsConcurrently: two hosts run the pipeline against one bucket
// at the same time; both succeed and a third host then runs nothing.
func TestTwoHostsConcurrently(t *testing.T) {
	env, cfg := remoteEnv(t)
	dirs := []string{t.TempDir(), t.TempDir()}
	var wg sync.WaitGroup
	res := make([]result, len(dirs))
	for i, dir := range dirs {
		wg.Go(func() { res[i] = runLitho(t, dir, env, "run", "--json") })
	}
	wg.Wait()
	for i, r := range res {
		if r.Code != 0 {
			t.Fatalf("host %d: exit %d: %s", i, r.Code, r.Stderr)
		}
	}
	if n := executed(events(t, mustRun(t, t.TempDir(), env, "run", "--json").Stdout)); n != 0 {
		t.Errorf("third host executed %d stages after two concurrent hosts, want 0", n)
	}
	checkRemoteComplete(t, cfg)
}

// checkRemoteComplete asserts that every record in the bucket names blobs
// that are there and verify.
func checkRemoteComplete(t *testing.T, cfg s3store.Config) {
	t.Helper()
	ctx := context.Background()
	be, err := s3store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	st := artifacts.NewStore(be)
	var keys []string
	be.List(ctx, artifacts.Records, func(i artifacts.Info) error { keys = append(keys, i.Name); return nil })
	if len(keys) == 0 {
		t.Fatal("no records in the bucket")
	}
	for _, k := range keys {
		rec, ok, err := dag.LoadRecord(ctx, st, k, nil)
		if err != nil || !ok {
			t.Fatalf("record %s: %v", k, err)
		}
		for _, d := range rec.Digests() {
			if _, err := st.ReadAll(ctx, d); err != nil {
				t.Errorf("record %s names %s: %v", k, d.Short(), err)
			}
		}
	}
}

// TestPushThenGCRemote: results computed offline are published by push;
// gc --remote with a zero-ish grace period then keeps what the current
// pipeline reaches and deletes what only another parameter set reached.
func TestPushThenGCRemote(t *testing.T) {
	env, _ := remoteEnv(t)
	offline, other := t.TempDir(), t.TempDir()
	mustRun(t, offline, env, "run", "--offline", "--json")
	push := mustRun(t, offline, env, "push")
	if !strings.Contains(push.Stdout, "pushed") {
		t.Errorf("push printed %q", push.Stdout)
	}
	if n := executed(events(t, mustRun(t, t.TempDir(), env, "run", "--json").Stdout)); n != 0 {
		t.Errorf("after push, a new host executed %d stages, want 0", n)
	}
	mustRun(t, other, env, "run", "--set", "source.n=5", "--json")

	dry := mustRun(t, offline, env, "gc", "--remote", "--grace", "1ns")
	if !strings.Contains(dry.Stdout, "would delete") {
		t.Errorf("gc --remote without --yes printed %q", dry.Stdout)
	}
	mustRun(t, offline, env, "gc", "--remote", "--grace", "1ns", "--yes")
	if n := executed(events(t, mustRun(t, t.TempDir(), env, "run", "--json").Stdout)); n != 0 {
		t.Errorf("after gc, the current pipeline executed %d stages on a new host, want 0", n)
	}
	if n := executed(events(t, mustRun(t, t.TempDir(), env, "run", "--set", "source.n=5", "--json").Stdout)); n == 0 {
		t.Error("after gc, the other parameter set's results are still on the remote")
	}
}

// TestNoCredentialsLeak: with debug logging, no credential value appears
// in litho's output, in any record or run log (local or remote), nor in
// the error when the secret is wrong.
func TestNoCredentialsLeak(t *testing.T) {
	env, cfg := remoteEnv(t)
	secrets := []string{os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")}
	dir := t.TempDir()
	r := mustRun(t, dir, env, "--log-level", "debug", "run", "--json")
	out := r.Stdout + r.Stderr
	bad := runLitho(t, t.TempDir(), append(env, "AWS_SECRET_ACCESS_KEY=wrong-"+secrets[1]), "--log-level", "debug", "run")
	if bad.Code != 3 {
		t.Errorf("run with a wrong secret: exit %d, want 3 (store unavailable): %s", bad.Code, bad.Stderr)
	}
	out += bad.Stdout + bad.Stderr
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("a credential value appears in litho's output")
		}
	}
	filepath.WalkDir(filepath.Join(dir, ".litho"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains a credential value", p)
			}
		}
		return nil
	})
	be, err := s3store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range []artifacts.Namespace{artifacts.Records, artifacts.Runs, artifacts.Blobs} {
		be.List(context.Background(), ns, func(i artifacts.Info) error {
			rc, err := be.Open(context.Background(), ns, i.Name)
			if err != nil {
				return err
			}
			defer rc.Close()
			var buf bytes.Buffer
			buf.ReadFrom(rc)
			for _, s := range secrets {
				if bytes.Contains(buf.Bytes(), []byte(s)) {
					t.Errorf("remote %s/%s contains a credential value", ns, i.Name)
				}
			}
			return nil
		})
	}
}

// TestStoreBlockConfiguresRemote: the pipeline's store block alone (no
// flags, no LITHO_* variables) puts the remote behind the local store.
func TestStoreBlockConfiguresRemote(t *testing.T) {
	cfg := s3test.Config(t)
	src := string(testPipeline) + fmt.Sprintf("\nstore {\n  remote = %q\n  endpoint = %q\n  insecure = true\n}\n", cfg.URL, cfg.Endpoint)
	hostA, hostB := t.TempDir(), t.TempDir()
	writePipeline(t, hostA, src)
	writePipeline(t, hostB, src)
	if n := executed(events(t, mustRun(t, hostA, nil, "run", "--json").Stdout)); n == 0 {
		t.Fatal("host A executed nothing")
	}
	if n := executed(events(t, mustRun(t, hostB, nil, "run", "--json").Stdout)); n != 0 {
		t.Errorf("host B executed %d stages, want 0", n)
	}
}

// TestKilledRunWithRemote: a run killed in the middle of a stage leaves
// the bucket consistent (every record's blobs present), and a run on
// another host then executes only the interrupted stage.
func TestKilledRunWithRemote(t *testing.T) {
	env, cfg := remoteEnv(t)
	killDuringSlow(t, t.TempDir(), env)
	checkRemoteComplete(t, cfg)

	st := stageStatus(events(t, mustRun(t, t.TempDir(), env, "run", "--json").Stdout))
	for name, want := range map[string]string{"a": "cached", "map": "cached", "concat": "cached", "slow": "ran"} {
		if st[name] != want {
			t.Errorf("%s: %s on the second host, want %s", name, st[name], want)
		}
	}
}
