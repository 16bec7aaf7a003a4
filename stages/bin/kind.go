package bin

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"litho/dag"
	"litho/schemas"
)

// Kind is the bin stage. It has one optional input per declared
// instrument and joins those the pipeline connects, so a pipeline of
// GRA, MS and NGR never reads the RGB tables and adding an instrument to
// one bin instance leaves the others cached. It maps over boreholes: each
// borehole's bins depend only on that borehole's ingested tables, so
// editing one borehole re-bins it alone. A borehole that lacks one of the
// connected instruments writes no partition.
func Kind() *dag.Kind {
	k := &dag.Kind{
		Name: "bin",
		// LILYVersion covers the declared ranges the filters apply.
		Version: "bin/2 " + schemas.LILYVersion + " " + schemas.MeasureVersion + " " + schemas.BinVersion,
		Doc:     "Average each borehole's measurements in depth bins and inner-join the connected instruments.",
		Params:  Params{Size: 0.2, Label: LabelMode},
		// A borehole bins in milliseconds and a cluster task costs about a
		// second to schedule and start: 16 boreholes per array task.
		Resources:   dag.Resources{Batch: 16},
		Outputs:     []dag.OutputSpec{{Name: "bins", MediaType: schemas.MediaParquet, Partitioned: true}},
		Run:         run,
		CheckWiring: checkWiring,
		Columns:     func(n *dag.Node, _ string) []string { return Columns(slices.Collect(maps.Keys(n.Inputs))) },
	}
	for _, f := range schemas.LILYFiles {
		k.Inputs = append(k.Inputs, dag.InputSpec{Name: f.Instrument, Map: true, Optional: true})
	}
	return k
}

// checkWiring refuses a bin stage with nothing to join, which would
// otherwise run no partition and yield an empty table silently.
func checkWiring(n *dag.Node, _ map[string]*dag.Node) error {
	if len(n.Inputs) == 0 {
		return fmt.Errorf("connect at least one instrument input (%v)", instrumentNames())
	}
	return nil
}

func instrumentNames() []string {
	var out []string
	for _, f := range schemas.LILYFiles {
		out = append(out, f.Instrument)
	}
	return out
}

func run(ctx context.Context, x *dag.Exec) error {
	p := dag.ParamsOf[Params](x)
	// The connected instruments, in the join's order.
	var files []*schemas.LILYFile
	for _, f := range schemas.LILYFiles {
		if !x.Connected(f.Instrument) {
			continue // never read: the pipeline does not join it
		}
		if !x.HasInput(f.Instrument) {
			return nil // this borehole lacks an instrument: the join is empty
		}
		files = append(files, f)
	}
	b, err := binBorehole(x.Partition, p, files, func(f *schemas.LILYFile) ([]byte, error) { return x.Read(ctx, f.Instrument) })
	if err != nil {
		return fmt.Errorf("bin %s: %w", x.Partition, err)
	}
	if b == nil {
		return nil // no bin survives the join and the filters
	}
	return x.Put(ctx, "bins", b)
}

// binBorehole is the stage's work on one borehole: the joined
// instruments' tables, read with read, binned into a bin table; nil when
// no bin survives.
func binBorehole(bh string, p Params, files []*schemas.LILYFile, read func(*schemas.LILYFile) ([]byte, error)) ([]byte, error) {
	instruments := make([]string, len(files))
	tables := make(map[string][]schemas.MeasureRow, len(files))
	for i, f := range files {
		instruments[i] = f.Instrument
		b, err := read(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f.Instrument, err)
		}
		if tables[f.Instrument], err = readMeasures(b, f); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Instrument, err)
		}
	}
	t, err := Compute(bh, p, instruments, tables)
	if err != nil || len(t.Rows) == 0 {
		return nil, err
	}
	return schemas.WriteBins(t)
}
