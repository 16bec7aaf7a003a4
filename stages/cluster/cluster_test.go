package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"litho/dag"
	"litho/schemas"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		labels    []int
		k         int
		want      []int
		wantOrder []int
	}{
		{[]int{2, 2, 0, 1, 0}, 3, []int{0, 0, 1, 2, 1}, []int{2, 0, 1}},
		{[]int{0, 1, 2}, 3, []int{0, 1, 2}, []int{0, 1, 2}},
		{[]int{3, 3, 1}, 4, []int{0, 0, 1}, []int{3, 1, 0, 2}}, // unused clusters last
	}
	for _, tt := range tests {
		got, order := Canonical(tt.labels, tt.k)
		if !slices.Equal(got, tt.want) || !slices.Equal(order, tt.wantOrder) {
			t.Errorf("Canonical(%v) = %v, %v; want %v, %v", tt.labels, got, order, tt.want, tt.wantOrder)
		}
	}
}

// latentRows makes rows of three boreholes from well-separated blobs,
// split between val and test.
func latentRows(n int) []schemas.LatentRow {
	pts, truth := sample(11, n, separated(11, 4, 3))
	rows := make([]schemas.LatentRow, n)
	for i := range rows {
		z := make([]float32, pts.D)
		for j, v := range pts.Row(i) {
			z[j] = float32(v)
		}
		split := "test"
		if i%5 == 0 {
			split = "val"
		}
		rows[i] = schemas.LatentRow{Borehole: fmt.Sprintf("U14%02d-A", i%3), Bin: int64(i), Depth: float64(i) * 0.2,
			Split: split, Principal: fmt.Sprintf("lith%d", truth[i]), Z: z}
	}
	return rows
}

func smallParams() Params {
	p := DefaultParams()
	p.Ks = []int{4, 3}
	p.NInit = 3
	return p
}

func TestFitThroughParquet(t *testing.T) {
	// Round-trip through real Parquet files on disk, as the stage does.
	dir := t.TempDir()
	b, err := schemas.WriteParquet(latentRows(600))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "latent.parquet")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := schemas.ReadParquet[schemas.LatentRow](b)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Fit(context.Background(), rows, smallParams())
	if err != nil {
		t.Fatal(err)
	}
	assign, models, err := res.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := schemas.ReadParquet[schemas.AssignmentRow](assign)
	if err != nil {
		t.Fatal(err)
	}
	nTest := 480
	if len(got) != 2*2*nTest {
		t.Fatalf("%d assignment rows, want %d", len(got), 4*nTest)
	}
	// Sorted by method, k, borehole, bin; labels canonical in each block.
	for blk := range 4 {
		rows := got[blk*nTest : (blk+1)*nTest]
		wantMethod, wantK := []string{"gmm", "gmm", "kmeans", "kmeans"}[blk], []int32{3, 4, 3, 4}[blk]
		next := int32(0)
		for i, r := range rows {
			if r.Method != wantMethod || r.K != wantK {
				t.Fatalf("block %d row %d: %s k=%d, want %s k=%d", blk, i, r.Method, r.K, wantMethod, wantK)
			}
			if i > 0 && (r.Borehole < rows[i-1].Borehole || r.Borehole == rows[i-1].Borehole && r.Bin <= rows[i-1].Bin) {
				t.Fatalf("block %d row %d out of order", blk, i)
			}
			if r.Cluster > next {
				t.Fatalf("block %d row %d: cluster %d before %d appeared", blk, i, r.Cluster, next)
			}
			if r.Cluster == next {
				next++
			}
		}
	}
	for _, want := range []string{`"schema": "litho.cluster-models/1"`, `"bic"`, `"aic"`, `"log_likelihood"`, `"covariances"`} {
		if !bytes.Contains(models, []byte(want)) {
			t.Errorf("models JSON lacks %s", want)
		}
	}
}

