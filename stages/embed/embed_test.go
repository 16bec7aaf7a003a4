package embed

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"litho/schemas"
	"litho/stages/train"
)

// features are the production model's six inputs.
var features = train.Default().Features

// tables makes scaled tables of a few boreholes per split, as real
// Parquet bytes, with rows interleaved across splits by borehole name.
func tables(t *testing.T) map[string][]byte { return tablesOf(t, features) }

// tablesOf is tables with the given feature names.
func tablesOf(t *testing.T, names []string) map[string][]byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	out := map[string][]byte{}
	for si, s := range splits {
		var rows []schemas.ScaledRow
		for b := range 3 {
			id := fmt.Sprintf("U13%d%d-A", b, si) // boreholes of the splits interleave when sorted
			for bin := range 150 {
				x := make([]float32, len(names))
				for j := range x {
					x[j] = float32(rng.NormFloat64())
				}
				rows = append(rows, schemas.ScaledRow{Borehole: id, Bin: int64(bin), Depth: float64(bin) * 0.2,
					Split: s, Principal: "clay", X: x})
			}
		}
		b, err := schemas.WriteScaled(&schemas.ScaledTable{Features: names, Rows: rows})
		if err != nil {
			t.Fatal(err)
		}
		out[s] = b
	}
	return out
}

