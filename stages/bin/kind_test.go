package bin

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"litho/artifacts"
	"litho/artifacts/storetest"
	"litho/dag"
	"litho/schemas"
)

// tablesKind stands for ingest: a source with one partitioned output per
// declared instrument, holding the tables of stageData. RGB's tables are
// not Parquet, so a bin stage that read them would fail.
func tablesKind() *dag.Kind {
	k := &dag.Kind{Name: "tables", Version: "1", Source: true, Run: func(ctx context.Context, x *dag.Exec) error {
		for bh, tables := range stageData {
			for inst, rows := range tables {
				b := []byte("not parquet")
				if inst != "rgb" {
					spec, _ := schemas.LILYFileFor(inst)
					var err error
					if b, err = schemas.WriteMeasures(&schemas.MeasureTable{File: spec, Borehole: bh, Rows: rows}); err != nil {
						return err
					}
				}
				if err := x.PutPart(ctx, inst, bh, b); err != nil {
					return err
				}
			}
		}
		return nil
	}}
	for _, f := range schemas.LILYFiles {
		k.Outputs = append(k.Outputs, dag.OutputSpec{Name: f.Instrument, MediaType: schemas.MediaParquet, Partitioned: true})
	}
	return k
}

// stageData: A has every instrument the pipelines join, B lacks MS, C
// lacks RSC; only A has RGB.
var stageData = map[string]map[string][]schemas.MeasureRow{
	"A": {"gra": rowsOf(1.5, 1.7), "ms": rowsOf(10, 12), "rsc": rowsOf(40, 42), "rgb": rowsOf(100, 100)},
	"B": {"gra": rowsOf(1.6, 1.8)},
	"C": {"gra": rowsOf(1.9, 2.1), "ms": rowsOf(20, 30)},
}

// rowsOf is one row per value and 20 cm bin from the top, every
// measurement of a row the same.
func rowsOf(v ...float64) []schemas.MeasureRow {
	var out []schemas.MeasureRow
	for i, x := range v {
		out = append(out, schemas.MeasureRow{Depth: float64(i) / 5, Values: [schemas.MaxValues]float64{x, x, x}, Principal: "clay"})
	}
	return out
}

// openCounter counts the blobs opened, by digest.
type openCounter struct {
	artifacts.Backend
	mu     sync.Mutex
	opened map[string]int
}

func (c *openCounter) Open(ctx context.Context, ns artifacts.Namespace, name string) (io.ReadCloser, error) {
	c.mu.Lock()
	c.opened[name]++
	c.mu.Unlock()
	return c.Backend.Open(ctx, ns, name)
}

// stageRun parses and runs src over tablesKind, returning the events.
func stageRun(t *testing.T, store *artifacts.Store, tmp, src string) []dag.Event {
	t.Helper()
	p, err := dag.Parse("bin.hcl", []byte(src), dag.NewRegistry(tablesKind(), Kind()), nil)
	if err != nil {
		t.Fatal(err)
	}
	var events []dag.Event
	r := &dag.Runner{Store: store, Fingerprints: artifacts.NewFingerprinter(""), Jobs: 2, TempBase: tmp,
		OnEvent: func(e dag.Event) { events = append(events, e) }}
	if _, err := r.Run(context.Background(), p, dag.Options{}); err != nil {
		t.Fatal(err)
	}
	return events
}

func binStage(name string, inputs ...string) string {
	var conn []string
	for _, in := range inputs {
		conn = append(conn, in+" = source."+in)
	}
	return fmt.Sprintf("stage \"bin\" %q {\n  inputs = { %s }\n}\n", name, strings.Join(conn, ", "))
}

// newStore is an empty store that counts the blobs opened.
func newStore(t *testing.T) (*artifacts.Store, *openCounter, string) {
	local := storetest.Local(t)
	counter := &openCounter{Backend: local, opened: map[string]int{}}
	return artifacts.NewStore(counter), counter, local.TempDir()
}

// binParts checks the bins a stage's partitions wrote and returns the
// partitions that wrote some.
func binParts(t *testing.T, store *artifacts.Store, events []dag.Event, stage string, features []string) []string {
	t.Helper()
	var parts []string
	for _, e := range events {
		if e.Stage != stage || e.Partition == "" || e.Outputs["bins"] == "" {
			continue
		}
		parts = append(parts, e.Partition)
		b, err := store.ReadAll(context.Background(), artifacts.Digest(e.Outputs["bins"]))
		if err != nil {
			t.Fatal(err)
		}
		tab, err := schemas.ReadBins(b)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(tab.Features, features) || len(tab.Rows) != 2 {
			t.Errorf("%s/%s: features %v, %d rows; want %v, 2", stage, e.Partition, tab.Features, len(tab.Rows), features)
		}
	}
	slices.Sort(parts)
	return parts
}

