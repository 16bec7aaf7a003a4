package scale

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"litho/dag"
	"litho/schemas"
)

// Kind is the scale stage: split by borehole, fit the scaler on the
// training boreholes, write one scaled table per split.
func Kind() *dag.Kind {
	return &dag.Kind{
		Name:    "scale",
		Version: "1/" + schemas.BinVersion + "/" + schemas.ScaledVersion,
		Doc:     "split boreholes into train/val/test and scale features (fitted on train only)",
		Params:  Params{Seed: 1, Fractions: Fractions{Train: 0.70, Val: 0.15}},
		Inputs:  []dag.InputSpec{{Name: "bins"}},
		Outputs: []dag.OutputSpec{
			{Name: "scaler", MediaType: schemas.MediaJSON},
			{Name: Train, MediaType: schemas.MediaParquet},
			{Name: Val, MediaType: schemas.MediaParquet},
			{Name: Test, MediaType: schemas.MediaParquet},
		},
		Run: run,
	}
}

// Params are the scale stage's parameters.
type Params struct {
	Seed int64 `param:"seed" doc:"seed of the borehole split"`
	Fractions
}

// Borehole is one borehole's bins, named by its ID.
type Borehole struct {
	ID   string
	Rows []schemas.BinRow
}

// Result is what Apply makes: the scaler and one scaled table per split.
type Result struct {
	Scaler *Scaler
	Splits map[string][]schemas.ScaledRow
	Count  map[string]int // boreholes per split
}

// Apply splits boreholes, fits the scaler on the training ones and
// scales every row. Rows come out ordered by (borehole, bin) whatever the
// input order, so equal data gives equal tables.
func Apply(boreholes []Borehole, seed int64, f Fractions) (*Result, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	bySplit := map[string][]schemas.BinRow{}
	res := &Result{Splits: map[string][]schemas.ScaledRow{}, Count: map[string]int{}}
	for _, b := range boreholes {
		s := Assign(b.ID, seed, f)
		res.Count[s]++
		for _, r := range b.Rows {
			r.Borehole = b.ID
			bySplit[s] = append(bySplit[s], r)
		}
	}
	for _, rows := range bySplit {
		slices.SortStableFunc(rows, func(a, b schemas.BinRow) int {
			return cmp.Or(cmp.Compare(a.Borehole, b.Borehole), cmp.Compare(a.Bin, b.Bin))
		})
	}
	sc, err := Fit(bySplit[Train], res.Count[Train])
	if err != nil {
		return nil, err
	}
	res.Scaler = sc
	for _, s := range []string{Train, Val, Test} {
		out := make([]schemas.ScaledRow, 0, len(bySplit[s]))
		for _, r := range bySplit[s] {
			x, err := sc.Transform(r)
			if err != nil {
				return nil, fmt.Errorf("scale %s: %w", s, err)
			}
			out = append(out, schemas.ScaledRow{
				Borehole: r.Borehole, Bin: r.Bin, Depth: r.Depth, Split: s, Principal: r.Principal, X: x,
			})
		}
		res.Splits[s] = out
	}
	return res, nil
}

func run(ctx context.Context, x *dag.Exec) error {
	p := dag.ParamsOf[Params](x)
	boreholes, err := readBins(ctx, x)
	if err != nil {
		return err
	}
	res, err := Apply(boreholes, p.Seed, p.Fractions)
	if err != nil {
		return err
	}
	b, err := res.Scaler.Encode()
	if err != nil {
		return err
	}
	if err := x.Put(ctx, "scaler", b); err != nil {
		return err
	}
	for _, s := range []string{Train, Val, Test} {
		b, err := schemas.WriteParquet(res.Splits[s])
		if err != nil {
			return fmt.Errorf("%s table: %w", s, err)
		}
		if err := x.Put(ctx, s, b); err != nil {
			return err
		}
		x.Summary("%s: %d boreholes, %d bins", s, res.Count[s], len(res.Splits[s]))
		if res.Count[s] == 0 {
			x.Log().Warn("split is empty", "split", s)
		}
	}
	return nil
}

func readBins(ctx context.Context, x *dag.Exec) ([]Borehole, error) {
	parts, err := x.Parts("bins")
	if err != nil {
		return nil, err
	}
	out := make([]Borehole, 0, len(parts))
	for _, p := range parts {
		b, err := x.ReadPart(ctx, "bins", p)
		if err != nil {
			return nil, fmt.Errorf("bins %s: %w", p, err)
		}
		rows, err := schemas.ReadParquet[schemas.BinRow](b)
		if err != nil {
			return nil, fmt.Errorf("bins %s: %w", p, err)
		}
		out = append(out, Borehole{ID: p, Rows: rows})
	}
	return out, nil
}
