package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"litho/artifacts/s3store/s3test"
	"litho/cli/clitest"
	"litho/dag"
	"litho/dag/dagtest"
	"litho/dag/slurm/slurmtest"
)

// slurmProject writes the small default pipeline into a new directory,
// with extra HCL appended, and returns the directory.
func slurmProject(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	smallPipeline(t, dir)
	f, err := os.OpenFile(filepath.Join(dir, "pipeline.hcl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("\n" + extra); err != nil {
		t.Fatal(err)
	}
	return dir
}

// fastSlurm polls the one-node cluster often: its jobs take seconds.
const fastSlurm = `executor "slurm" {
  poll = "200ms"
}
`

// slurmData is a bucket prefix's environment and generated LILY files.
func slurmData(t *testing.T) (env []string, data string) {
	t.Helper()
	slurmtest.Require(t)
	cfg := s3test.Config(t)
	env = s3test.CLIEnv(cfg)
	data = filepath.Join(t.TempDir(), "lily")
	if r := litho(t, t.TempDir(), "synth", "--out", data, "--boreholes", "12", "--seed", "3"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	return env, data
}

func runEvents(t *testing.T, dir string, env []string, args ...string) []dag.Event {
	t.Helper()
	r := lithoEnv(t, dir, env, args...)
	if r.Code != 0 {
		t.Fatalf("litho %s: exit %d:\n%s\n%s", strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
	}
	return clitest.Events(t, r.Stdout)
}

// jobs maps "stage" and "stage/partition" to the Slurm job that ran it.
func jobs(evs []dag.Event) map[string]string {
	out := map[string]string{}
	for _, e := range evs {
		if e.Job != "" {
			out[strings.TrimSuffix(e.Stage+"/"+e.Partition, "/")] = e.Job
		}
	}
	return out
}

// TestSlurmMatchesLocal: the default pipeline through Slurm ends with
// the outputs of a local run, byte for byte (metrics included); bin's
// partitions go out as one array job; a second run submits nothing; an
// edited borehole submits one bin task, and train only if the scale
// outputs it reads changed.
func TestSlurmMatchesLocal(t *testing.T) {
	env, data := slurmData(t)
	local := runEvents(t, slurmProject(t, ""), nil, "run", "--json", "--data", data)
	dir := slurmProject(t, fastSlurm)
	first := runEvents(t, dir, env, "run", "--json", "--data", data)
	for _, e := range local {
		if e.Partition != "" {
			continue
		}
		if got := dagtest.StageEvent(first, e.Stage); fmt.Sprint(got.Outputs) != fmt.Sprint(e.Outputs) {
			t.Errorf("%s: through Slurm %v, locally %v", e.Stage, got.Outputs, e.Outputs)
		}
	}
	js := jobs(first)
	arrays := map[string]int{}
	for name, job := range js {
		if strings.HasPrefix(name, "bin/") {
			arrays[strings.Split(job, "_")[0]]++
		}
	}
	if len(arrays) != 1 || js["ingest"] != "" || js["train"] == "" {
		t.Errorf("jobs: %v (bin's array jobs %v)", js, arrays)
	}

	if again := jobs(runEvents(t, dir, env, "run", "--json", "--data", data)); len(again) > 0 {
		t.Errorf("a second run submitted %v", again)
	}
	bh := editTestBorehole(t, filepath.Join(data, "GRA_DataLITH.csv"), clitest.Statuses(first))
	edited := runEvents(t, dir, env, "run", "--json", "--data", data)
	js = jobs(edited)
	var bins []string
	for name := range js {
		if strings.HasPrefix(name, "bin/") {
			bins = append(bins, name)
		}
	}
	if len(bins) != 1 || bins[0] != "bin/"+bh {
		t.Errorf("after editing %s, bin tasks %v", bh, bins)
	}
	was, now := dagtest.StageEvent(first, "scale").Outputs, dagtest.StageEvent(edited, "scale").Outputs
	scaleChanged := was["train"] != now["train"] || was["val"] != now["val"]
	if trained := js["train"] != ""; trained != scaleChanged {
		t.Errorf("train submitted: %v, the scale outputs it reads changed: %v", trained, scaleChanged)
	}
}

// TestSlurmTrainAsksForGPU: train's jobs request the GPU gres, so two
// trainings on the node's one fake GPU queue: one waits while the other
// runs. That both asked for the GPU and never ran at once is what tests
// the GPU; seeing one pending while the other ran shows that they were
// queued together (pending for Resources, or for Priority while the cli
// package's Slurm tests share the node).
func TestSlurmTrainAsksForGPU(t *testing.T) {
	env, data := slurmData(t)
	dir := slurmProject(t, fastSlurm+`stage "train" "train2" {
  inputs = {
    train = scale.train
    val   = scale.val
  }
  seed = 2
}
`)
	stop := make(chan struct{})
	var seen queueWatch
	var wg sync.WaitGroup
	wg.Go(func() { seen.watch(t, stop) })
	evs := runEvents(t, dir, env, "run", "--json", "--data", data)
	close(stop)
	wg.Wait()
	js := jobs(evs)
	if js["train"] == "" || js["train2"] == "" {
		t.Fatalf("jobs %v", js)
	}
	for _, j := range []string{js["train"], js["train2"]} {
		if !strings.Contains(seen.shown[j], "gres/gpu=1") && !strings.Contains(seen.shown[j], "gres:gpu:1") {
			t.Errorf("job %s does not ask for a GPU:\n%s", j, seen.shown[j])
		}
	}
	if seen.both {
		t.Error("two trainings ran at once on one GPU")
	}
	if !seen.queued {
		t.Errorf("never saw a training pending while the other ran; squeue showed, in turn: %q", seen.states)
	}
}

// queueWatch polls squeue for train jobs while a run goes on.
type queueWatch struct {
	shown  map[string]string // job → scontrol show job, while it was known
	both   bool              // two trains RUNNING at once
	queued bool              // one RUNNING, one PENDING
	states []string          // squeue's successive distinct answers, for a failure's message
}

func (q *queueWatch) watch(t *testing.T, stop chan struct{}) {
	q.shown = map[string]string{}
	for {
		select {
		case <-stop:
			return
		case <-time.After(100 * time.Millisecond):
		}
		out, err := exec.Command("squeue", "-h", "-n", "litho-train,litho-train2", "-o", "%i %T %r").Output()
		if err != nil {
			continue
		}
		running, pending := 0, 0
		for line := range strings.Lines(string(out)) {
			f := strings.Fields(line)
			if len(f) < 3 {
				continue
			}
			if _, ok := q.shown[f[0]]; !ok {
				if b, err := exec.Command("scontrol", "show", "job", f[0]).Output(); err == nil {
					q.shown[f[0]] = string(b)
				}
			}
			switch {
			case f[1] == "RUNNING":
				running++
			case f[1] == "PENDING":
				pending++
			}
		}
		if snap := strings.TrimSpace(string(out)); len(q.states) == 0 || q.states[len(q.states)-1] != snap {
			q.states = append(q.states, snap)
		}
		q.both = q.both || running > 1
		q.queued = q.queued || (running == 1 && pending == 1)
	}
}

// TestSlurmAndLaptopShareBucket: a laptop run and a Slurm run of one
// pipeline against one bucket at once both succeed, compute each key at
// most twice between them, and leave records a third host trusts: its
// run is fully cached and the bucket verifies.
func TestSlurmAndLaptopShareBucket(t *testing.T) {
	env, data := slurmData(t)
	laptop, cluster := slurmProject(t, ""), slurmProject(t, fastSlurm)
	var wg sync.WaitGroup
	results := make([]clitest.Result, 2)
	for i, args := range [][]string{
		{"run", "--json", "--data", data},
		{"run", "--json", "--data", data, "--executor", "slurm"},
	} {
		dir := []string{laptop, cluster}[i]
		cmd := clitest.Command(t, mainEnv, dir, env, args...)
		wg.Go(func() {
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			results[i] = clitest.Result{Code: cmd.ProcessState.ExitCode(), Stdout: out.String(), Stderr: errb.String()}
			if err != nil && cmd.ProcessState == nil {
				results[i].Code, results[i].Stderr = -1, err.Error()
			}
		})
	}
	wg.Wait()
	computed := map[string]int{}
	for i, r := range results {
		if r.Code != 0 {
			t.Fatalf("run %d: exit %d:\n%s", i, r.Code, r.Stderr)
		}
		for _, e := range clitest.Events(t, r.Stdout) {
			if e.Status == dag.StatusRan || e.Status == dag.StatusCutoff {
				computed[e.Key]++
			}
		}
	}
	for key, n := range computed {
		if n > 2 {
			t.Errorf("key %s computed %d times", key[:12], n)
		}
	}
	for _, e := range runEvents(t, slurmProject(t, ""), env, "run", "--json", "--data", data) {
		if e.Stage != dag.SourceName && e.Status != dag.StatusCached {
			t.Errorf("third host: %s %s %s", e.Stage, e.Partition, e.Status)
		}
	}
	if r := lithoEnv(t, t.TempDir(), env, "verify", "--remote"); r.Code != 0 {
		t.Errorf("verify --remote: exit %d: %s%s", r.Code, r.Stdout, r.Stderr)
	}
}
