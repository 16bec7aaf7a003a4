package dag_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"litho/artifacts"
	"litho/dag"
	"litho/dag/dagtest"
)

// inlineExecutor stands for a cluster: each unit runs through Work, as
// `litho exec` would, on a runner over its own store view; it records the
// batches it was given.
type inlineExecutor struct {
	h       *harness
	mu      sync.Mutex
	batches []string // "stage:units"
	fail    map[string]bool
}

func (e *inlineExecutor) Run(ctx context.Context, b *dag.Batch) []dag.Outcome {
	e.mu.Lock()
	e.batches = append(e.batches, fmt.Sprintf("%s:%d", b.Stage, len(b.Units)))
	e.mu.Unlock()
	spec, err := dag.LoadWorkSpec(ctx, e.h.store, b.Spec)
	out := make([]dag.Outcome, len(b.Units))
	for i, u := range b.Units {
		out[i].Job = fmt.Sprintf("job%d", i)
		if err != nil {
			out[i].Err = err
			continue
		}
		if e.fail[u.Partition] {
			out[i].Err = fmt.Errorf("worker died")
			continue
		}
		w := &dag.Runner{Store: e.h.store, Fingerprints: artifacts.NewFingerprinter(""), TempBase: e.h.local.TempDir()}
		out[i].Err = w.Work(ctx, e.h.reg, spec, []int{i})
	}
	return out
}

func (h *harness) runWith(ex dag.Executor, p *dag.Pipeline) (int, error) {
	h.t.Helper()
	before := h.c.Total()
	h.events = nil
	r := &dag.Runner{Store: h.store, Fingerprints: artifacts.NewFingerprinter(""), Jobs: 2, Executor: ex,
		TempBase: h.local.TempDir(), OnEvent: func(e dag.Event) { h.events = append(h.events, e) }}
	_, err := r.Run(context.Background(), p, dag.Options{})
	return h.c.Total() - before, err
}

// TestExecutorRunsWhatMisses: through an executor the mapped stage's
// three partitions go out as one batch, the outputs equal a local run's,
// a second run sends nothing, and a bumped partition goes out alone.
func TestExecutorRunsWhatMisses(t *testing.T) {
	local := newHarness(t)
	if _, err := local.run(context.Background(), local.parse(partitioned), dag.Options{}); err != nil {
		t.Fatal(err)
	}
	want := local.events

	h := newHarness(t)
	ex := &inlineExecutor{h: h}
	if _, err := h.runWith(ex, h.parse(partitioned)); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ex.batches); got != "[source:1 split:1 map:3 concat:1]" {
		t.Errorf("batches %s", got)
	}
	for _, stage := range []string{"split", "map", "concat"} {
		if g, w := dagtest.StageEvent(h.events, stage), dagtest.StageEvent(want, stage); fmt.Sprint(g.Outputs) != fmt.Sprint(w.Outputs) || g.Key != w.Key {
			t.Errorf("%s: through the executor %v %s, locally %v %s", stage, g.Outputs, g.Key, w.Outputs, w.Key)
		}
	}
	if ev := dagtest.PartEvent(h.events, "map", "b"); ev.Job != "job1" || ev.Status != dag.StatusRan {
		t.Errorf("map/b: %+v", ev)
	}

	ex.batches = nil
	if n, err := h.runWith(ex, h.parse(partitioned)); err != nil || n != 0 || len(ex.batches) != 0 {
		t.Errorf("second run: %d executions, batches %v, err %v", n, ex.batches, err)
	}
	if _, err := h.runWith(ex, h.parse(partitioned, "split.bump=b")); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ex.batches); got != "[split:1 map:1 concat:1]" {
		t.Errorf("after bumping b: batches %s", got)
	}
}

// TestExecutorFailureKeepsOthers: a unit that publishes nothing fails
// the stage with the executor's reason; the other partitions stay
// recorded, so the rerun sends only the failed one.
func TestExecutorFailureKeepsOthers(t *testing.T) {
	h := newHarness(t)
	ex := &inlineExecutor{h: h, fail: map[string]bool{"b": true}}
	if _, err := h.runWith(ex, h.parse(partitioned)); err == nil {
		t.Fatal("run succeeded with a dead worker")
	}
	if ev := dagtest.PartEvent(h.events, "map", "b"); ev.Status != dag.StatusFailed || ev.Error != "worker died" || ev.Job != "job1" {
		t.Errorf("map/b: %+v", ev)
	}
	ex.fail, ex.batches = nil, nil
	if _, err := h.runWith(ex, h.parse(partitioned)); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ex.batches); got != "[map:1 concat:1]" {
		t.Errorf("rerun batches %s", got)
	}
}

// TestWorkRefusesOtherVersions: a spec from a build whose kind version
// differs is refused before anything runs.
func TestWorkRefusesOtherVersions(t *testing.T) {
	h := newHarness(t)
	spec := &dag.WorkSpec{Stage: "a", Kind: "upper", Version: "0", Units: []dag.WorkUnit{{Key: "k"}}}
	w := &dag.Runner{Store: h.store, TempBase: h.local.TempDir()}
	err := w.Work(context.Background(), h.reg, spec, []int{0})
	want := "work spec for stage a: kind upper version 0, but this litho's upper is version 1: run one litho build on the driver and the nodes"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if h.c.Total() != 0 {
		t.Error("a refused spec ran")
	}
}

