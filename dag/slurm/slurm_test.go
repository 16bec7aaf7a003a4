package slurm

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"litho/dag"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fakeSlurm answers sbatch with increasing job ids and squeue with the
// states queued for each poll; it records every command line.
type fakeSlurm struct {
	logs   string
	calls  []string
	nextID int
	polls  []string // squeue outputs, one per call; then empty
}

func (f *fakeSlurm) Output(_ context.Context, env []string, name string, args ...string) ([]byte, error) {
	line := strings.ReplaceAll(strings.Join(append([]string{name}, args...), " "), f.logs, "LOGS")
	if len(env) > 0 {
		line = strings.Join(env, " ") + " " + line
	}
	f.calls = append(f.calls, line)
	switch name {
	case "sbatch":
		f.nextID++
		return []byte(fmt.Sprintf("%d;litho\n", 100+f.nextID)), nil
	case "squeue":
		if len(f.polls) == 0 {
			return nil, nil
		}
		out := f.polls[0]
		f.polls = f.polls[1:]
		return []byte(out), nil
	}
	return nil, nil
}

func newTest(t *testing.T, cfg Config) (*Executor, *fakeSlurm) {
	t.Helper()
	cfg.Logs = t.TempDir()
	cfg.Poll = time.Millisecond
	f := &fakeSlurm{logs: cfg.Logs}
	e, err := New(cfg, f, nil)
	if err != nil {
		t.Fatal(err)
	}
	return e, f
}

const spec = "5e3c1b2a9d8f7e6d5c4b3a29180716253443526170819a0b1c2d3e4f5a6b7c8d"

