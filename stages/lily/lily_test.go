package lily_test

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
	"litho/dag/dagtest"
	"litho/schemas"
	"litho/stages/ingest"
	"litho/stages/lily"
	"litho/stages/synth"
)

func TestFilesErrors(t *testing.T) {
	full := t.TempDir()
	if err := synth.WriteDir(context.Background(), full, 1, 1); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("x\n"), 0o644)
	odd := t.TempDir()
	os.Mkdir(filepath.Join(odd, "MS_DataLITH.csv"), 0o755)
	cases := []struct {
		dir, want string
	}{
		{"", "parameter dir is empty"},
		{filepath.Join(full, "nope"), "parameter dir"},
		{filepath.Join(full, "GRA_DataLITH.csv"), "is not a directory"},
		{empty, empty + " holds none of the LILY files (GRA_DataLITH.csv, MS_DataLITH.csv"},
		{odd, filepath.Join(odd, "MS_DataLITH.csv") + " is not a regular file"},
	}
	for _, c := range cases {
		_, err := lily.Files(c.dir)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Files(%q): error %v, want %q", c.dir, err, c.want)
		}
	}
	paths, err := lily.Files(full)
	if err != nil || len(paths) != len(schemas.LILYFiles) || paths["pwc"] != filepath.Join(full, "PWC_DataLITH.csv") {
		t.Errorf("Files(full) = %v, %v", paths, err)
	}
	// Any file may be missing.
	os.Remove(filepath.Join(full, "RGB_DataLITH.csv"))
	paths, err = lily.Files(full)
	if _, ok := paths["rgb"]; err != nil || ok || len(paths) != len(schemas.LILYFiles)-1 {
		t.Errorf("Files without RGB = %v, %v", paths, err)
	}
}

// front runs lily → ingest with the listed instruments connected.
type front struct {
	t      *testing.T
	dir    string
	store  *artifacts.Store
	local  *artifacts.Local
	events []dag.Event
}

func newFront(t *testing.T, boreholes int) *front {
	t.Helper()
	local := storetest.Local(t)
	f := &front{t: t, dir: t.TempDir(), local: local, store: artifacts.NewStore(local)}
	if err := synth.WriteDir(context.Background(), f.dir, boreholes, 4); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *front) run(instruments ...string) error {
	f.t.Helper()
	var conn []string
	for _, in := range instruments {
		conn = append(conn, fmt.Sprintf("%s = source.%s", in, in))
	}
	src := fmt.Sprintf("source \"lily\" { dir = %q }\nstage \"ingest\" \"ingest\" {\n  inputs = { %s }\n}\n", f.dir, strings.Join(conn, ", "))
	p, err := dag.Parse("test.hcl", []byte(src), dag.NewRegistry(lily.Kind(), ingest.Kind()), nil)
	if err != nil {
		f.t.Fatal(err)
	}
	f.events = nil
	r := &dag.Runner{Store: f.store, Fingerprints: artifacts.NewFingerprinter(""), Jobs: 2, TempBase: f.local.TempDir(),
		OnEvent: func(e dag.Event) { f.events = append(f.events, e) }}
	_, err = r.Run(context.Background(), p, dag.Options{})
	return err
}

// event is the last stage-level event of a stage.
func (f *front) event(stage string) dag.Event {
	return dagtest.StageEvent(f.events, stage)
}

// Every one of the nine files goes through the source into ingest.
func TestAllNineFiles(t *testing.T) {
	f := newFront(t, 2)
	var all []string
	for _, spec := range schemas.LILYFiles {
		all = append(all, spec.Instrument)
	}
	if err := f.run(all...); err != nil {
		t.Fatal(err)
	}
	ev := f.event("ingest")
	for _, spec := range schemas.LILYFiles {
		if ev.Outputs[spec.Instrument] == "" {
			t.Errorf("ingest wrote no %s tables", spec.Instrument)
		}
		if !strings.Contains(strings.Join(ev.Summary, "\n"), spec.FileName+": ") {
			t.Errorf("summary %q does not mention %s", ev.Summary, spec.FileName)
		}
	}
}

// A pipeline of GRA, MS and NGR never reads the RGB file: the run works
// without it, and with garbage in its place.
func TestUnconnectedFileNeverRead(t *testing.T) {
	f := newFront(t, 2)
	rgb := filepath.Join(f.dir, "RGB_DataLITH.csv")
	os.Remove(rgb)
	if err := f.run("gra", "ms", "ngr"); err != nil {
		t.Fatalf("without RGB_DataLITH.csv: %v", err)
	}
	if s := strings.Join(f.event("source").Summary, "\n"); !strings.Contains(s, "not in "+f.dir+": RGB_DataLITH.csv") {
		t.Errorf("source summary %q does not name the missing file", s)
	}
	os.WriteFile(rgb, []byte("\x00\x01 not a CSV file"), 0o644)
	if err := f.run("gra", "ms", "ngr"); err != nil {
		t.Fatalf("with a garbage RGB_DataLITH.csv: %v", err)
	}
	// Not even fingerprinted: the source offers only what is read.
	if d, ok := f.event("source").Outputs["rgb"]; ok {
		t.Errorf("the source fingerprinted the unconnected RGB file (%s)", d)
	}
	if ev := f.event("source"); len(ev.Outputs) != 3 {
		t.Errorf("source outputs %v, want gra, ms and ngr only", ev.Outputs)
	}
}

// An instrument the pipeline connects but the directory lacks fails
// ingest with an error naming the file, before any table is written.
func TestMissingConnectedFile(t *testing.T) {
	f := newFront(t, 2)
	os.Remove(filepath.Join(f.dir, "PWC_DataLITH.csv"))
	err := f.run("gra", "ms", "pwc")
	want := "PWC_DataLITH.csv: input pwc is connected, but its source has no such file"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want %q", err, want)
	}
	blobs := 0
	if err := f.local.List(context.Background(), artifacts.Blobs, func(artifacts.Info) error { blobs++; return nil }); err != nil {
		t.Fatal(err)
	}
	if blobs != 0 {
		t.Errorf("%d blobs stored by the failed ingest", blobs)
	}
}

// Connecting another instrument reruns ingest (its key has a new input),
// but the tables of the others keep their digests: what reads only them
// stays cached.
func TestAddingAnInstrumentKeepsTables(t *testing.T) {
	f := newFront(t, 2)
	if err := f.run("gra", "ms", "ngr"); err != nil {
		t.Fatal(err)
	}
	before := f.event("ingest").Outputs
	if err := f.run("gra", "ms", "ngr", "rsc"); err != nil {
		t.Fatal(err)
	}
	after := f.event("ingest")
	if after.Status != dag.StatusRan {
		t.Errorf("ingest with RSC connected: %s, want ran", after.Status)
	}
	for _, inst := range []string{"gra", "ms", "ngr"} {
		if before[inst] == "" || after.Outputs[inst] != before[inst] {
			t.Errorf("%s tables %s, were %s", inst, after.Outputs[inst], before[inst])
		}
	}
}