func TestFitIsDeterministicAndIgnoresRowOrder(t *testing.T) {
	rows := latentRows(400)
	a, am, err := fitEncode(rows)
	if err != nil {
		t.Fatal(err)
	}
	shuffled := slices.Clone(rows)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	b, bm, err := fitEncode(shuffled)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) || !bytes.Equal(am, bm) {
		t.Error("shuffled input rows gave different artifact bytes")
	}
}

func fitEncode(rows []schemas.LatentRow) ([]byte, []byte, error) {
	res, err := Fit(context.Background(), rows, smallParams())
	if err != nil {
		return nil, nil, err
	}
	return res.Encode()
}

// TestPermutedPartitionSameBytes relabels a fitted model's clusters by a
// permutation (the same partition under other numbers) and checks the
// encoded artifacts do not change.
func TestPermutedPartitionSameBytes(t *testing.T) {
	rows := latentRows(300)
	keys, pts, err := selectRows(rows, "all")
	if err != nil {
		t.Fatal(err)
	}
	km, err := KMeans(pts, KMeansConfig{K: 4, NInit: 2, MaxIter: 100, Tol: 1e-4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	gm, err := GMM(pts, GMMConfig{K: 4, MaxIter: 100, Tol: 1e-3, RegCovar: 1e-6, Seed: 1, KMeansMaxIter: 100, KMeansTol: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	perm := []int{2, 0, 3, 1} // new number of old cluster i
	inv := []int{1, 3, 0, 2}  // old cluster of new number i
	km2 := km
	km2.Labels = permuteLabels(km.Labels, perm)
	km2.Centers = permuteBlocks(km.Centers, inv, pts.D)
	gm2 := gm
	gm2.Labels = permuteLabels(gm.Labels, perm)
	gm2.Weights = permuteBlocks(gm.Weights, inv, 1)
	gm2.Means = permuteBlocks(gm.Means, inv, pts.D)
	gm2.Covariances = permuteBlocks(gm.Covariances, inv, pts.D*pts.D)

	encode := func(km KMeansResult, gm GMMResult) ([]byte, []byte) {
		res := &Result{Keys: keys, Models: Models{Schema: ModelsSchema, N: pts.N, Dim: pts.D}}
		m1, l1, _ := kmeansModel(pts, km)
		m2, l2, _ := gmmModel(pts, gm)
		res.Models.Models = []Model{m1, m2}
		for _, labels := range [][]int{l1, l2} {
			for i, key := range keys {
				res.Assignments = append(res.Assignments, schemas.AssignmentRow{Borehole: key.Borehole, Bin: key.Bin, K: 4, Cluster: int32(labels[i])})
			}
		}
		a, m, err := res.Encode()
		if err != nil {
			t.Fatal(err)
		}
		return a, m
	}
	a1, m1 := encode(km, gm)
	a2, m2 := encode(km2, gm2)
	if !bytes.Equal(a1, a2) {
		t.Error("assignments bytes differ for a permuted partition")
	}
	if !bytes.Equal(m1, m2) {
		t.Error("models bytes differ for a permuted partition")
	}
}

func permuteLabels(labels, perm []int) []int {
	out := make([]int, len(labels))
	for i, l := range labels {
		out[i] = perm[l]
	}
	return out
}

func TestFitBadInput(t *testing.T) {
	good := latentRows(50)
	tests := []struct {
		name   string
		mutate func([]schemas.LatentRow, *Params)
		want   string
	}{
		{"k above rows", func(_ []schemas.LatentRow, p *Params) { p.Ks = []int{60} }, "k=60 exceeds"},
		{"empty split", func(rs []schemas.LatentRow, p *Params) { p.Split = "train" }, `no rows in split "train"`},
		{"NaN in z", func(rs []schemas.LatentRow, _ *Params) { rs[7].Z[1] = float32(math.NaN()) }, "z[1] is NaN"},
		{"short z", func(rs []schemas.LatentRow, _ *Params) { rs[9].Z = rs[9].Z[:2] }, "has 2 dimensions, want 3"},
		{"duplicate bin", func(rs []schemas.LatentRow, _ *Params) { rs[3].Bin, rs[3].Borehole = rs[6].Bin, rs[6].Borehole }, "duplicate row"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := make([]schemas.LatentRow, len(good))
			for i, r := range good {
				r.Z = slices.Clone(r.Z)
				rows[i] = r
			}
			p := smallParams()
			p.Split = "all"
			tt.mutate(rows, &p)
			_, err := Fit(context.Background(), rows, p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestParamChecks(t *testing.T) {
	k, _ := dag.NewRegistry(Kind()).Lookup("cluster")
	tests := []struct {
		param string
		value any
		ok    bool
	}{
		{"ks", []int64{10, 12}, true},
		{"ks", []int64{1}, false},
		{"ks", []int64{}, false},
		{"methods", []string{"gmm"}, true},
		{"methods", []string{"dbscan"}, false},
		{"split", "val", true},
		{"split", "holdout", false},
		{"n_init", int64(0), false},
		{"reg_covar", -1.0, false},
	}
	for _, tt := range tests {
		if _, ok := k.Param(tt.param); !ok {
			t.Fatalf("no parameter %s", tt.param)
		}
		// The kind's defaults with one value changed, checked as Parse does.
		if err := new(dag.Node).Reset(k, map[string]any{tt.param: tt.value}); (err == nil) != tt.ok {
			t.Errorf("%s = %v: error %v, want ok=%v", tt.param, tt.value, err, tt.ok)
		}
		if err := new(dag.Node).Reset(k, nil); err != nil {
			t.Errorf("default of %s fails its check: %v", tt.param, err)
		}
	}
}

func TestModelsCriteria(t *testing.T) {
	res, err := Fit(context.Background(), latentRows(500), smallParams())
	if err != nil {
		t.Fatal(err)
	}
	_, b, err := res.Encode()
	if err != nil {
		t.Fatal(err)
	}
	var models Models
	if err := json.Unmarshal(b, &models); err != nil {
		t.Fatal(err)
	}
	n := float64(models.N)
	wantParams := map[string]map[int]int{
		"gmm":    {3: 3*6 + 3*3 + 2, 4: 4*6 + 4*3 + 3}, // covariances + means + weights
		"kmeans": {3: 3*3 + 3, 4: 4*3 + 4},             // centres + weights + shared variance
	}
	for _, m := range models.Models {
		if m.NumParams != wantParams[m.Method][m.K] {
			t.Errorf("%s k=%d: %d parameters, want %d", m.Method, m.K, m.NumParams, wantParams[m.Method][m.K])
		}
		if bic := -2*m.LogLikelihood + float64(m.NumParams)*math.Log(n); math.Abs(m.BIC-bic) > 1e-9*math.Abs(bic) {
			t.Errorf("%s k=%d: BIC %g, want %g", m.Method, m.K, m.BIC, bic)
		}
		if aic := -2*m.LogLikelihood + 2*float64(m.NumParams); math.Abs(m.AIC-aic) > 1e-9*math.Abs(aic) {
			t.Errorf("%s k=%d: AIC %g, want %g", m.Method, m.K, m.AIC, aic)
		}
		total := 0
		for _, s := range m.Sizes {
			total += s
		}
		if total != models.N || len(m.Means) != m.K {
			t.Errorf("%s k=%d: sizes sum to %d of %d, %d means", m.Method, m.K, total, models.N, len(m.Means))
		}
		if m.Method == "gmm" && m.Trace[len(m.Trace)-1]*n != m.LogLikelihood {
			t.Errorf("gmm k=%d: log-likelihood %g is not n × the last trace value", m.K, m.LogLikelihood)
		}
	}
	// Four blobs: the mixture with k=4 explains them better than k=3.
	bic := map[int]float64{}
	for _, m := range models.Models {
		if m.Method == "gmm" {
			bic[m.K] = m.BIC
		}
	}
	if bic[4] >= bic[3] {
		t.Errorf("gmm BIC k=4 %g not below k=3 %g on four blobs", bic[4], bic[3])
	}
}
