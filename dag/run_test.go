package dag_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"litho/artifacts"
	"litho/artifacts/storetest"
	"litho/dag"
	"litho/dag/dagtest"
)

const linear = `
source "gen" { n = 3 }
stage "upper" "a" {
  inputs = { in = source.data }
}
stage "upper" "b" {
  inputs = { in = a.out }
  ignored = 0
}
stage "upper" "c" {
  inputs = { in = b.out }
}
`

const partitioned = `
source "gen" {}
stage "split" "split" {
  inputs = { in = source.data }
}
stage "mapper" "map" {
  inputs = { in = split.parts }
}
stage "concat" "concat" {
  inputs = { in = map.out }
}
`

type harness struct {
	t      *testing.T
	c      *dagtest.Counter
	reg    *dag.Registry
	store  *artifacts.Store
	local  *artifacts.Local
	events []dag.Event
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	local := storetest.Local(t)
	c := &dagtest.Counter{}
	return &harness{t: t, c: c, reg: dagtest.Kinds(c), store: artifacts.NewStore(local), local: local}
}

func (h *harness) parse(src string, sets ...string) *dag.Pipeline {
	h.t.Helper()
	p, err := dag.Parse("test.hcl", []byte(src), h.reg, sets)
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

// run runs the pipeline and returns how many executions it caused.
func (h *harness) run(ctx context.Context, p *dag.Pipeline, opts dag.Options) (int, error) {
	h.t.Helper()
	before := h.c.Total()
	h.events = nil
	r := &dag.Runner{Store: h.store, Fingerprints: artifacts.NewFingerprinter(""), Jobs: 2,
		TempBase: h.local.TempDir(), OnEvent: func(e dag.Event) { h.events = append(h.events, e) }}
	_, err := r.Run(ctx, p, opts)
	return h.c.Total() - before, err
}

func (h *harness) mustRun(p *dag.Pipeline, opts dag.Options) int {
	h.t.Helper()
	n, err := h.run(context.Background(), p, opts)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// status returns the reported status of a stage (partition "" for the stage itself).
func (h *harness) status(stage, part string) string {
	return dagtest.Status(h.events, stage, part)
}

// event is the last stage-level event of stage in the latest run.
func (h *harness) event(stage string) dag.Event {
	return dagtest.StageEvent(h.events, stage)
}

// flipByte damages a stored blob without changing its size.
func (h *harness) flipByte(d string) {
	h.t.Helper()
	storetest.Edit(h.t, h.local.Path(artifacts.Blobs, d), func(b []byte) { b[0] ^= 0xff })
}

// readOut reads stage's "out" output as the latest run reported it.
func (h *harness) readOut(stage string) (string, error) {
	b, err := h.store.ReadAll(context.Background(), artifacts.Digest(h.event(stage).Outputs["out"]))
	return string(b), err
}

func TestSecondRunExecutesNothing(t *testing.T) {
	for name, src := range map[string]string{"linear": linear, "partitioned": partitioned} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			p := h.parse(src)
			if n := h.mustRun(p, dag.Options{}); n == 0 {
				t.Fatal("first run executed nothing")
			}
			if n := h.mustRun(h.parse(src), dag.Options{}); n != 0 {
				t.Fatalf("second run executed %d stages, want 0", n)
			}
			for _, e := range h.events {
				if e.Status != dag.StatusCached {
					t.Errorf("%s/%s: status %s, want cached", e.Stage, e.Partition, e.Status)
				}
			}
		})
	}
}

func TestParamChangeRerunsStageAndDescendants(t *testing.T) {
	h := newHarness(t)
	h.mustRun(h.parse(linear), dag.Options{})
	n := h.mustRun(h.parse(linear, `b.suffix="!"`), dag.Options{})
	if n != 2 {
		t.Errorf("executed %d stages, want 2 (b and c)", n)
	}
	want := map[string]string{"source": "cached", "a": "cached", "b": "ran", "c": "ran"}
	for stage, st := range want {
		if got := h.status(stage, ""); got != st {
			t.Errorf("%s: %s, want %s", stage, got, st)
		}
	}
}

