package cluster

import (
	"math"
	"strings"
	"testing"
)

// threeBlobs is a 2-D mixture with unequal weights and correlated,
// differently shaped covariances.
var threeBlobs = []component{
	{mean: []float64{0, 0}, chol: []float64{1, 0, 0.5, 0.5}, weight: 0.5},
	{mean: []float64{6, 1}, chol: []float64{0.4, 0, -0.3, 1.2}, weight: 0.3},
	{mean: []float64{-2, 7}, chol: []float64{2, 0, 0, 0.3}, weight: 0.2},
}

func TestGMMRecoversKnownMixture(t *testing.T) {
	pts, _ := sample(1, 20000, threeBlobs)
	res, err := GMM(pts, GMMConfig{K: 3, MaxIter: 100, Tol: 1e-6, RegCovar: 1e-6, Seed: 3, KMeansMaxIter: 300, KMeansTol: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged {
		t.Errorf("did not converge in %d iterations", res.Iter)
	}
	d := 2
	for _, c := range threeBlobs {
		// Match the true component to the nearest fitted mean.
		best := 0
		for j := range res.Weights {
			if SqDist(c.mean, res.Means[j*d:(j+1)*d]) < SqDist(c.mean, res.Means[best*d:(best+1)*d]) {
				best = j
			}
		}
		if diff := maxAbsDiff(c.mean, res.Means[best*d:(best+1)*d]); diff > 0.08 {
			t.Errorf("mean %v: fitted %v (off by %.3f)", c.mean, res.Means[best*d:(best+1)*d], diff)
		}
		want := covOf(c.chol, d)
		if diff := maxAbsDiff(want, res.Covariances[best*d*d:(best+1)*d*d]); diff > 0.1 {
			t.Errorf("covariance of %v: fitted %v, want %v", c.mean, res.Covariances[best*d*d:(best+1)*d*d], want)
		}
		if diff := math.Abs(c.weight - res.Weights[best]); diff > 0.02 {
			t.Errorf("weight of %v: fitted %.3f, want %.3f", c.mean, res.Weights[best], c.weight)
		}
	}
}

func TestGMMLogLikelihoodNeverDecreases(t *testing.T) {
	// Overlapping blobs and too many components make EM crawl, so the
	// trace has many steps to check.
	overlap := []component{
		{mean: []float64{0, 0}, chol: []float64{1, 0, 0.2, 1}, weight: 0.5},
		{mean: []float64{1.5, 0.5}, chol: []float64{1, 0, -0.4, 0.8}, weight: 0.5},
	}
	pts, _ := sample(2, 3000, overlap)
	for _, k := range []int{2, 4, 6} {
		res, err := GMM(pts, GMMConfig{K: k, MaxIter: 60, Tol: 0, RegCovar: 1e-6, Seed: 5, KMeansMaxIter: 300, KMeansTol: 1e-4})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Trace) < 10 {
			t.Fatalf("k=%d: only %d EM steps", k, len(res.Trace))
		}
		for i := 1; i < len(res.Trace); i++ {
			if res.Trace[i] < res.Trace[i-1]-1e-12 {
				t.Errorf("k=%d: log-likelihood fell at step %d: %.15g → %.15g", k, i, res.Trace[i-1], res.Trace[i])
			}
		}
		if res.MeanLogLik != res.Trace[len(res.Trace)-1] {
			t.Errorf("k=%d: MeanLogLik %g is not the last trace value", k, res.MeanLogLik)
		}
	}
}

func TestGMMSingularClusters(t *testing.T) {
	spread, _ := sample(3, 300, threeBlobs)
	tests := []struct {
		name string
		pts  Points
	}{
		{"identical points form a cluster", withRepeatedPoint(spread, []float64{30, 30}, 40)},
		{"a constant dimension", constantColumn(spread)},
		{"all points identical", withRepeatedPoint(Points{D: 2}, []float64{1, 1}, 50)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := GMM(tt.pts, GMMConfig{K: 4, MaxIter: 100, Tol: 1e-3, RegCovar: 1e-6, Seed: 1, KMeansMaxIter: 300, KMeansTol: 1e-4})
			if err != nil {
				t.Fatal(err)
			}
			if math.IsNaN(res.MeanLogLik) || math.IsInf(res.MeanLogLik, 0) {
				t.Errorf("log-likelihood %v", res.MeanLogLik)
			}
			for _, v := range append(res.Means, res.Covariances...) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("non-finite parameter %v", v)
				}
			}
		})
	}
	t.Run("without reg_covar the error names the component", func(t *testing.T) {
		_, err := GMM(withRepeatedPoint(Points{D: 2}, []float64{1, 1}, 50), GMMConfig{K: 2, MaxIter: 10, Seed: 1, KMeansMaxIter: 10})
		if err == nil || !strings.Contains(err.Error(), "increase reg_covar") {
			t.Fatalf("got %v, want a reg_covar error", err)
		}
	})
}

func TestGMMWorkersDoNotChangeResult(t *testing.T) {
	pts, _ := sample(4, 9000, threeBlobs)
	cfg := GMMConfig{K: 3, MaxIter: 100, Tol: 1e-3, RegCovar: 1e-6, Seed: 9, KMeansMaxIter: 300, KMeansTol: 1e-4}
	cfg.Workers = 1
	a, err := GMM(pts, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workers = 3
	b, err := GMM(pts, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if a.MeanLogLik != b.MeanLogLik || maxAbsDiff(a.Covariances, b.Covariances) != 0 {
		t.Errorf("1 worker: ll %v; 3 workers: ll %v", a.MeanLogLik, b.MeanLogLik)
	}
}

func withRepeatedPoint(p Points, x []float64, m int) Points {
	out := Points{X: append([]float64(nil), p.X...), N: p.N + m, D: p.D}
	for range m {
		out.X = append(out.X, x...)
	}
	return out
}

func constantColumn(p Points) Points {
	out := Points{X: append([]float64(nil), p.X...), N: p.N, D: p.D}
	for i := range out.N {
		out.Row(i)[1] = 0.25
	}
	return out
}