func batch(parts ...string) *dag.Batch {
	b := &dag.Batch{Stage: "bin", Kind: "bin", Spec: spec}
	for _, p := range parts {
		b.Units = append(b.Units, dag.WorkUnit{Partition: p, Key: "k" + p})
	}
	return b
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestCommandLines pins what reaches Slurm: an array job for a mapped
// stage's partitions with its limit and resources, squeue polls until no
// task is left, one resubmission of the failed task alone, and a plain
// job with a GPU for a whole stage.
func TestCommandLines(t *testing.T) {
	e, f := newTest(t, Config{Worker: []string{"/opt/litho", "--remote", "s3://b/p"}, Retries: 1, Limit: 2,
		Env: []string{"XLA_FLAGS=x"}, Options: []string{"--account=ocean"}, Partition: "debug"})
	f.polls = []string{"101_[2-3%2]|PENDING|JobArrayTaskLimit\n101_0|RUNNING|None\n101_1|COMPLETING|None\n", "101_1|COMPLETED|None\n"}
	b := batch("a", "b", "c", "d")
	b.Resources = dag.Resources{CPUs: 2, Mem: "1G", Time: "10:00"}
	attempts := map[int]int{}
	b.Published = func(_ context.Context, i int) (bool, error) {
		attempts[i]++
		return i != 2 || attempts[i] > 1, nil // unit c fails once
	}
	outs := e.Run(context.Background(), b)
	for i, o := range outs {
		if o.Err != nil {
			t.Errorf("unit %d: %v", i, o.Err)
		}
	}
	if outs[2].Job != "102_2" || outs[0].Job != "101_0" {
		t.Errorf("jobs: %+v", outs)
	}
	train := &dag.Batch{Stage: "train", Kind: "train", Spec: spec, Units: []dag.WorkUnit{{Key: "kt"}},
		Resources: dag.Resources{GPUs: 1, Partition: "gpu"}, Published: func(context.Context, int) (bool, error) { return true, nil }}
	if outs := e.Run(context.Background(), train); outs[0].Err != nil || outs[0].Job != "103" {
		t.Errorf("train: %+v", outs)
	}
	golden(t, "commands.txt", strings.Join(f.calls, "\n")+"\n")
	script, err := os.ReadFile(filepath.Join(e.cfg.Logs, "bin-"+spec[:12]+"-b1.sh"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "bin.sh", string(script))
}

// TestFailurePastRetries: a task that never publishes fails with its log
// path and last line, after Retries+1 submissions; the others succeed.
func TestFailurePastRetries(t *testing.T) {
	e, f := newTest(t, Config{Worker: []string{"litho"}, Retries: 2})
	b := batch("a", "b", "c")
	b.Published = func(_ context.Context, i int) (bool, error) { return i != 1, nil }
	log := filepath.Join(e.cfg.Logs, "bin-103_1.log")
	if err := os.WriteFile(log, []byte("litho: bin b: no rows\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	outs := e.Run(context.Background(), b)
	if outs[0].Err != nil || outs[2].Err != nil {
		t.Fatalf("units a, c: %v, %v", outs[0].Err, outs[2].Err)
	}
	want := "slurm job 103_1 failed (3 attempts); its log: " + log + ": litho: bin b: no rows"
	if outs[1].Err == nil || outs[1].Err.Error() != want {
		t.Errorf("unit b: %v\nwant %s", outs[1].Err, want)
	}
	var submits []string
	for _, c := range f.calls {
		if strings.HasPrefix(c, "sbatch") {
			submits = append(submits, strings.Fields(c)[4])
		}
	}
	if strings.Join(submits, " ") != "--array=0-2 --array=1 --array=1" {
		t.Errorf("submissions: %v", submits)
	}
}

// TestBatchedTasks: with a stage's batch of 2 (over the executor's 1),
// five partitions are three tasks and a failed unit resubmits its whole
// task.
func TestBatchedTasks(t *testing.T) {
	e, f := newTest(t, Config{Worker: []string{"litho"}, Batch: 1, Retries: 1})
	b := batch("a", "b", "c", "d", "e")
	b.Resources.Batch = 2
	seen := map[int]bool{}
	b.Published = func(_ context.Context, i int) (bool, error) {
		ok := i != 3 || seen[i]
		seen[i] = true
		return ok, nil
	}
	outs := e.Run(context.Background(), b)
	for i, o := range outs {
		if o.Err != nil {
			t.Errorf("unit %d: %v", i, o.Err)
		}
	}
	if !strings.Contains(f.calls[0], "--array=0-2 ") || !strings.Contains(f.calls[2], "--array=1 ") {
		t.Errorf("calls: %q", f.calls)
	}
	if outs[3].Job != "102_1" || outs[2].Job != "102_1" || outs[4].Job != "101_2" {
		t.Errorf("jobs: %+v", outs)
	}
}

// TestCancelRunsScancel: a cancelled run cancels the job it submitted.
func TestCancelRunsScancel(t *testing.T) {
	e, f := newTest(t, Config{Worker: []string{"litho"}})
	f.polls = []string{"101|RUNNING|None\n", "101|RUNNING|None\n", "101|RUNNING|None\n"}
	ctx, cancel := context.WithCancel(context.Background())
	b := batch("a")
	b.Published = func(context.Context, int) (bool, error) { return false, nil }
	polls := 0
	e.cmd = cmdFunc(func(c context.Context, env []string, name string, args ...string) ([]byte, error) {
		if name == "squeue" {
			if polls++; polls == 2 {
				cancel()
			}
		}
		return f.Output(c, env, name, args...)
	})
	outs := e.Run(ctx, b)
	if outs[0].Err != context.Canceled {
		t.Errorf("outcome: %v", outs[0].Err)
	}
	if last := f.calls[len(f.calls)-1]; last != "scancel 101" {
		t.Errorf("last command %q, want scancel 101", last)
	}
}

type cmdFunc func(ctx context.Context, env []string, name string, args ...string) ([]byte, error)

func (f cmdFunc) Output(ctx context.Context, env []string, name string, args ...string) ([]byte, error) {
	return f(ctx, env, name, args...)
}

// TestStuckJobFails: a job in a state waiting cannot cure (more CPUs
// than a node has, held, requeued on hold) is cancelled and fails its
// units instead of holding the run forever.
func TestStuckJobFails(t *testing.T) {
	for _, line := range []string{
		"101|PENDING|PartitionConfig",
		"101|PENDING|launch failed requeued held",
		"101|PENDING|JobHeldAdmin",
		"101|REQUEUE_HOLD|None",
	} {
		e, f := newTest(t, Config{Worker: []string{"litho"}, Retries: 3})
		f.polls = []string{"101_0|RUNNING|None\n", line + "\n"}
		b := batch("a")
		b.Published = func(context.Context, int) (bool, error) { return false, nil }
		outs := e.Run(context.Background(), b)
		f2 := strings.Split(line, "|")
		want := "job 101 can never start (" + f2[1] + ", " + f2[2] + "): it asks for more than the partition offers, or it is held"
		if outs[0].Err == nil || outs[0].Err.Error() != want {
			t.Errorf("%s: outcome %v, want %s", line, outs[0].Err, want)
		}
		if last := f.calls[len(f.calls)-1]; last != "scancel 101" {
			t.Errorf("%s: last command %q", line, last)
		}
	}
}

// TestPollFailuresCancel: when squeue keeps failing the job is cancelled
// before the run gives up on it.
func TestPollFailuresCancel(t *testing.T) {
	e, f := newTest(t, Config{Worker: []string{"litho"}})
	e.cmd = cmdFunc(func(c context.Context, env []string, name string, args ...string) ([]byte, error) {
		if name == "squeue" {
			f.calls = append(f.calls, name)
			return nil, fmt.Errorf("squeue: slurm_load_jobs error: Socket timed out")
		}
		return f.Output(c, env, name, args...)
	})
	b := batch("a")
	b.Published = func(context.Context, int) (bool, error) { return false, nil }
	if outs := e.Run(context.Background(), b); outs[0].Err == nil || !strings.Contains(outs[0].Err.Error(), "Socket timed out") {
		t.Errorf("outcome %v", outs[0].Err)
	}
	if last := f.calls[len(f.calls)-1]; last != "scancel 101" {
		t.Errorf("last command %q", last)
	}
}

func TestTaskList(t *testing.T) {
	for _, tc := range []struct {
		tasks []int
		limit int
		want  string
	}{
		{[]int{0}, 0, "0"},
		{[]int{0, 1, 2, 3}, 4, "0-3%4"},
		{[]int{1, 4, 5, 6, 9}, 0, "1,4-6,9"},
	} {
		if got := taskList(tc.tasks, tc.limit); got != tc.want {
			t.Errorf("taskList(%v, %d) = %q, want %q", tc.tasks, tc.limit, got, tc.want)
		}
	}
}
