package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"litho/artifacts"
	"litho/artifacts/s3store"
	"litho/dag"
	"litho/dag/dagtest"
	"litho/dag/slurm/slurmtest"
)

// flakyPipeline maps the flaky kind over split's three partitions,
// through a one-node Slurm.
func flakyPipeline(t *testing.T, dir string, retries int) {
	t.Helper()
	src := fmt.Sprintf(`executor "slurm" {
  retries = %d
  poll    = "200ms"
}
source "gen" {}
stage "split" "split" {
  inputs = { in = source.data }
}
stage "flaky" "flaky" {
  inputs = { in = split.parts }
}
`, retries)
	if err := os.WriteFile(filepath.Join(dir, "pipeline.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// slurmEnv is the environment of a driver over a fresh bucket prefix.
func slurmEnv(t *testing.T) ([]string, s3store.Config) {
	t.Helper()
	slurmtest.Require(t)
	return remoteEnv(t)
}

// TestSlurmKilledWorkerLeavesNoRecord: a worker killed between its two
// uploads fails its task and publishes no record (its first output is in
// the bucket, unreferenced); the next attempt completes, and the bucket
// verifies.
func TestSlurmKilledWorkerLeavesNoRecord(t *testing.T) {
	env, cfg := slurmEnv(t)
	dir := t.TempDir()
	flakyPipeline(t, dir, 0)
	env = append(env, dagtest.FlakyEnv+"="+t.TempDir(), dagtest.FlakyPartEnv+"=b")

	r := runLitho(t, dir, env, "run", "--json")
	if r.Code == 0 {
		t.Fatalf("the run with a killed worker succeeded:\n%s", r.Stdout)
	}
	evs := events(t, r.Stdout)
	b := dagtest.PartEvent(evs, "flaky", "b")
	if b.Status != dag.StatusFailed || !strings.Contains(b.Error, "its log: "+filepath.Join(dir, ".litho-jobs", "flaky-")) {
		t.Fatalf("flaky/b: %+v", b)
	}
	bucket, err := s3store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer bucket.Close()
	if _, err := bucket.Stat(context.Background(), artifacts.Records, b.Key); err == nil {
		t.Error("the killed worker's partition has a record in the bucket")
	}
	if _, err := bucket.Stat(context.Background(), artifacts.Blobs, string(artifacts.DigestBytes([]byte("f(x:3/b)")))); err != nil {
		t.Errorf("the killed worker's first output is not in the bucket (was it killed mid-upload?): %v", err)
	}
	a := dagtest.PartEvent(evs, "flaky", "a")
	if a.Status != dag.StatusRan {
		t.Errorf("flaky/a: %s", a.Status)
	}
	// The worker's record names the job that produced it.
	rc, err := bucket.Open(context.Background(), artifacts.Records, a.Key)
	if err != nil {
		t.Fatal(err)
	}
	var rec dag.Record
	err = json.NewDecoder(rc).Decode(&rec)
	rc.Close()
	if err != nil || rec.Notes["slurm_job"] != a.Job {
		t.Errorf("flaky/a's record: notes %v (%v), want slurm_job %s", rec.Notes, err, a.Job)
	}

	r = runLitho(t, dir, env, "run", "--json")
	if r.Code != 0 {
		t.Fatalf("the retry failed: %s\n%s", r.Stderr, r.Stdout)
	}
	evs = events(t, r.Stdout)
	if st := dagtest.PartEvent(evs, "flaky", "b").Status; st != dag.StatusRan {
		t.Errorf("retry: flaky/b %s", st)
	}
	if st := dagtest.PartEvent(evs, "flaky", "a").Status; st != dag.StatusCached {
		t.Errorf("retry: flaky/a %s, want cached", st)
	}
	if r := runLitho(t, dir, env, "verify", "--remote"); r.Code != 0 {
		t.Errorf("verify --remote: exit %d: %s%s", r.Code, r.Stdout, r.Stderr)
	}
}

// TestSlurmRetriesFailedPartitionAlone: with retries = 1 the failing
// partition is resubmitted alone, then fails the run naming its log; the
// other partitions stay recorded, so a rerun without the fault submits
// that partition only.
func TestSlurmRetriesFailedPartitionAlone(t *testing.T) {
	env, _ := slurmEnv(t)
	dir := t.TempDir()
	flakyPipeline(t, dir, 1)

	r := runLitho(t, dir, append(env, dagtest.FailPartEnv+"=c"), "run", "--json")
	if r.Code == 0 {
		t.Fatal("the run with an always failing partition succeeded")
	}
	evs := events(t, r.Stdout)
	first := strings.Split(dagtest.PartEvent(evs, "flaky", "a").Job, "_")[0]
	c := dagtest.PartEvent(evs, "flaky", "c")
	if c.Status != dag.StatusFailed || strings.HasPrefix(c.Job, first+"_") || !strings.Contains(c.Error, "(2 attempts)") {
		t.Fatalf("flaky/c: %+v (first job %s)", c, first)
	}
	log := c.Error[strings.Index(c.Error, "its log: ")+len("its log: "):]
	log, _, _ = strings.Cut(log, ": ")
	if b, err := os.ReadFile(log); err != nil || !strings.Contains(string(b), "deliberate failure of partition c") {
		t.Errorf("log %s: %v\n%s", log, err, b)
	}
	for _, p := range []string{"a", "b"} {
		if ev := dagtest.PartEvent(evs, "flaky", p); ev.Status != dag.StatusRan || !strings.HasPrefix(ev.Job, first+"_") {
			t.Errorf("flaky/%s: %+v", p, ev)
		}
	}

	r = runLitho(t, dir, env, "run", "--json")
	if r.Code != 0 {
		t.Fatalf("rerun: %s", r.Stderr)
	}
	submitted := map[string]string{}
	for _, ev := range events(t, r.Stdout) {
		if ev.Job != "" {
			submitted[ev.Stage+"/"+ev.Partition] = ev.Job
		}
	}
	if len(submitted) != 1 || submitted["flaky/c"] == "" {
		t.Errorf("rerun submitted %v, want flaky/c alone", submitted)
	}
}

// TestSlurmInterruptCancelsJobs: Ctrl-C on the driver cancels the job it
// submitted (the worker would wait forever) and exits 130.
func TestSlurmInterruptCancelsJobs(t *testing.T) {
	env, _ := slurmEnv(t)
	dir := t.TempDir()
	src := "executor \"slurm\" {\n  poll = \"200ms\"\n}\nsource \"gen\" {}\nstage \"block\" \"hang\" {\n  inputs = { in = source.data }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "pipeline.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := litho(t, dir, append(env, dagtest.BlockEnv+"=1"), "run")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	job := ""
	for deadline := time.Now().Add(60 * time.Second); job == "" && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		b, _ := exec.Command("squeue", "-h", "-n", "litho-hang", "-t", "RUNNING", "-o", "%i").Output()
		job = strings.TrimSpace(string(b))
	}
	if job == "" {
		cmd.Process.Kill()
		t.Fatalf("the job never ran:\n%s", out.String())
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); cmd.ProcessState.ExitCode() != 130 {
		t.Errorf("driver: %v (exit %d), want exit 130:\n%s", err, cmd.ProcessState.ExitCode(), out.String())
	}
	// scancel's SIGTERM ends the job; it is COMPLETING briefly, then CANCELLED.
	state := ""
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if state = slurmtest.ShowJob(t, job); strings.Contains(state, "JobState=CANCELLED") {
			return
		}
	}
	t.Errorf("job %s after Ctrl-C:\n%s", job, state)
}