// TestExecutorAndResourcesBlocks: the executor block's settings and a
// stage's resources block over its kind's defaults, and no key change.
func TestExecutorAndResourcesBlocks(t *testing.T) {
	h := newHarness(t)
	p := h.parse(`executor "slurm" {
  retries = 2
  limit   = 8
  poll    = "500ms"
  env     = { A = "1" }
}
` + linear + `
stage "upper" "d" {
  inputs = { in = c.out }
  resources {
    cpus = 4
    mem  = "2G"
    gpus = 1
    batch = 4
  }
}
`)
	e := p.Executor
	if e.Kind != "slurm" || e.Retries != 2 || e.Limit != 8 || e.Batch != 1 || e.PollInterval() != 500*time.Millisecond || e.Env["A"] != "1" {
		t.Errorf("executor %+v", e)
	}
	d, _ := p.Node("d")
	if d.Resources != (dag.Resources{CPUs: 4, Mem: "2G", GPUs: 1, Batch: 4}) {
		t.Errorf("resources %+v", d.Resources)
	}
	bare := h.parse(linear + `
stage "upper" "d" {
  inputs = { in = c.out }
}
`)
	in := map[string]dag.OutputRecord{"in": {Digest: "ab"}}
	bd, _ := bare.Node("d")
	if with, without := dag.Fields(d, in).Key(), dag.Fields(bd, in).Key(); with != without {
		t.Errorf("the resources block changed d's key: %s, without it %s", with[:12], without[:12])
	}
}

// TestWorkSkipsPublished: a worker whose unit another host has published
// meanwhile runs nothing and succeeds.
func TestWorkSkipsPublished(t *testing.T) {
	h := newHarness(t)
	ex := &inlineExecutor{h: h}
	if _, err := h.runWith(ex, h.parse(partitioned)); err != nil {
		t.Fatal(err)
	}
	before := h.c.Total()
	var spec *dag.WorkSpec
	for _, e := range h.events {
		if e.Stage == "map" && e.Partition == "a" {
			spec = &dag.WorkSpec{Stage: "map", Kind: "mapper", Version: "1", Units: []dag.WorkUnit{{Partition: "a", Key: e.Key}}}
		}
	}
	split := dagtest.StageEvent(h.events, "split")
	rec, _, err := dag.LoadRecord(context.Background(), h.store, split.Key, nil)
	if err != nil || spec == nil {
		t.Fatal(err, spec)
	}
	spec.Inputs = map[string]dag.OutputRecord{"in": rec.Outputs["parts"]}
	w := &dag.Runner{Store: h.store, TempBase: h.local.TempDir()}
	if err := w.Work(context.Background(), h.reg, spec, []int{0}); err != nil {
		t.Fatal(err)
	}
	if h.c.Total() != before {
		t.Error("the worker reran a published unit")
	}
	spec.Units[0].Key = "0" + spec.Units[0].Key[1:]
	if err := w.Work(context.Background(), h.reg, spec, []int{0}); err == nil || !strings.Contains(err.Error(), "where the driver computed") {
		t.Errorf("a unit whose key this build computes differently: %v", err)
	}
}

// TestWorkRunsTheTaskToTheEnd: a unit that fails does not keep the
// task's later units from running and publishing.
func TestWorkRunsTheTaskToTheEnd(t *testing.T) {
	h := newHarness(t)
	p := h.parse(partitioned)
	if _, err := h.run(context.Background(), p, dag.Options{To: "split"}); err != nil {
		t.Fatal(err)
	}
	rec, _, err := dag.LoadRecord(context.Background(), h.store, dagtest.StageEvent(h.events, "split").Key, nil)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := p.Node("map")
	inputs := map[string]dag.OutputRecord{"in": rec.Outputs["parts"]}
	spec := &dag.WorkSpec{Stage: "map", Kind: "mapper", Version: "1", Inputs: inputs}
	for _, part := range []string{"a", "zz", "c"} { // zz is no partition of split's: its input is missing
		spec.Units = append(spec.Units, dag.WorkUnit{Partition: part, Key: dag.PartitionFields(n, inputs, part).Key()})
	}
	w := &dag.Runner{Store: h.store, TempBase: h.local.TempDir()}
	if err := w.Work(context.Background(), h.reg, spec, dag.TaskUnits(0, 3, 3)); err == nil || !strings.Contains(err.Error(), "map zz") {
		t.Fatalf("Work: %v, want the failure of unit zz", err)
	}
	for _, u := range []dag.WorkUnit{spec.Units[0], spec.Units[2]} {
		if _, ok, err := dag.LoadRecord(context.Background(), h.store, u.Key, nil); !ok || err != nil {
			t.Errorf("unit %s has no record (%v)", u.Partition, err)
		}
	}
}