// The stage joins the inputs connected, in the declarations' order, and
// nothing else: RGB is never opened, and a borehole lacking a joined
// instrument writes no partition.
func TestStageJoinsConnected(t *testing.T) {
	cases := []struct {
		inputs   []string
		parts    []string
		features []string
	}{
		{[]string{"gra"}, []string{"A", "B", "C"}, []string{"gra"}},
		{[]string{"ms", "gra"}, []string{"A", "C"}, []string{"gra", "ms"}},
		{[]string{"gra", "rsc", "ms"}, []string{"A"}, []string{"gra", "ms", "rsc_l", "rsc_a", "rsc_b"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.inputs, "+"), func(t *testing.T) {
			store, counter, tmp := newStore(t)
			events := stageRun(t, store, tmp, "source \"tables\" {}\n"+binStage("b", c.inputs...))
			if parts := binParts(t, store, events, "b", c.features); !slices.Equal(parts, c.parts) {
				t.Errorf("bins for %v, want %v", parts, c.parts)
			}
			if n := counter.opened[string(artifacts.DigestBytes([]byte("not parquet")))]; n != 0 {
				t.Errorf("the unconnected RGB table was opened %d times", n)
			}
		})
	}
}

// Adding an instance that also joins RSC leaves the first one cached, and
// the new one writes nothing for the borehole without RSC: a partition
// whose joined input is missing is not the partition of a stage that
// does not join it.
func TestStageAddedInstance(t *testing.T) {
	store, _, tmp := newStore(t)
	src := "source \"tables\" {}\n" + binStage("physical", "gra", "ms")
	stageRun(t, store, tmp, src)
	events := stageRun(t, store, tmp, src+binStage("colour", "gra", "ms", "rsc"))
	for _, e := range events {
		if e.Stage == "physical" && e.Status != dag.StatusCached {
			t.Errorf("physical/%s: %s, want cached", e.Partition, e.Status)
		}
	}
	if parts := binParts(t, store, events, "colour", []string{"gra", "ms", "rsc_l", "rsc_a", "rsc_b"}); !slices.Equal(parts, []string{"A"}) {
		t.Errorf("colour wrote bins for %v, want [A]", parts)
	}
}

// Bad bin stages are diagnostics at parse time, before anything runs.
func TestStageDiagnostics(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"nothing to join", "", "connect at least one instrument input ([gra ms ngr rgb rsc msp mad pwc tcon])"},
		{"unknown label rule", "  inputs = { gra = source.gra }\n  label = \"median\"\n", `label: must be one of [mode first], got "median"`},
		{"the instruments parameter is gone", "  inputs = { gra = source.gra }\n  instruments = [\"gra\"]\n", "instruments"},
		{"so are the range parameters", "  inputs = { gra = source.gra }\n  gra_min = 0.3\n", "gra_min"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := "source \"tables\" {}\nstage \"bin\" \"b\" {\n" + c.body + "}\n"
			_, err := dag.Parse("bin.hcl", []byte(src), dag.NewRegistry(tablesKind(), Kind()), nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}

// A bin size outside [MinSize, MaxSize] is a diagnostic at its place in
// the file or at the --set, before anything runs; the bounds themselves
// are accepted.
func TestSizeBounds(t *testing.T) {
	src := func(size string) string {
		return "source \"tables\" {}\nstage \"bin\" \"bin\" {\n  inputs = { gra = source.gra }\n" + size + "}\n"
	}
	cases := []struct {
		name, size string
		sets       []string
		want       string // "" = accepted
	}{
		{"smallest", "  size = 0.001\n", nil, ""},
		{"largest", "  size = 100\n", nil, ""},
		{"tiny", "  size = 1e-300\n", nil, "bin.hcl:4:10: Invalid parameter value; size: must be between 0.001 and 100 metres, got 1e-300."},
		{"zero", "  size = 0\n", nil, "bin.hcl:4:10: Invalid parameter value; size: must be between"},
		{"negative", "  size = -0.2\n", nil, "bin.hcl:4:10: Invalid parameter value; size: must be between"},
		{"huge", "  size = 1e300\n", nil, "bin.hcl:4:10: Invalid parameter value; size: must be between 0.001 and 100 metres, got 1e+300."},
		{"tiny by --set", "", []string{"bin.size=1e-300"}, `Invalid --set; "bin.size=1e-300": must be between 0.001 and 100 metres, got 1e-300.`},
		{"huge by --set", "", []string{"bin.size=101"}, `Invalid --set; "bin.size=101": must be between`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := dag.Parse("bin.hcl", []byte(src(c.size)), dag.NewRegistry(tablesKind(), Kind()), c.sets)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("rejected: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("diagnostics:\n%v\nwant one containing %q", err, c.want)
			}
		})
	}
}
