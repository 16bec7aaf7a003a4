package lily_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"litho/artifacts"
	"litho/artifacts/storetest"
	"litho/dag"
	"litho/dag/dagtest"
	"litho/stages/bin"
	"litho/stages/ingest"
	"litho/stages/lily"
	"litho/stages/synth"
)

// harness runs lily → ingest → bin through the real runner and store.
type harness struct {
	t      testing.TB
	dir    string
	store  *artifacts.Store
	local  *artifacts.Local
	fps    *artifacts.Fingerprinter
	events []dag.Event
}

func newHarness(t *testing.T, boreholes int) *harness {
	local := storetest.Local(t)
	h := &harness{t: t, dir: t.TempDir(), local: local, store: artifacts.NewStore(local), fps: artifacts.NewFingerprinter("")}
	if err := synth.WriteDir(context.Background(), h.dir, boreholes, 4); err != nil {
		t.Fatal(err)
	}
	return h
}

// frontPipeline is lily → ingest → bin, with ingest and bin connected to
// the listed instruments.
func frontPipeline(dir string, instruments ...string) string {
	var ing, bin strings.Builder
	for _, in := range instruments {
		fmt.Fprintf(&ing, "    %s = source.%s\n", in, in)
		fmt.Fprintf(&bin, "    %s = ingest.%s\n", in, in)
	}
	return fmt.Sprintf(`
source "lily" { dir = %q }
stage "ingest" "ingest" {
  inputs = {
%s  }
}
stage "bin" "bin" {
  inputs = {
%s  }
}
`, dir, ing.String(), bin.String())
}

func (h *harness) run() error {
	return h.runWith("gra", "ms", "ngr", "rgb")
}

func (h *harness) runWith(instruments ...string) error {
	src := frontPipeline(h.dir, instruments...)
	reg := dag.NewRegistry(lily.Kind(), ingest.Kind(), bin.Kind())
	p, err := dag.Parse("test.hcl", []byte(src), reg, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	h.events = nil
	r := &dag.Runner{Store: h.store, Fingerprints: h.fps, Jobs: 2, TempBase: h.local.TempDir(),
		OnEvent: func(e dag.Event) { h.events = append(h.events, e) }}
	_, err = r.Run(context.Background(), p, dag.Options{})
	return err
}

func (h *harness) status(stage, part string) string {
	return dagtest.Status(h.events, stage, part)
}

// binParts lists the bin partitions the last run reported, and those
// that wrote bins.
func (h *harness) binParts() (all, withBins []string) {
	for _, e := range h.events {
		if e.Stage == "bin" && e.Partition != "" {
			all = append(all, e.Partition)
			if e.Outputs["bins"] != "" {
				withBins = append(withBins, e.Partition)
			}
		}
	}
	return all, withBins
}

// Editing one borehole's rows in one file re-ingests that file and
// re-bins only that borehole.
func TestOneBoreholeUpdate(t *testing.T) {
	h := newHarness(t, 6)
	if err := h.run(); err != nil {
		t.Fatal(err)
	}
	parts, withBins := h.binParts()
	if len(parts) < 2 || len(withBins) == 0 {
		t.Fatalf("bin ran over %d boreholes, %d with bins: want several", len(parts), len(withBins))
	}
	for _, p := range parts {
		if got := h.status("bin", p); got != dag.StatusRan {
			t.Errorf("first run: bin %s %s", p, got)
		}
	}
	if err := h.run(); err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		if got := h.status("bin", p); got != dag.StatusCached {
			t.Errorf("unchanged rerun: bin %s %s, want cached", p, got)
		}
	}

	target := withBins[len(withBins)/2]
	editBorehole(t, filepath.Join(h.dir, "GRA_DataLITH.csv"), target)
	if err := h.run(); err != nil {
		t.Fatal(err)
	}
	if got := h.status("ingest", ""); got != dag.StatusRan {
		t.Errorf("ingest after the edit: %s, want ran", got)
	}
	for _, p := range parts {
		want := dag.StatusCached
		if p == target {
			want = dag.StatusRan
		}
		if got := h.status("bin", p); got != want {
			t.Errorf("after editing %s: bin %s %s, want %s", target, p, got, want)
		}
	}
}

// editBorehole raises the first GRA value of the borehole's rows by 0.1.
func editBorehole(t *testing.T, path, borehole string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(b, []byte("\n"))
	col := -1
	for i, name := range strings.Split(string(lines[0]), ",") {
		if name == "Bulk density (GRA)" {
			col = i
		}
	}
	parts := strings.SplitN(borehole, "-", 3)
	prefix := []byte(strings.Join(parts, ",") + ",")
	for i, line := range lines[1:] {
		f := strings.Split(string(line), ",")
		if !bytes.HasPrefix(line, prefix) || len(f) <= col || f[col] == "" || f[col] == "NaN" || strings.Contains(string(line), `"`) {
			continue
		}
		f[col] += "1" // one more decimal digit: a small, real change
		lines[i+1] = []byte(strings.Join(f, ","))
		if err := os.WriteFile(path, bytes.Join(lines, []byte("\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("no editable row of %s", borehole)
}

// A malformed file fails ingest with an error naming the file and the
// problem, and leaves no record: nothing a later run would trust. (Errors
// found past the header, such as a truncated file, can leave tables of
// earlier files as unreferenced blobs for litho gc.)
func TestFailedIngestLeavesNoRecord(t *testing.T) {
	h := newHarness(t, 2)
	path := filepath.Join(h.dir, "NGR_DataLITH.csv")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, bytes.Replace(b, []byte("NGR total counts (cps)"), []byte("NGR counts"), 1), 0o644)
	err = h.run()
	if err == nil || !strings.Contains(err.Error(), `NGR_DataLITH.csv: missing required column "NGR total counts (cps)"`) {
		t.Fatalf("error %v", err)
	}
	ctx := context.Background()
	err = h.local.List(ctx, artifacts.Records, func(info artifacts.Info) error {
		rec, ok, err := dag.LoadRecord(ctx, h.store, info.Name, nil)
		if err != nil || !ok {
			return fmt.Errorf("record %s: %v", info.Name, err)
		}
		if rec.Stage != "source" {
			t.Errorf("record of stage %s after a failed ingest", rec.Stage)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := h.status("ingest", ""); got != dag.StatusFailed {
		t.Errorf("ingest: %s, want failed", got)
	}
	// Headers are checked before any table is written: the GRA and MS
	// files before the bad NGR one left no blobs either.
	blobs := 0
	if err := h.local.List(ctx, artifacts.Blobs, func(artifacts.Info) error { blobs++; return nil }); err != nil {
		t.Fatal(err)
	}
	if blobs != 0 {
		t.Errorf("%d blobs stored by a failed ingest", blobs)
	}
}

// A pipeline of GRA, MS and NGR runs from a directory without the RGB
// file, end to end: it never needs it.
func TestThreeInstrumentsWithoutRGB(t *testing.T) {
	h := newHarness(t, 3)
	os.Remove(filepath.Join(h.dir, "RGB_DataLITH.csv"))
	if err := h.runWith("gra", "ms", "ngr"); err != nil {
		t.Fatal(err)
	}
	if _, withBins := h.binParts(); len(withBins) == 0 {
		t.Error("no bins from GRA, MS and NGR")
	}
}