func TestPresentationParamStaysOutOfKey(t *testing.T) {
	h := newHarness(t)
	h.mustRun(h.parse(linear), dag.Options{})
	if n := h.mustRun(h.parse(linear, "b.verbose=true"), dag.Options{}); n != 0 {
		t.Errorf("changing a presentation parameter executed %d stages", n)
	}
}

func TestEqualOutputsCutOff(t *testing.T) {
	h := newHarness(t)
	h.mustRun(h.parse(linear), dag.Options{})
	n := h.mustRun(h.parse(linear, "b.ignored=7"), dag.Options{})
	if n != 1 {
		t.Errorf("executed %d stages, want 1 (b only)", n)
	}
	if got := h.status("b", ""); got != dag.StatusCutoff {
		t.Errorf("b: %s, want cutoff", got)
	}
	if got := h.status("c", ""); got != dag.StatusCached {
		t.Errorf("c: %s, want cached (early cutoff)", got)
	}
}

func TestForceReruns(t *testing.T) {
	h := newHarness(t)
	h.mustRun(h.parse(linear), dag.Options{})
	if n := h.mustRun(h.parse(linear), dag.Options{Force: []string{"a"}}); n != 1 {
		t.Errorf("--force a executed %d, want 1", n)
	}
	if got := h.status("a", ""); got != dag.StatusCutoff {
		t.Errorf("forced a with equal output: %s, want cutoff", got)
	}
}

func TestRunToStopsAtStage(t *testing.T) {
	h := newHarness(t)
	if n := h.mustRun(h.parse(linear), dag.Options{To: "a"}); n != 2 {
		t.Errorf("--to a executed %d, want 2 (source, a)", n)
	}
	if got := h.status("b", ""); got != "(none)" {
		t.Errorf("b reported %s in a --to a run", got)
	}
}

func TestOneChangedPartitionRerunsAlone(t *testing.T) {
	h := newHarness(t)
	h.mustRun(h.parse(partitioned), dag.Options{})
	h.mustRun(h.parse(partitioned, `split.bump="b"`), dag.Options{})
	if got := h.c.Get("map/b"); got != 2 {
		t.Errorf("partition b ran %d times, want 2", got)
	}
	for _, p := range []string{"a", "c"} {
		if got := h.c.Get("map/" + p); got != 1 {
			t.Errorf("partition %s ran %d times, want 1", p, got)
		}
		if got := h.status("map", p); got != dag.StatusCached {
			t.Errorf("partition %s: %s, want cached", p, got)
		}
	}
	if got := h.status("map", "b"); got != dag.StatusRan {
		t.Errorf("partition b: %s, want ran", got)
	}
	if got := h.status("concat", ""); got != dag.StatusRan {
		t.Errorf("concat: %s, want ran", got)
	}
}

