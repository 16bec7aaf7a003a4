package bin

import (
	"context"
	"errors"
	"fmt"

	"litho/artifacts"
	"litho/dag"
	"litho/schemas"
)

// Kind is the bin stage. It maps over boreholes: each borehole's bins
// depend only on that borehole's ingested tables, so editing one borehole
// re-bins it alone. A borehole with no bin in every listed instrument
// (for example no RGB) writes no partition.
func Kind() *dag.Kind {
	k := &dag.Kind{
		Name:    "bin",
		Version: "bin/1 " + schemas.MeasureVersion + " " + schemas.BinVersion,
		Doc:     "Average each borehole's measurements in depth bins and inner-join the instruments.",
		Params:  Params{Size: 0.2, Instruments: Instruments, GRAMin: 0.3, GRAMax: 4.0, RGBMin: 0.0, RGBMax: 255.0},
		Outputs: []dag.OutputSpec{{Name: "bins", MediaType: schemas.MediaParquet, Partitioned: true}},
		Run:     run,
	}
	for _, inst := range Instruments {
		k.Inputs = append(k.Inputs, dag.InputSpec{Name: inst, Map: true, Optional: true})
	}
	return k
}

func run(ctx context.Context, x *dag.Exec) error {
	p := dag.ParamsOf[Params](x)
	tables := map[string][]schemas.MeasureRow{}
	for _, inst := range p.Instruments {
		if !x.Connected(inst) {
			return fmt.Errorf("parameter instruments lists %q but input %s is not connected", inst, inst)
		}
		if !x.HasInput(inst) {
			return nil // this borehole lacks an instrument: the join is empty
		}
	}
	for _, inst := range p.Instruments {
		b, err := x.Read(ctx, inst)
		if errors.Is(err, artifacts.ErrNotFound) {
			return nil // this borehole lacks an instrument: the join is empty
		}
		if err != nil {
			return fmt.Errorf("bin %s: read %s: %w", x.Partition, inst, err)
		}
		if tables[inst], err = readMeasures(b); err != nil {
			return fmt.Errorf("bin %s: %s: %w", x.Partition, inst, err)
		}
	}
	rows, err := Compute(x.Partition, p, tables)
	if err != nil {
		return fmt.Errorf("bin %s: %w", x.Partition, err)
	}
	if len(rows) == 0 {
		return nil
	}
	b, err := schemas.WriteParquet(rows)
	if err != nil {
		return fmt.Errorf("bin %s: %w", x.Partition, err)
	}
	return x.Put(ctx, "bins", b)
}
