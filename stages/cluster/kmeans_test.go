package cluster

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestKMeansBestRestartNeverWorse(t *testing.T) {
	pts, _ := sample(5, 4000, separated(5, 12, 4))
	for _, seed := range []uint64{1, 2, 3} {
		cfg := KMeansConfig{K: 12, NInit: 8, MaxIter: 300, Tol: 1e-4, Seed: seed}
		res, err := KMeans(pts, cfg)
		if err != nil {
			t.Fatal(err)
		}
		tolAbs := cfg.Tol * meanColumnVariance(pts)
		for r := range cfg.NInit {
			// Rerun restart r alone from its own stream.
			rng := rand.New(rand.NewPCG(seed, uint64(r)+1))
			single := lloyd(pts, kmeansPlusPlus(pts, cfg.K, rng, 1), cfg.K, cfg.MaxIter, tolAbs, 1)
			if single.Inertia != res.Inertias[r] {
				t.Errorf("seed %d restart %d: alone %g, within n_init %g", seed, r, single.Inertia, res.Inertias[r])
			}
			if res.Inertia > single.Inertia {
				t.Errorf("seed %d: kept inertia %g worse than restart %d's %g", seed, res.Inertia, r, single.Inertia)
			}
		}
		if res.Inertia != slices.Min(res.Inertias) {
			t.Errorf("seed %d: kept %g, minimum %g", seed, res.Inertia, slices.Min(res.Inertias))
		}
	}
}

func TestKMeansFindsSeparatedClusters(t *testing.T) {
	pts, truth := sample(6, 3000, separated(6, 5, 3))
	res, err := KMeans(pts, KMeansConfig{K: 5, NInit: 4, MaxIter: 300, Tol: 1e-4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Every true component maps to exactly one cluster.
	seen := map[int]int{}
	for i, l := range res.Labels {
		if c, ok := seen[truth[i]]; ok && c != l {
			t.Fatalf("component %d split between clusters %d and %d", truth[i], c, l)
		}
		seen[truth[i]] = l
	}
}

func TestKMeansDeterministicAcrossWorkers(t *testing.T) {
	pts, _ := sample(7, 5000, separated(7, 8, 5))
	var got []KMeansResult
	for _, w := range []int{1, 2, 5} {
		for _, nInit := range []int{1, 6} {
			res, err := KMeans(pts, KMeansConfig{K: 8, NInit: nInit, MaxIter: 300, Tol: 1e-4, Seed: 4, Workers: w})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, res)
		}
	}
	for i := 2; i < len(got); i++ {
		if got[i].Inertia != got[i%2].Inertia || !slices.Equal(got[i].Labels, got[i%2].Labels) {
			t.Errorf("run %d differs: inertia %v vs %v", i, got[i].Inertia, got[i%2].Inertia)
		}
	}
}

func TestKMeansEmptyClusterRelocated(t *testing.T) {
	// Two distinct points repeated, k=3: one cluster must go empty at
	// some point or duplicate; the result must still label every row
	// with a valid cluster and have finite centres.
	p := withRepeatedPoint(withRepeatedPoint(Points{D: 2}, []float64{0, 0}, 10), []float64{5, 5}, 10)
	res, err := KMeans(p, KMeansConfig{K: 3, NInit: 3, MaxIter: 50, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Inertia != 0 {
		t.Errorf("inertia %g, want 0", res.Inertia)
	}
}

func TestKMeansBadConfig(t *testing.T) {
	pts, _ := sample(8, 10, separated(8, 2, 2))
	tests := []struct {
		name string
		cfg  KMeansConfig
	}{
		{"k above n", KMeansConfig{K: 11, NInit: 1, MaxIter: 1}},
		{"k zero", KMeansConfig{K: 0, NInit: 1, MaxIter: 1}},
		{"no restarts", KMeansConfig{K: 2, NInit: 0, MaxIter: 1}},
		{"no iterations", KMeansConfig{K: 2, NInit: 1, MaxIter: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := KMeans(pts, tt.cfg); err == nil {
				t.Error("no error")
			}
		})
	}
}