func TestCancelLeavesNoRecord(t *testing.T) {
	h := newHarness(t)
	src := linear + `
stage "block" "slow" {
  inputs = { in = c.out }
}`
	t.Setenv(dagtest.BlockEnv, "1")
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for h.c.Get("slow") == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	_, err := h.run(ctx, h.parse(src), dag.Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	p := h.parse(src)
	n, _ := p.Node("slow")
	recs, _ := listAll(t, h.local, artifacts.Records)
	for _, name := range recs {
		rec, _, _ := dag.LoadRecord(context.Background(), h.store, name, nil)
		if rec.Stage == n.Name {
			t.Fatalf("a record exists for the interrupted stage: %s", name)
		}
	}
	if tmp, _ := os.ReadDir(h.local.TempDir()); len(tmp) != 0 {
		t.Errorf("temporary files left behind: %v", tmp)
	}
	// The next run recomputes the interrupted stage only.
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	go func() {
		for h.c.Get("slow") < 2 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel2()
	}()
	before := h.c.Total()
	_, _ = h.run(ctx2, h.parse(src), dag.Options{})
	if d := h.c.Total() - before; d != 1 {
		t.Errorf("rerun executed %d stages, want 1 (the interrupted one)", d)
	}
}

func listAll(t *testing.T, be artifacts.Backend, ns artifacts.Namespace) ([]string, error) {
	var names []string
	err := be.List(context.Background(), ns, func(i artifacts.Info) error {
		names = append(names, i.Name)
		return nil
	})
	return names, err
}

func TestCorruptObjectIsRecomputed(t *testing.T) {
	h := newHarness(t)
	p := h.parse(linear)
	h.mustRun(p, dag.Options{})
	aOut := h.event("a").Outputs["out"]
	h.flipByte(aOut)
	// b reads a's output: the flipped byte is detected, the object is
	// removed, a reruns and b gets the true bytes.
	h.mustRun(h.parse(linear), dag.Options{Force: []string{"b"}})
	if got := h.c.Get("a"); got != 2 {
		t.Errorf("a ran %d times, want 2 (recomputed after corruption)", got)
	}
	fixed, err := os.ReadFile(h.local.Path(artifacts.Blobs, aOut))
	if err != nil {
		t.Fatal(err)
	}
	if artifacts.DigestBytes(fixed) != artifacts.Digest(aOut) {
		t.Error("a's output was not restored")
	}
	got, err := h.readOut("c")
	if err != nil {
		t.Fatal(err)
	}
	if want := "x:3|up|up|up"; got != want {
		t.Errorf("c = %q, want %q", got, want)
	}
}

func TestKeyIgnoresHCLSpelling(t *testing.T) {
	h := newHarness(t)
	a := h.parse(`source "gen" { n = 3 }`)
	b := h.parse("source \"gen\" {\n  n = 3.0 # same value\n  label = \"x\"\n}")
	na, _ := a.Node("source")
	nb, _ := b.Node("source")
	ka, kb := dag.Fields(na, nil).Key(), dag.Fields(nb, nil).Key()
	if ka != kb {
		t.Errorf("equal decoded parameters gave different keys %s %s", ka, kb)
	}
	c := h.parse(`source "gen" { n = 4 }`)
	nc, _ := c.Node("source")
	if dag.Fields(nc, nil).Key() == ka {
		t.Error("a different parameter gave the same key")
	}
}

func TestWhyNamesTheChangedField(t *testing.T) {
	h := newHarness(t)
	h.mustRun(h.parse(linear), dag.Options{})
	r := &dag.Runner{Store: h.store, Fingerprints: artifacts.NewFingerprinter(""), TempBase: h.local.TempDir()}
	plan, err := r.Plan(context.Background(), h.parse(linear, `a.suffix="?"`), dag.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]dag.PlanEntry{}
	for _, e := range plan {
		got[e.Stage] = e
	}
	if got["source"].Status != "cached" {
		t.Errorf("source: %+v", got["source"])
	}
	a := got["a"]
	if a.Status != "run" || len(a.Diffs) != 1 || a.Diffs[0].Field != "params.suffix" || a.Diffs[0].Now != `"?"` {
		t.Errorf("a: %+v", a)
	}
	if b := got["b"]; b.Key != "" || !strings.Contains(b.Reason, "upstream a") {
		t.Errorf("b: %+v", b)
	}
}

func TestInvalidPipelines(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.hcl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	reg := dagtest.Kinds(&dagtest.Counter{})
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(src), "\n")
			want, ok := strings.CutPrefix(first, "# want: ")
			if !ok {
				t.Fatalf("fixture lacks a '# want: FILE:LINE:COL: SUMMARY' first line")
			}
			_, err = dag.Parse(f, src, reg, nil)
			var ce *dag.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a ConfigError", err)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("diagnostics:\n%s\nwant one containing %q", err, want)
			}
		})
	}
}

