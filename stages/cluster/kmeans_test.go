package cluster

import (
	"math"
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

// naiveLloyd is the textbook algorithm the bounded one must reproduce:
// every point against every centre, every iteration.
func naiveLloyd(p Points, centers []float64, k, maxIter int, tolAbs float64) ([]int, int) {
	labels := make([]int, p.N)
	assignAll := func() bool {
		changed := false
		for i := range p.N {
			best, bestD := 0, math.Inf(1)
			for j := range k {
				if dd := SqDist(p.Row(i), centers[j*p.D:(j+1)*p.D]); dd < bestD {
					best, bestD = j, dd
				}
			}
			changed = changed || labels[i] != best
			labels[i] = best
		}
		return changed
	}
	assignAll()
	iter := 0
	for iter < maxIter {
		next, empty := updateCenters(p, labels, k, 1)
		if len(empty) > 0 {
			panic("test data should not empty a cluster")
		}
		shift := 0.0
		for j := range k {
			shift += SqDist(next[j*p.D:(j+1)*p.D], centers[j*p.D:(j+1)*p.D])
		}
		centers = next
		changed := assignAll()
		iter++
		if !changed || shift <= tolAbs {
			break
		}
	}
	return labels, iter
}

func TestLloydBoundsMatchNaive(t *testing.T) {
	// Overlapping blobs need many iterations of small moves, where the
	// bounds skip most points.
	overlap := blobs(9, 8, 3, 2.5)
	pts, _ := sample(9, 3000, overlap)
	for _, seed := range []uint64{1, 2} {
		rng := rand.New(rand.NewPCG(seed, 1))
		init := kmeansPlusPlus(pts, 8, rng, 1)
		want, wantIter := naiveLloyd(pts, slices.Clone(init), 8, 300, 0)
		got := lloyd(pts, slices.Clone(init), 8, 300, 0, 2)
		if got.Iter != wantIter || !slices.Equal(got.Labels, want) {
			t.Errorf("seed %d: bounded Lloyd %d iterations, naive %d; labels equal: %v", seed, got.Iter, wantIter, slices.Equal(got.Labels, want))
		}
		if wantIter < 10 {
			t.Errorf("seed %d: only %d iterations; the test wants a long tail", seed, wantIter)
		}
		var inertia float64
		for i, l := range want {
			inertia += SqDist(pts.Row(i), got.Centers[l*pts.D:(l+1)*pts.D])
		}
		if math.Abs(inertia-got.Inertia) > 1e-9*inertia {
			t.Errorf("seed %d: inertia %v, recomputed %v", seed, got.Inertia, inertia)
		}
	}
}
