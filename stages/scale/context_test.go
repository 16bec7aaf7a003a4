package scale

import (
	"math"
	"slices"
	"testing"

	"litho/schemas"
)

// gapped is a hand-made table: borehole A has bins 0, 1, 2 and 4 (bin 3
// was filtered out), borehole B the single bin 7.
func gapped(t *testing.T) []Borehole {
	tab := func(id string, rows ...schemas.BinRow) Borehole {
		tb := &schemas.BinTable{Features: []string{"gra", "ngr"}, Instruments: []string{"gra", "ngr"}, Rows: rows}
		for i := range tb.Rows {
			tb.Rows[i].Borehole, tb.Rows[i].Counts = id, []int32{1, 1}
		}
		return Borehole{ID: id, Bins: roundTrip(t, tb)}
	}
	row := func(bin int64, gra, ngr float64) schemas.BinRow {
		return schemas.BinRow{Bin: bin, Depth: float64(bin) * 0.2, Principal: "clay", Values: []float64{gra, ngr}}
	}
	return []Borehole{
		tab("A", row(0, 1, 10), row(1, 2, 20), row(2, 3, 30), row(4, 5, 50)),
		tab("B", row(7, 9, 90)),
	}
}

// Each bin is stacked with the bins Bin ± 1 … ± context of its borehole;
// a neighbour that does not exist is the bin itself.
func TestContextStacking(t *testing.T) {
	tests := []struct {
		context int
		names   []string
		// gra of the neighbours of each row, in (borehole, bin) order; ngr
		// is ten times gra throughout.
		gra [][]float64
	}{
		{0, []string{"gra", "ngr"}, [][]float64{{1}, {2}, {3}, {5}, {9}}},
		{1, []string{"gra@-1", "gra", "gra@+1", "ngr@-1", "ngr", "ngr@+1"},
			[][]float64{{1, 1, 2}, {1, 2, 3}, {2, 3, 3}, {5, 5, 5}, {9, 9, 9}}},
		{2, []string{"gra@-2", "gra@-1", "gra", "gra@+1", "gra@+2", "ngr@-2", "ngr@-1", "ngr", "ngr@+1", "ngr@+2"},
			[][]float64{{1, 1, 1, 2, 3}, {2, 1, 2, 3, 2}, {1, 2, 3, 3, 5}, {3, 5, 5, 5, 5}, {9, 9, 9, 9, 9}}},
	}
	for _, tc := range tests {
		p := DefaultParams()
		p.Features, p.Fractions, p.Context = []string{"gra", "ngr"}, Fractions{Train: 1}, tc.context
		res := apply(t, gapped(t), p)
		if got := res.Scaler.Inputs(); !slices.Equal(got, tc.names) {
			t.Errorf("context %d: inputs %v, want %v", tc.context, got, tc.names)
		}
		rows := res.Splits[Train]
		if len(rows) != len(tc.gra) {
			t.Fatalf("context %d: %d rows, want %d: every bin keeps its row", tc.context, len(rows), len(tc.gra))
		}
		for i, r := range rows {
			x := make([]float64, len(r.X))
			for j, v := range r.X {
				x[j] = float64(v)
			}
			want := append(slices.Clone(tc.gra[i]), scaled(tc.gra[i], 10)...)
			for j, v := range res.Scaler.Inverse(x) {
				if math.Abs(v-want[j]) > 1e-4*math.Max(1, want[j]) {
					t.Errorf("context %d: %s bin %d: %s = %g, want %g", tc.context, r.Borehole, r.Bin, tc.names[j], v, want[j])
				}
			}
		}
	}
}

func scaled(xs []float64, f float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = f * x
	}
	return out
}

// Context variants keep the same bins in the same splits, and the centre
// of each feature's stack is the bin's own input without context.
func TestContextKeepsRowsAndCentre(t *testing.T) {
	bs := synthBoreholes(t, 0, 30, 20)
	plain := apply(t, bs, DefaultParams())
	p := DefaultParams()
	p.Context = 1
	ctx := apply(t, bs, p)
	for _, s := range []string{Train, Val, Test} {
		if len(ctx.Splits[s]) != len(plain.Splits[s]) {
			t.Fatalf("%s: %d rows with context, %d without", s, len(ctx.Splits[s]), len(plain.Splits[s]))
		}
		for i, r := range ctx.Splits[s] {
			q := plain.Splits[s][i]
			if r.Borehole != q.Borehole || r.Bin != q.Bin || len(r.X) != 3*len(q.X) {
				t.Fatalf("%s row %d: %s bin %d (%d inputs), want %s bin %d", s, i, r.Borehole, r.Bin, len(r.X), q.Borehole, q.Bin)
			}
			for j := range q.X {
				if r.X[3*j+1] != q.X[j] {
					t.Fatalf("%s row %d: centre of %s is %g, want %g", s, i, DefaultFeatures[j], r.X[3*j+1], q.X[j])
				}
			}
		}
	}
	// A neighbour is scaled as its feature is.
	for i, f := range ctx.Scaler.Features {
		base := plain.Scaler.Features[i/3]
		if f.Mean != base.Mean || f.Std != base.Std || f.Transform != base.Transform || f.Offset != i%3-1 {
			t.Errorf("input %s: %+v, want the fit of %s", f.Name, f, base.Name)
		}
	}
}
