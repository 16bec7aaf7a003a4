package scale

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"litho/schemas"
)

// production is the bin table layout of the production model's four
// instruments.
var production = schemas.BinTable{Features: DefaultFeatures, Instruments: []string{"gra", "ms", "ngr", "rgb"}}

// synthBoreholes makes n boreholes of realistic bins and passes each
// through real Parquet bytes, as the bin stage would hand them over.
func synthBoreholes(t *testing.T, first, n, bins int) []Borehole {
	t.Helper()
	var out []Borehole
	for i := first; i < first+n; i++ {
		id := fmt.Sprintf("U%04d-A", 1300+i)
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		tab := production
		tab.Rows = make([]schemas.BinRow, bins)
		for j := range tab.Rows {
			// gra, ms, ngr, r, g, b
			v := []float64{1.7 + 0.25*rng.NormFloat64(), math.Exp(2.4+rng.NormFloat64()) - 5,
				25 + 10*rng.NormFloat64(), 3 + 250*rng.Float64(), 3 + 250*rng.Float64(), 3 + 250*rng.Float64()}
			tab.Rows[j] = schemas.BinRow{Borehole: id, Bin: int64(j), Depth: float64(j) * 0.2, Principal: "clay",
				Values: v, Counts: []int32{10, 10, 2, 40}}
		}
		out = append(out, Borehole{ID: id, Bins: roundTrip(t, &tab)})
	}
	return out
}

func roundTrip(t *testing.T, tab *schemas.BinTable) *schemas.BinTable {
	t.Helper()
	b, err := schemas.WriteBins(tab)
	if err != nil {
		t.Fatal(err)
	}
	back, err := schemas.ReadBins(b)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

var defaults = Fractions{Train: 0.70, Val: 0.15}

// params are the defaults with the split changed.
func params(seed int64, f Fractions) Params {
	p := DefaultParams()
	p.Seed, p.Fractions = seed, f
	return p
}

func apply(t *testing.T, bs []Borehole, p Params) *Result {
	t.Helper()
	res, err := Apply(bs, p)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

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
			was := splitOf(apply(t, small, params(tc.seed, tc.f)))
			now := splitOf(apply(t, large, params(tc.seed, tc.f)))
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
		_, err := Apply(synthBoreholes(t, 0, 3, 2), params(1, tc.f))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("fractions %+v: error %v, want one naming %q", tc.f, err, tc.want)
		}
	}
}

// The default parameters must scale exactly as the six-feature code did
// before features became parameters: the digest of the numeric content
// of the three tables, computed with that code (commit 9a9195b) on this
// fixture, so the production model's results stay the same.
func TestDefaultContentUnchanged(t *testing.T) {
	res := apply(t, synthBoreholes(t, 0, 30, 20), DefaultParams())
	h := sha256.New()
	for _, s := range []string{Train, Val, Test} {
		for _, r := range res.Splits[s] {
			fmt.Fprintf(h, "%s|%d|%s|%s|", r.Borehole, r.Bin, r.Split, r.Principal)
			binary.Write(h, binary.LittleEndian, math.Float64bits(r.Depth))
			for _, x := range r.X {
				binary.Write(h, binary.LittleEndian, math.Float32bits(x))
			}
		}
	}
	if got, want := fmt.Sprintf("%x", h.Sum(nil)), "8dd80dc723b1f2075a7a88bf77cb0d8e686ad98ee36a0a1f3c61251ab1d55d18"; got != want {
		t.Errorf("scaled content digest %s, want %s (the pre-parameter code's)", got, want)
	}
	if got := res.Scaler.Inputs(); !slices.Equal(got, DefaultFeatures) {
		t.Errorf("inputs %v, want %v", got, DefaultFeatures)
	}
}

