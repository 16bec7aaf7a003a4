package scale

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"litho/schemas"
)

// Borehole is one borehole's bin table, named by its ID.
type Borehole struct {
	ID   string
	Bins *schemas.BinTable
}

// Result is what Apply makes: the scaler and one scaled table per split,
// whose X columns Scaler.Inputs names.
type Result struct {
	Scaler *Scaler
	Splits map[string][]schemas.ScaledRow
	Count  map[string]int // boreholes per split
}

// bin is one bin with the features Params names, raw, in that order.
type bin struct {
	borehole, principal string
	bin                 int64
	depth               float64
	raw                 []float64
}

// errNoBoreholes names the cause upstream of an empty bin table: the
// stage has nothing to split, which is never a choice of its parameters.
var errNoBoreholes = errors.New("no binned borehole to split: the bins upstream are empty " +
	"(every row of the input files rejected at ingest, or no borehole has every instrument the bin stage joins)")

// Apply splits boreholes, fits the scaler on the training ones, scales
// every bin and stacks its neighbours. Rows come out ordered by
// (borehole, bin) whatever the input order, so equal data gives equal
// tables.
func Apply(boreholes []Borehole, p Params) (*Result, error) {
	return applySplit(boreholes, p, func(id string) string { return Assign(id, p.Seed, p.Fractions) })
}

// ApplyFold is Apply for fold i of p.Folds: its test set is fold i.
func ApplyFold(boreholes []Borehole, p Params, i int) (*Result, error) {
	return applySplit(boreholes, p, func(id string) string { return AssignFold(id, p.Seed, p.Fractions, p.Folds, i) })
}

func applySplit(boreholes []Borehole, p Params, assign func(id string) string) (*Result, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	if len(boreholes) == 0 {
		return nil, errNoBoreholes
	}
	bySplit := map[string][]bin{}
	res := &Result{Splits: map[string][]schemas.ScaledRow{}, Count: map[string]int{}}
	for _, b := range boreholes {
		bins, err := pick(b, p.Features)
		if err != nil {
			return nil, err
		}
		s := assign(b.ID)
		res.Count[s]++
		bySplit[s] = append(bySplit[s], bins...)
	}
	for _, bins := range bySplit {
		slices.SortStableFunc(bins, func(a, b bin) int {
			return cmp.Or(cmp.Compare(a.borehole, b.borehole), cmp.Compare(a.bin, b.bin))
		})
	}
	if len(bySplit[Train]) == 0 {
		return nil, fmt.Errorf("fit scaler: no training rows: %d of %d boreholes are in train (check train_frac and the number of boreholes)",
			res.Count[Train], len(boreholes))
	}
	sc, err := fit(bySplit[Train], p, res.Count[Train])
	if err != nil {
		return nil, err
	}
	res.Scaler = sc
	for _, s := range []string{Train, Val, Test} {
		if res.Splits[s], err = sc.scaleSplit(s, bySplit[s]); err != nil {
			return nil, fmt.Errorf("scale %s: %w", s, err)
		}
	}
	return res, nil
}

// pick selects the features of a borehole's bins by name.
func pick(b Borehole, features []string) ([]bin, error) {
	cols := make([]int, len(features))
	for i, f := range features {
		c, ok := b.Bins.Column(f)
		if !ok {
			return nil, fmt.Errorf("bins %s: no feature %q; the bin table has [%s] (connect its instrument to bin, or drop it from features)",
				b.ID, f, strings.Join(b.Bins.Features, ", "))
		}
		cols[i] = c
	}
	out := make([]bin, len(b.Bins.Rows))
	for i, r := range b.Bins.Rows {
		raw := make([]float64, len(cols))
		for j, c := range cols {
			raw[j] = r.Values[c]
		}
		out[i] = bin{borehole: b.ID, principal: r.Principal, bin: r.Bin, depth: r.Depth, raw: raw}
	}
	return out, nil
}

// scaleSplit scales the bins of one split, sorted by (borehole, bin), and
// stacks each with its neighbours.
func (s *Scaler) scaleSplit(split string, bins []bin) ([]schemas.ScaledRow, error) {
	x := make([][]float32, len(bins))
	for i, b := range bins {
		var err error
		if x[i], err = s.Transform(b.raw); err != nil {
			return nil, fmt.Errorf("borehole %s bin %d: %w", b.borehole, b.bin, err)
		}
	}
	stacked := stack(bins, x, s.Context)
	out := make([]schemas.ScaledRow, len(bins))
	for i, b := range bins {
		out[i] = schemas.ScaledRow{Borehole: b.borehole, Bin: b.bin, Depth: b.depth, Split: split, Principal: b.principal, X: stacked[i]}
	}
	return out, nil
}
