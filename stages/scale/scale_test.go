package scale

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"litho/schemas"
)

// synthBoreholes makes n boreholes of realistic bins and passes each
// through real Parquet bytes, as the bin stage would hand them over.
func synthBoreholes(t *testing.T, first, n, bins int) []Borehole {
	t.Helper()
	var out []Borehole
	for i := first; i < first+n; i++ {
		id := fmt.Sprintf("U%04d-A", 1300+i)
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		rows := make([]schemas.BinRow, bins)
		for j := range rows {
			rows[j] = schemas.BinRow{
				Borehole: id, Bin: int64(j), Depth: float64(j) * 0.2,
				GRA: 1.7 + 0.25*rng.NormFloat64(), MS: math.Exp(2.4+rng.NormFloat64()) - 5,
				NGR: 25 + 10*rng.NormFloat64(), R: 3 + 250*rng.Float64(), G: 3 + 250*rng.Float64(),
				B: 3 + 250*rng.Float64(), Principal: "clay",
			}
		}
		b, err := schemas.WriteParquet(rows)
		if err != nil {
			t.Fatal(err)
		}
		back, err := schemas.ReadParquet[schemas.BinRow](b)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Borehole{ID: id, Rows: back})
	}
	return out
}

var defaults = Fractions{Train: 0.70, Val: 0.15}

func TestSplitStableWhenAddingBoreholes(t *testing.T) {
	tests := []struct {
		name  string
		seed  int64
		f     Fractions
		added int
	}{
		{"defaults", 1, defaults, 50},
		{"other seed", 42, defaults, 200},
		{"no validation", 3, Fractions{Train: 0.8}, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			small := synthBoreholes(t, 0, 40, 3)
			large := append(synthBoreholes(t, 0, 40, 3), synthBoreholes(t, 40, tc.added, 3)...)
			before, err := Apply(small, tc.seed, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			after, err := Apply(large, tc.seed, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			was := splitOf(before)
			now := splitOf(after)
			for id, s := range was {
				if now[id] != s {
					t.Errorf("borehole %s moved from %s to %s when boreholes were added", id, s, now[id])
				}
			}
		})
	}
}

func splitOf(r *Result) map[string]string {
	m := map[string]string{}
	for s, rows := range r.Splits {
		for _, row := range rows {
			m[row.Borehole] = s
		}
	}
	return m
}

func TestSplitFractions(t *testing.T) {
	counts := map[string]int{}
	const n = 20000
	for i := range n {
		counts[Assign(fmt.Sprintf("B%d", i), 1, defaults)]++
	}
	for s, want := range map[string]float64{Train: 0.70, Val: 0.15, Test: 0.15} {
		if got := float64(counts[s]) / n; math.Abs(got-want) > 0.02 {
			t.Errorf("%s share = %.3f, want %.2f", s, got, want)
		}
	}
	if Assign("B1", 1, defaults) == Assign("B1", 2, defaults) && Assign("B2", 1, defaults) == Assign("B2", 2, defaults) &&
		Assign("B3", 1, defaults) == Assign("B3", 2, defaults) && Assign("B4", 1, defaults) == Assign("B4", 2, defaults) {
		t.Error("the seed does not change any of four assignments")
	}
}

func TestFractionErrors(t *testing.T) {
	tests := []struct {
		f    Fractions
		want string
	}{
		{Fractions{Train: 0, Val: 0.1}, "train_frac"},
		{Fractions{Train: 1.2, Val: 0}, "train_frac"},
		{Fractions{Train: 0.7, Val: -0.1}, "val_frac"},
		{Fractions{Train: 0.7, Val: 0.5}, "train_frac + val_frac"},
	}
	for _, tc := range tests {
		_, err := Apply(synthBoreholes(t, 0, 3, 2), 1, tc.f)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("fractions %+v: error %v, want one naming %q", tc.f, err, tc.want)
		}
	}
}

func TestScalerRoundTrip(t *testing.T) {
	res, err := Apply(synthBoreholes(t, 0, 30, 20), 1, defaults)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := res.Scaler.Encode()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	rows := []schemas.BinRow{
		{GRA: 1.63, MS: 4, NGR: 18, R: 100, G: 100, B: 100},
		{GRA: 2.71, MS: 423, NGR: 3.9, R: 40, G: 40, B: 40},
		{GRA: 0.3, MS: -480, NGR: -2, R: 0, G: 255, B: 3},
		{GRA: 4.0, MS: 9000, NGR: 0, R: 255, G: 0, B: 254},
	}
	for _, r := range rows {
		x, err := sc.Transform(r)
		if err != nil {
			t.Fatal(err)
		}
		x64 := make([]float64, len(x))
		for i, v := range x {
			x64[i] = float64(v)
		}
		back := sc.Inverse(x64)
		for i, want := range raw(r) {
			// float32 storage limits the precision of the round trip.
			if math.Abs(back[i]-want) > 1e-5*math.Max(1, math.Abs(want)) {
				t.Errorf("%s: %g → %g → %g", schemas.Features[i], want, x[i], back[i])
			}
		}
	}
}

func TestScaledTrainIsStandardised(t *testing.T) {
	res, err := Apply(synthBoreholes(t, 0, 30, 50), 1, defaults)
	if err != nil {
		t.Fatal(err)
	}
	train := res.Splits[Train]
	for j, name := range schemas.Features {
		var sum, sq float64
		for _, r := range train {
			sum += float64(r.X[j])
			sq += float64(r.X[j]) * float64(r.X[j])
		}
		n := float64(len(train))
		mean, std := sum/n, math.Sqrt(sq/n-(sum/n)*(sum/n))
		if math.Abs(mean) > 1e-4 || math.Abs(std-1) > 1e-4 {
			t.Errorf("%s on train: mean %g std %g, want 0 and 1", name, mean, std)
		}
	}
}

// A change confined to test boreholes must leave the scaler, train and
// validation bytes unchanged (so the runner's early cutoff keeps training
// cached), and must change the test table.
func TestScalerFittedOnTrainOnly(t *testing.T) {
	base := synthBoreholes(t, 0, 40, 10)
	changed := synthBoreholes(t, 0, 40, 10)
	var touched int
	for i := range changed {
		if Assign(changed[i].ID, 1, defaults) == Test {
			for j := range changed[i].Rows {
				changed[i].Rows[j].GRA += 1
				changed[i].Rows[j].MS *= 10
			}
			touched++
		}
	}
	if touched == 0 {
		t.Fatal("fixture has no test boreholes")
	}
	a, b := encodeAll(t, base), encodeAll(t, changed)
	for _, name := range []string{"scaler", Train, Val} {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s changed when only test boreholes changed", name)
		}
	}
	if bytes.Equal(a[Test], b[Test]) {
		t.Error("test table did not change when test boreholes changed")
	}
}

func encodeAll(t *testing.T, bs []Borehole) map[string][]byte {
	t.Helper()
	res, err := Apply(bs, 1, defaults)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	if out["scaler"], err = res.Scaler.Encode(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{Train, Val, Test} {
		if out[s], err = schemas.WriteParquet(res.Splits[s]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestUnscalableValueNamesBin(t *testing.T) {
	bs := synthBoreholes(t, 0, 20, 5)
	for i := range bs {
		bs[i].Rows[3].R = -2 // ln(1 + x) undefined
	}
	_, err := Apply(bs, 1, defaults)
	if err == nil || !strings.Contains(err.Error(), "bin 3") || !strings.Contains(err.Error(), "r = -2") {
		t.Fatalf("error %v, want one naming the bin and the value", err)
	}
}
