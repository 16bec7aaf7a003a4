// Package bin averages each borehole's measurements in depth bins and
// inner-joins the instruments, exactly as the published method does:
// bin = round-half-to-even(depth / size) on float64 (numpy's rounding),
// the mean of each measurement in the bin as pandas' groupby mean computes
// it, the bin's label from the first joined instrument (the most frequent
// Principal with ties to the alphabetically first, pandas' mode()[0], or
// the first row's), an inner join on the bin over the joined instruments,
// then each feature's declared plausible range on the bin means.
package bin

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"litho/dag"
	"litho/schemas"
)

// Params are the binning rule's settings, the bin stage's parameters.
// Which instruments are joined is not a parameter: the stage joins the
// inputs the pipeline connects.
type Params struct {
	Size  float64 `param:"size" doc:"bin size in metres (the MAD model bins at 0.05)"`
	Label string  `param:"label" doc:"a bin's Principal: \"mode\" (most frequent, ties to the alphabetically first) or \"first\" (the first row's, as the seed's v1)"`
}

// Label rules.
const (
	LabelMode  = "mode"
	LabelFirst = "first"
)

// Bounds of a bin size, in metres. Below a millimetre a bin holds one
// reading at most (LILY depths have millimetre precision) and depth/size
// grows towards overflow; above 100 m a bin spans whole lithologies.
const (
	MinSize = 0.001
	MaxSize = 100
)

// Check reports a bin size or label rule that cannot work.
func (p Params) Check() error {
	var errs []error
	if !(p.Size >= MinSize && p.Size <= MaxSize) {
		errs = append(errs, dag.ParamErrorf("size", "must be between %g and %g metres, got %v", float64(MinSize), float64(MaxSize), p.Size))
	}
	if err := dag.OneOf("label", p.Label, LabelMode, LabelFirst); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Columns lists the features a bin table of the connected instruments
// has, in its column order: each instrument's measurements as declared,
// instruments in schemas.LILYFiles order. Names that are not declared
// instruments have none.
func Columns(connected []string) []string {
	var out []string
	for _, f := range joined(connected) {
		for _, m := range f.Measures {
			out = append(out, m.Field)
		}
	}
	return out
}

// joined is the declared files of the named instruments, in
// schemas.LILYFiles order: the join's order, whose first gives the label.
func joined(instruments []string) []*schemas.LILYFile {
	var out []*schemas.LILYFile
	for _, f := range schemas.LILYFiles {
		if slices.Contains(instruments, f.Instrument) {
			out = append(out, f)
		}
	}
	return out
}

// Compute bins one borehole. tables holds each joined instrument's rows
// (schemas.MeasureRow, in ingest's order); the instruments are joined in
// schemas.LILYFiles order whatever the order of the list. Rows come back
// sorted by bin.
func Compute(borehole string, p Params, instruments []string, tables map[string][]schemas.MeasureRow) (*schemas.BinTable, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	files, err := checkInstruments(instruments)
	if err != nil {
		return nil, err
	}
	t := &schemas.BinTable{Features: Columns(instruments)}
	aggs := make([][]agg, len(files))
	for i, f := range files {
		t.Instruments = append(t.Instruments, f.Instrument)
		rule := ""
		if i == 0 {
			rule = p.Label // only the first instrument's labels are used
		}
		if aggs[i], err = aggregate(tables[f.Instrument], p.Size, len(f.Measures), rule); err != nil {
			return nil, fmt.Errorf("borehole %s: %s: %w", borehole, f.Instrument, err)
		}
	}
	t.Rows = assemble(borehole, p.Size, files, aggs)
	return t, nil
}

// checkInstruments rejects an empty, unknown or repeated instrument.
func checkInstruments(instruments []string) ([]*schemas.LILYFile, error) {
	if len(instruments) == 0 {
		return nil, errors.New("no instrument to bin")
	}
	for i, inst := range instruments {
		if _, ok := schemas.LILYFileFor(inst); !ok {
			return nil, fmt.Errorf("unknown instrument %q", inst)
		}
		if slices.Contains(instruments[:i], inst) {
			return nil, fmt.Errorf("instrument %q listed twice", inst)
		}
	}
	return joined(instruments), nil
}

// assemble makes the rows of the bins every instrument has whose means
// lie in their declared ranges. Values and counts of all rows share two
// arrays, so a borehole costs a few allocations, not two per bin.
func assemble(borehole string, size float64, files []*schemas.LILYFile, aggs [][]agg) []schemas.BinRow {
	var measures []schemas.Measurement
	for _, f := range files {
		measures = append(measures, f.Measures...)
	}
	most := len(aggs[0])
	for _, a := range aggs {
		most = min(most, len(a))
	}
	values := make([]float64, 0, most*len(measures))
	counts := make([]int32, 0, most*len(files))
	var out []schemas.BinRow
	join(aggs, func(bins []*agg) {
		start := len(values)
		for i, a := range bins {
			values = append(values, a.mean[:len(files[i].Measures)]...)
		}
		v := values[start:len(values):len(values)]
		if !inRanges(v, measures) {
			values = values[:start]
			return
		}
		n := len(counts)
		for _, a := range bins {
			counts = append(counts, a.n)
		}
		out = append(out, schemas.BinRow{Borehole: borehole, Bin: bins[0].bin, Depth: float64(bins[0].bin) * size,
			Principal: bins[0].label, Values: v, Counts: counts[n:len(counts):len(counts)]})
	})
	return out
}

// inRanges reports whether every mean lies in its feature's declared
// range (a NaN never does).
func inRanges(values []float64, measures []schemas.Measurement) bool {
	for i, v := range values {
		if !(v >= measures[i].Min && v <= measures[i].Max) {
			return false
		}
	}
	return true
}

// Index is the bin of a depth: round half to even of depth/size, on
// float64, as numpy.round does.
func Index(depth, size float64) int64 {
	return int64(math.RoundToEven(depth / size))
}

// maxIndex bounds |depth/size|: well inside int64, so Index never
// overflows, and far beyond any borehole (ingest keeps depths within
// ±10 km, Check keeps size ≥ 1 mm).
const maxIndex = 1 << 53

// checkedIndex is Index, refusing a depth whose bin would not fit.
func checkedIndex(depth, size float64) (int64, error) {
	if q := depth / size; !(math.Abs(q) <= maxIndex) {
		return 0, fmt.Errorf("depth %v m at bin size %v m: bin index out of range", depth, size)
	}
	return Index(depth, size), nil
}

// agg is one instrument's summary of one bin.
type agg struct {
	bin   int64
	n     int32
	mean  [3]float64
	label string
}

// aggregate summarises rows per bin, sorted by bin: the means of the
// first values measurements and, by the label rule ("" for none), the
// label.
func aggregate(rows []schemas.MeasureRow, size float64, values int, rule string) ([]agg, error) {
	// Rounding is monotonic, so rows sorted by depth (ingest's order) are
	// grouped by bin already; sort the bin indexes otherwise, stably, so
	// a bin's rows keep their order (the "first" rule).
	idx := make([]int64, len(rows))
	order := make([]int, len(rows))
	for i := range rows {
		b, err := checkedIndex(rows[i].Depth, size)
		if err != nil {
			return nil, err
		}
		idx[i], order[i] = b, i
	}
	if !slices.IsSorted(idx) {
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(idx[a], idx[b]) })
	}
	var out []agg
	counts := map[string]int{}
	for start := 0; start < len(order); {
		b := idx[order[start]]
		end := start
		for end < len(order) && idx[order[end]] == b {
			end++
		}
		bin := order[start:end]
		a := agg{bin: b, n: int32(len(bin)), mean: means(rows, bin, values)}
		switch rule {
		case LabelFirst:
			a.label = rows[bin[0]].Principal
		case LabelMode:
			clear(counts)
			for _, i := range bin {
				counts[rows[i].Principal]++
			}
			a.label = mode(counts)
		}
		out = append(out, a)
		start = end
	}
	return out, nil
}

