package cluster

import "testing"

// The benchmark: 50,000 × 10 well-separated points, k = 18.
// References (scikit-learn 1.2, 2 cores): GaussianMixture 0.8 s including
// its k-means initialisation, KMeans(n_init=10) 0.6 s.
func benchPoints() Points {
	pts, _ := sample(2024, 50000, separated(2024, 18, 10))
	return pts
}

func BenchmarkGMMk18(b *testing.B) {
	pts := benchPoints()
	cfg := GMMConfig{K: 18, MaxIter: 100, Tol: 1e-3, RegCovar: 1e-6, Seed: 1, KMeansMaxIter: 300, KMeansTol: 1e-4}
	var iter int
	for b.Loop() {
		res, err := GMM(pts, cfg)
		if err != nil {
			b.Fatal(err)
		}
		iter = res.Iter
	}
	b.ReportMetric(float64(iter), "em-iters")
}

func BenchmarkKMeansk18x10(b *testing.B) {
	pts := benchPoints()
	cfg := KMeansConfig{K: 18, NInit: 10, MaxIter: 300, Tol: 1e-4, Seed: 1}
	for b.Loop() {
		if _, err := KMeans(pts, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