// Each scaling mode, and an override, gives each feature its transform,
// and the scaler maps values back through it.
func TestScalerRoundTrip(t *testing.T) {
	declared := []string{schemas.Identity, schemas.SignedLog, schemas.SignedLog, schemas.Log1p, schemas.Log1p, schemas.Log1p}
	identity := slices.Repeat([]string{schemas.Identity}, 6)
	tests := []struct {
		name       string
		scaling    string
		transforms map[string]string
		want       []string
	}{
		{"distribution", Distribution, nil, declared},
		{"standard", Standard, nil, identity},
		{"distribution with ms plain", Distribution, map[string]string{"ms": schemas.Identity},
			[]string{schemas.Identity, schemas.Identity, schemas.SignedLog, schemas.Log1p, schemas.Log1p, schemas.Log1p}},
		{"standard with ms signed log", Standard, map[string]string{"ms": schemas.SignedLog},
			[]string{schemas.Identity, schemas.SignedLog, schemas.Identity, schemas.Identity, schemas.Identity, schemas.Identity}},
	}
	rows := [][]float64{
		{1.63, 4, 18, 100, 100, 100},
		{2.71, 423, 3.9, 40, 40, 40},
		{0.3, -480, -2, 0, 255, 3},
		{4.0, 9000, 0, 255, 0, 254},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultParams()
			p.Scaling, p.Transforms = tc.scaling, tc.transforms
			res := apply(t, synthBoreholes(t, 0, 30, 20), p)
			enc, err := res.Scaler.Encode()
			if err != nil {
				t.Fatal(err)
			}
			sc, err := Decode(enc)
			if err != nil {
				t.Fatal(err)
			}
			for i, f := range sc.Features {
				if f.Transform != tc.want[i] {
					t.Errorf("%s: transform %s, want %s", f.Name, f.Transform, tc.want[i])
				}
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
				for i, back := range sc.Inverse(x64) {
					// float32 storage limits the precision of the round trip.
					if math.Abs(back-r[i]) > 1e-5*math.Max(1, math.Abs(r[i])) {
						t.Errorf("%s: %g → %g → %g", sc.Features[i].Name, r[i], x[i], back)
					}
				}
			}
		})
	}
}

func TestScaledTrainIsStandardised(t *testing.T) {
	for _, scaling := range []string{Distribution, Standard} {
		p := DefaultParams()
		p.Scaling = scaling
		train := apply(t, synthBoreholes(t, 0, 30, 50), p).Splits[Train]
		for j, name := range DefaultFeatures {
			var sum, sq float64
			for _, r := range train {
				sum += float64(r.X[j])
				sq += float64(r.X[j]) * float64(r.X[j])
			}
			n := float64(len(train))
			mean, std := sum/n, math.Sqrt(sq/n-(sum/n)*(sum/n))
			if math.Abs(mean) > 1e-4 || math.Abs(std-1) > 1e-4 {
				t.Errorf("%s, %s scaling, on train: mean %g std %g, want 0 and 1", name, scaling, mean, std)
			}
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
			for j := range changed[i].Bins.Rows {
				v := changed[i].Bins.Rows[j].Values
				v[0] += 1  // gra
				v[1] *= 10 // ms
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
	res := apply(t, bs, DefaultParams())
	out := map[string][]byte{}
	var err error
	if out["scaler"], err = res.Scaler.Encode(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{Train, Val, Test} {
		if out[s], err = schemas.WriteScaled(&schemas.ScaledTable{Features: res.Scaler.Inputs(), Rows: res.Splits[s]}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestUnscalableValueNamesBin(t *testing.T) {
	bs := synthBoreholes(t, 0, 20, 5)
	for i := range bs {
		bs[i].Bins.Rows[3].Values[3] = -2 // r: ln(1 + x) undefined
	}
	_, err := Apply(bs, DefaultParams())
	if err == nil || !strings.Contains(err.Error(), "bin 3") || !strings.Contains(err.Error(), "r = -2") {
		t.Fatalf("error %v, want one naming the bin and the value", err)
	}
}

// Features are picked by name, in the order listed, from tables that
// hold more (or fewer) columns.
func TestFeatureSelection(t *testing.T) {
	bs := synthBoreholes(t, 0, 30, 20)
	p := DefaultParams()
	p.Features = []string{"ngr", "gra"}
	res := apply(t, bs, p)
	full := apply(t, bs, DefaultParams())
	if got := res.Scaler.Inputs(); !slices.Equal(got, []string{"ngr", "gra"}) {
		t.Fatalf("inputs %v", got)
	}
	for i, r := range res.Splits[Test] {
		if want := full.Splits[Test][i].X; r.X[0] != want[2] || r.X[1] != want[0] {
			t.Fatalf("row %d: %v, want ngr and gra of %v", i, r.X, want)
		}
	}
	p.Features = []string{"gra", "rsc_l"}
	_, err := Apply(bs, p)
	if err == nil || !strings.Contains(err.Error(), `"rsc_l"`) || !strings.Contains(err.Error(), "[gra, ms, ngr, r, g, b]") {
		t.Errorf("missing column: error %v, want one naming rsc_l and the table's features", err)
	}
}

// Nothing to train on names the cause: no borehole at all points
// upstream (ingest's rejects, bin's join), too few in train gives the
// counts.
func TestEmptyInputsNameTheCause(t *testing.T) {
	tests := []struct {
		name      string
		boreholes []Borehole
		f         Fractions
		want      string
	}{
		{"no boreholes", nil, Fractions{Train: 0.7, Val: 0.15}, "no binned borehole to split: the bins upstream are empty (every row of the input files rejected at ingest"},
		{"none in train", synthBoreholes(t, 0, 2, 2), Fractions{Train: 1e-9, Val: 0.5}, "fit scaler: no training rows: 0 of 2 boreholes are in train"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Apply(tc.boreholes, params(1, tc.f))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