func TestTwoInstancesShareUpstream(t *testing.T) {
	h := newHarness(t)
	src := `
source "gen" {}
stage "upper" "shared" {
  inputs = { in = source.data }
}
stage "upper" "eight" {
  inputs = { in = shared.out }
  suffix = "8"
}
stage "upper" "ten" {
  inputs = { in = shared.out }
  suffix = "10"
}
`
	h.mustRun(h.parse(src), dag.Options{})
	if got := h.c.Get("shared"); got != 1 {
		t.Errorf("shared upstream ran %d times, want 1", got)
	}
	if h.c.Get("eight") != 1 || h.c.Get("ten") != 1 {
		t.Errorf("instances ran %d and %d times, want 1 each", h.c.Get("eight"), h.c.Get("ten"))
	}
}

func TestDamagedRecordIsRecomputed(t *testing.T) {
	h := newHarness(t)
	h.mustRun(h.parse(linear), dag.Options{})
	if err := os.WriteFile(h.local.Path(artifacts.Records, h.event("b").Key), []byte(`{"key": "trunc`), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := h.mustRun(h.parse(linear), dag.Options{}); n != 1 {
		t.Errorf("executed %d stages, want 1 (b, whose record was damaged)", n)
	}
	if got := h.status("b", ""); got != dag.StatusCutoff {
		t.Errorf("b: %s, want cutoff (recomputed to the same bytes)", got)
	}
}

func TestShortBlobBehindRecordIsRecomputed(t *testing.T) {
	h := newHarness(t)
	h.mustRun(h.parse(linear), dag.Options{})
	cOut := h.event("c").Outputs["out"]
	// As after a power loss: the record survived, its blob did not.
	if err := os.Truncate(h.local.Path(artifacts.Blobs, cOut), 0); err != nil {
		t.Fatal(err)
	}
	if n := h.mustRun(h.parse(linear), dag.Options{}); n != 1 {
		t.Errorf("executed %d stages, want 1 (c)", n)
	}
	if got, err := h.readOut("c"); err != nil || got != "x:3|up|up|up" {
		t.Errorf("c's output not restored: %q, %v", got, err)
	}
}

func TestSeveralCorruptObjectsRecomputedInOneRun(t *testing.T) {
	h := newHarness(t)
	h.mustRun(h.parse(linear), dag.Options{})
	h.flipByte(h.event("a").Outputs["out"])
	h.flipByte(h.event("b").Outputs["out"])
	// c reads b's damaged output; b reruns and finds a's damaged output;
	// a reruns, then b again (its first rerun failed), then c: one run.
	h.mustRun(h.parse(linear), dag.Options{Force: []string{"c"}})
	if h.c.Get("a") != 2 || h.c.Get("b") != 3 {
		t.Errorf("a ran %d and b %d times, want 2 and 3", h.c.Get("a"), h.c.Get("b"))
	}
	if got, err := h.readOut("c"); err != nil || got != "x:3|up|up|up" {
		t.Errorf("c = %q (%v), want the recomputed chain", got, err)
	}
}

// TestEqualInstancesRunOnce: two instances with equal parameters and
// inputs share a key, and one run executes it once: the other waits and
// reports cached.
func TestEqualInstancesRunOnce(t *testing.T) {
	h := newHarness(t)
	src := `
source "gen" {}
stage "upper" "one" {
  inputs = { in = source.data }
  suffix = "x"
}
stage "upper" "two" {
  inputs = { in = source.data }
  suffix = "x"
}
`
	h.mustRun(h.parse(src), dag.Options{})
	if n := h.c.Get("one") + h.c.Get("two"); n != 1 {
		t.Errorf("two instances of one key executed %d times, want 1", n)
	}
	if a, b := h.event("one"), h.event("two"); a.Key != b.Key || a.Outputs["out"] != b.Outputs["out"] {
		t.Errorf("instances differ: %+v %+v", a, b)
	}
	ran, cached := 0, 0
	for _, s := range []string{h.status("one", ""), h.status("two", "")} {
		switch s {
		case dag.StatusRan:
			ran++
		case dag.StatusCached:
			cached++
		}
	}
	if ran != 1 || cached != 1 {
		t.Errorf("statuses %s and %s, want one ran and one cached", h.status("one", ""), h.status("two", ""))
	}
}
