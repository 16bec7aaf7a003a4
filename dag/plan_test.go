package dag_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"litho/artifacts"
	"litho/artifacts/storetest"
	"litho/dag"
)

// smallFiles writes the two files the files source reads.
func smallFiles(t *testing.T) string {
	dir := t.TempDir()
	for _, f := range []string{"a.csv", "b.csv"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestPlanWritesNothing: planning, on an empty store or a full one, with
// changed parameters or forced stages, leaves the store byte-identical
// and executes nothing but the volatile source's fingerprinting.
func TestPlanWritesNothing(t *testing.T) {
	cases := []struct {
		name    string
		before  bool // run the pipeline first
		sets    []string
		opts    dag.Options
		wantRun []string
	}{
		{name: "empty store", wantRun: []string{"x", "split", "map", "concat"}},
		{name: "up to date", before: true},
		{name: "changed parameter", before: true, sets: []string{`x.suffix="!"`}, wantRun: []string{"x", "split", "map", "concat"}},
		{name: "forced", before: true, opts: dag.Options{Force: []string{"map"}}, wantRun: []string{"map", "concat"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			src := filesPipeline(smallFiles(t))
			if tc.before {
				h.mustRun(h.parse(src), dag.Options{})
			}
			before, executed := storetest.Snapshot(t, h.local.Root()), h.c.Total()
			r := &dag.Runner{Store: h.store, Fingerprints: artifacts.NewFingerprinter(""), Jobs: 2, TempBase: h.local.TempDir()}
			plan, err := r.Plan(context.Background(), h.parse(src, tc.sets...), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if changed := storetest.Changed(before, storetest.Snapshot(t, h.local.Root())); len(changed) > 0 {
				t.Errorf("plan changed the store: %v", changed)
			}
			if n := h.c.Total() - executed; n != 1 {
				t.Errorf("plan executed %d stages, want 1 (the volatile source)", n)
			}
			var run []string
			for _, e := range plan {
				if e.Status == dag.StatusWouldRun {
					run = append(run, e.Stage)
				}
			}
			if fmt.Sprint(run) != fmt.Sprint(tc.wantRun) {
				t.Errorf("would run %v, want %v", run, tc.wantRun)
			}
		})
	}
}

// TestPlanAgreesWithRun: a mapped stage whose stage record is gone but
// whose partitions are all cached would only be recorded, so the plan
// knows its outputs and what follows it is up to date; the run then
// executes nothing.
func TestPlanAgreesWithRun(t *testing.T) {
	h := newHarness(t)
	p := h.parse(partitioned)
	h.mustRun(p, dag.Options{})
	mapKey, concatKey := h.event("map").Key, h.event("concat").Key
	if err := os.Remove(h.local.Path(artifacts.Records, mapKey)); err != nil {
		t.Fatal(err)
	}
	r := &dag.Runner{Store: h.store, Fingerprints: artifacts.NewFingerprinter(""), TempBase: h.local.TempDir()}
	plan, err := r.Plan(context.Background(), p, dag.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]dag.PlanEntry{}
	for _, e := range plan {
		got[e.Stage] = e
	}
	if m := got["map"]; m.Status != dag.StatusWouldRun || m.Key != mapKey || !strings.Contains(m.Reason, "every partition is cached") {
		t.Errorf("map: %+v, want to be recorded with key %s", m, mapKey[:12])
	}
	if c := got["concat"]; c.Status != dag.StatusCached || c.Key != concatKey {
		t.Errorf("concat: %+v, want cached with key %s", c, concatKey[:12])
	}
	if n := h.mustRun(p, dag.Options{}); n != 0 {
		t.Errorf("the run executed %d stages; the plan said none", n)
	}
}