func trained(t *testing.T, tabs map[string][]byte) (*train.Model, []byte) {
	t.Helper()
	tr, err := train.DecodeTable("train", tabs["train"], nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := train.Default()
	cfg.Features, cfg.MaxEpochs, cfg.BatchSize = tr.Features, 2, 64
	return fit(t, cfg, tr.X)
}

// fit trains cfg on x with the pure-Go backend and returns the model and
// its checkpoint.
func fit(t *testing.T, cfg train.Config, x []float32) (*train.Model, []byte) {
	t.Helper()
	b, err := train.NewBackend("go")
	if err != nil {
		t.Fatal(err)
	}
	res, err := train.Fit(context.Background(), b.Engine, cfg, x, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ckpt, err := res.Model.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	return res.Model, ckpt
}

func TestEmbedEveryBinInInferenceMode(t *testing.T) {
	tabs := tables(t)
	model, ckpt := trained(t, tabs)
	latent, stats, err := Embed(ckpt, tabs)
	if err != nil {
		t.Fatal(err)
	}
	if len(latent) != 3*3*150 || stats.Rows != len(latent) {
		t.Fatalf("%d latent rows, stats of %d, want %d", len(latent), stats.Rows, 3*3*150)
	}
	if !slices.IsSortedFunc(latent, func(a, b schemas.LatentRow) int {
		return cmp.Or(cmp.Compare(a.Borehole, b.Borehole), cmp.Compare(a.Bin, b.Bin))
	}) {
		t.Error("latent rows are not sorted by borehole, bin")
	}
	byKey := map[string]schemas.LatentRow{}
	for _, r := range latent {
		byKey[fmt.Sprint(r.Borehole, r.Bin)] = r
	}
	// μ of the trained model itself, in inference mode, split by split.
	for _, s := range splits {
		tab, err := train.DecodeTable(s, tabs[s], features)
		if err != nil {
			t.Fatal(err)
		}
		inf, err := model.Infer(tab.X)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range tab.Rows {
			got := byKey[fmt.Sprint(r.Borehole, r.Bin)]
			if got.Split != s || !slices.Equal(got.Z, inf.Mu[i*10:(i+1)*10]) {
				t.Fatalf("%s %s bin %d: latent %v (split %s), want %v", s, r.Borehole, r.Bin, got.Z, got.Split, inf.Mu[i*10:(i+1)*10])
			}
		}
	}
	again, _, err := Embed(ckpt, tabs)
	if err != nil || !slices.EqualFunc(latent, again, func(a, b schemas.LatentRow) bool { return slices.Equal(a.Z, b.Z) }) {
		t.Errorf("embedding twice differs (err %v)", err)
	}
	if stats.Model.Parameters != 2202 || !slices.Equal(stats.Model.Features, features) {
		t.Errorf("stats model %+v, want 2,202 parameters on %v", stats.Model, features)
	}
}

// Stats carry the reconstruction R² of every feature on the test split,
// equal to one computed here from the model's reconstruction, and for a
// masked model the imputation R² of every feature.
func TestEmbedReconstructionR2(t *testing.T) {
	tabs := tables(t)
	model, ckpt := trained(t, tabs)
	_, stats, err := Embed(ckpt, tabs)
	if err != nil {
		t.Fatal(err)
	}
	test, err := train.DecodeTable("test", tabs["test"], features)
	if err != nil {
		t.Fatal(err)
	}
	inf, err := model.Infer(test.X)
	if err != nil {
		t.Fatal(err)
	}
	d := len(features)
	for j, f := range features {
		var mean, res, tot float64
		for i := 0; i < len(test.Rows); i++ {
			mean += float64(test.X[i*d+j]) / float64(len(test.Rows))
		}
		for i := 0; i < len(test.Rows); i++ {
			e, v := float64(test.X[i*d+j]-inf.Recon[i*d+j]), float64(test.X[i*d+j])-mean
			res, tot = res+e*e, tot+v*v
		}
		if got, want := stats.Model.ReconR2[f], 1-res/tot; math.Abs(got-want) > 1e-6 {
			t.Errorf("recon R² of %s %v, want %v", f, got, want)
		}
	}
	if stats.Model.ImputeR2 != nil {
		t.Errorf("unmasked model has imputation R² %v", stats.Model.ImputeR2)
	}

	masked := train.Default()
	masked.MaxEpochs, masked.BatchSize, masked.Masking, masked.MaskRate = 2, 64, train.RandomMasking, 0.2
	tr, _ := train.DecodeTable("train", tabs["train"], features)
	_, mckpt := fit(t, masked, tr.X)
	_, mstats, err := Embed(mckpt, tabs)
	if err != nil {
		t.Fatal(err)
	}
	if len(mstats.Model.ImputeR2) != d || len(mstats.Model.ReconR2) != d || mstats.Model.Parameters != 2202+6*32 {
		t.Errorf("masked model stats %+v, want R² for %d features and 2,394 parameters", mstats.Model, d)
	}
}

// A model refuses tables of other features, even of its width, naming
// both lists; one trained on them embeds them.
func TestEmbedRefusesOtherFeatures(t *testing.T) {
	_, ckpt := trained(t, tables(t))
	tests := []struct {
		name  string
		names []string
	}{
		{"reordered", []string{"ms", "gra", "ngr", "r", "g", "b"}},
		{"v1", []string{"gra", "ms", "ngr"}},
		{"context", []string{"gra@-1", "gra", "gra@+1", "ms@-1", "ms", "ms@+1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			other := tablesOf(t, tc.names)
			_, _, err := Embed(ckpt, other)
			if err == nil || !strings.Contains(err.Error(), "["+strings.Join(tc.names, ", ")+"]") ||
				!strings.Contains(err.Error(), "[gra, ms, ngr, r, g, b]") {
				t.Fatalf("error %v, want one naming the table's and the model's features", err)
			}
			_, own := trained(t, other)
			_, stats, err := Embed(own, other)
			if err != nil || !slices.Equal(stats.Model.Features, tc.names) {
				t.Errorf("own model: stats %+v, error %v", stats, err)
			}
		})
	}
}

func TestEmbedBadInputs(t *testing.T) {
	tabs := tables(t)
	_, ckpt := trained(t, tabs)
	if _, _, err := Embed([]byte("garbage"), tabs); err == nil || !strings.Contains(err.Error(), "input model") {
		t.Errorf("bad checkpoint: error %v, want one naming input model", err)
	}
	bad := map[string][]byte{"train": tabs["train"], "val": []byte("nope"), "test": tabs["test"]}
	if _, _, err := Embed(ckpt, bad); err == nil || !strings.Contains(err.Error(), "input val") {
		t.Errorf("bad table: error %v, want one naming input val", err)
	}
}

func TestSummarise(t *testing.T) {
	rows := func(cols ...[]float32) []schemas.LatentRow {
		out := make([]schemas.LatentRow, len(cols[0]))
		for i := range out {
			for _, c := range cols {
				out[i].Z = append(out[i].Z, c[i])
			}
		}
		return out
	}
	tests := []struct {
		name      string
		rows      []schemas.LatentRow
		collapsed []int
		effective float64
	}{
		{"all active, equal spread", rows([]float32{-1, 1, -1, 1}, []float32{1, -1, -1, 1}), []int{}, 2},
		{"one collapsed", rows([]float32{-1, 1, -1, 1}, []float32{0.01, 0.02, 0.01, 0.02}, []float32{2, -2, 2, -2}), []int{1}, 25.0 / 17},
		{"all collapsed", rows([]float32{0, 0}, []float32{0.05, 0.05}), []int{0, 1}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Summarise(tc.rows, len(tc.rows[0].Z))
			if !slices.Equal(s.Collapsed, tc.collapsed) || s.Active != len(s.Std)-len(tc.collapsed) {
				t.Errorf("collapsed %v (active %d), want %v", s.Collapsed, s.Active, tc.collapsed)
			}
			if math.Abs(s.EffectiveDim-tc.effective) > 1e-3 {
				t.Errorf("effective dimension %.4f, want %.4f", s.EffectiveDim, tc.effective)
			}
		})
	}
}
