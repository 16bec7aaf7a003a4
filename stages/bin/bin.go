// Package bin averages each borehole's measurements in depth bins and
// inner-joins the instruments, exactly as the published method does:
// bin = round-half-to-even(depth / size) on float64 (numpy's rounding),
// the mean of each measurement in the bin, the most frequent Principal
// with ties to the alphabetically first (pandas' mode()[0]), an inner join
// on the bin over the listed instruments, then the range filters on the
// bin means.
package bin

import (
	"cmp"
	"math"
	"slices"

	"litho/dag"
	"litho/schemas"
)

// Params are the binning rule's settings, the bin stage's parameters.
type Params struct {
	Size float64 `param:"size" doc:"bin size in metres"`
	// Instruments to join, from "gra", "ms", "ngr", "rgb". The bin's
	// Principal is the mode of the first listed instrument's labels (the
	// left table of the original pipeline's merges).
	Instruments []string `param:"instruments" doc:"instruments to inner-join; the first one's labels give Principal"`
	// Kept bins have mean GRA in [GRAMin, GRAMax] and mean R, G and B in
	// [RGBMin, RGBMax].
	GRAMin float64 `param:"gra_min" doc:"lowest kept mean bulk density, g/cm³"`
	GRAMax float64 `param:"gra_max" doc:"highest kept mean bulk density, g/cm³"`
	RGBMin float64 `param:"rgb_min" doc:"lowest kept mean R, G or B"`
	RGBMax float64 `param:"rgb_max" doc:"highest kept mean R, G or B"`
}

// agg is one instrument's summary of one bin.
type agg struct {
	bin   int64
	n     int32
	mean  [3]float64
	label string
}

// Compute bins one borehole. tables holds each listed instrument's rows
// (schemas.MeasureRow, in any order). Rows come back sorted by bin;
// features of instruments not listed are NaN with count 0.
func Compute(borehole string, p Params, tables map[string][]schemas.MeasureRow) ([]schemas.BinRow, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	aggs := make([][]agg, len(p.Instruments))
	for i, inst := range p.Instruments {
		aggs[i] = aggregate(tables[inst], p.Size)
	}
	var out []schemas.BinRow
	join(aggs, func(bins []*agg) {
		row := schemas.BinRow{
			Borehole: borehole, Bin: bins[0].bin, Depth: float64(bins[0].bin) * p.Size,
			GRA: math.NaN(), MS: math.NaN(), NGR: math.NaN(), R: math.NaN(), G: math.NaN(), B: math.NaN(),
			Principal: bins[0].label,
		}
		for i, inst := range p.Instruments {
			a := bins[i]
			switch inst {
			case "gra":
				row.GRA, row.NGRA = a.mean[0], a.n
			case "ms":
				row.MS, row.NMS = a.mean[0], a.n
			case "ngr":
				row.NGR, row.NNGR = a.mean[0], a.n
			case "rgb":
				row.R, row.G, row.B, row.NRGB = a.mean[0], a.mean[1], a.mean[2], a.n
			}
		}
		if p.keep(row) {
			out = append(out, row)
		}
	})
	return out, nil
}

// Instruments are the instrument names binning knows.
var Instruments = []string{"gra", "ms", "ngr", "rgb"}

// Check reports a bin size or instrument list that cannot work.
func (p Params) Check() error {
	if !(p.Size > 0) || math.IsInf(p.Size, 0) {
		return dag.ParamErrorf("size", "must be a positive number of metres, got %v", p.Size)
	}
	if len(p.Instruments) == 0 {
		return dag.ParamErrorf("instruments", "list at least one of %v", Instruments)
	}
	seen := map[string]bool{}
	for _, inst := range p.Instruments {
		if !slices.Contains(Instruments, inst) {
			return dag.ParamErrorf("instruments", "unknown instrument %q (known: %v)", inst, Instruments)
		}
		if seen[inst] {
			return dag.ParamErrorf("instruments", "%q listed twice", inst)
		}
		seen[inst] = true
	}
	return nil
}

// keep applies the range filters to the listed instruments' means.
func (p Params) keep(r schemas.BinRow) bool {
	if slices.Contains(p.Instruments, "gra") && !(r.GRA >= p.GRAMin && r.GRA <= p.GRAMax) {
		return false
	}
	if slices.Contains(p.Instruments, "rgb") {
		for _, v := range [...]float64{r.R, r.G, r.B} {
			if !(v >= p.RGBMin && v <= p.RGBMax) {
				return false
			}
		}
	}
	return true
}

// Index is the bin of a depth: round half to even of depth/size, on
// float64, as numpy.round does.
func Index(depth, size float64) int64 {
	return int64(math.RoundToEven(depth / size))
}

// aggregate summarises rows per bin, sorted by bin.
func aggregate(rows []schemas.MeasureRow, size float64) []agg {
	// Rounding is monotonic, so rows sorted by depth (ingest's order) are
	// grouped by bin already; sort the bin indexes otherwise.
	idx := make([]int64, len(rows))
	order := make([]int, len(rows))
	for i := range rows {
		idx[i] = Index(rows[i].Depth, size)
		order[i] = i
	}
	if !slices.IsSorted(idx) {
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(idx[a], idx[b]) })
	}
	var out []agg
	counts := map[string]int{}
	for start := 0; start < len(order); {
		end := start
		b := idx[order[start]]
		var sum [3]float64
		clear(counts)
		for ; end < len(order) && idx[order[end]] == b; end++ {
			r := &rows[order[end]]
			sum[0] += r.V0
			sum[1] += r.V1
			sum[2] += r.V2
			counts[r.Principal]++
		}
		n := float64(end - start)
		out = append(out, agg{bin: b, n: int32(end - start), mean: [3]float64{sum[0] / n, sum[1] / n, sum[2] / n}, label: mode(counts)})
		start = end
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