// means averages the first values measurements over the rows of one bin
// as pandas' groupby mean does: a Kahan-compensated sum in row order,
// divided by the count. A plain sum differs from it in the last digits.
func means(rows []schemas.MeasureRow, bin []int, values int) [3]float64 {
	var sum, comp, out [3]float64
	for _, i := range bin {
		for j := range values {
			y := rows[i].Values[j] - comp[j]
			t := sum[j] + y
			comp[j] = t - sum[j] - y
			sum[j] = t
		}
	}
	for j := range values {
		out[j] = sum[j] / float64(len(bin))
	}
	return out
}

// mode is the most frequent label, ties to the alphabetically first.
func mode(counts map[string]int) string {
	best, bestN := "", 0
	for l, n := range counts {
		if n > bestN || (n == bestN && l < best) {
			best, bestN = l, n
		}
	}
	return best
}

// join calls fn for every bin present in all of aggs (each sorted by bin),
// in bin order.
func join(aggs [][]agg, fn func([]*agg)) {
	pos := make([]int, len(aggs))
	cur := make([]*agg, len(aggs))
	for {
		// The candidate is the largest current bin; advance the others to it.
		var target int64
		for i, a := range aggs {
			if pos[i] >= len(a) {
				return
			}
			if b := a[pos[i]].bin; i == 0 || b > target {
				target = b
			}
		}
		all := true
		for i, a := range aggs {
			for pos[i] < len(a) && a[pos[i]].bin < target {
				pos[i]++
			}
			if pos[i] >= len(a) {
				return
			}
			if a[pos[i]].bin != target {
				all = false
			}
		}
		if !all {
			continue
		}
		for i, a := range aggs {
			cur[i] = &a[pos[i]]
			pos[i]++
		}
		fn(cur)
	}
}
