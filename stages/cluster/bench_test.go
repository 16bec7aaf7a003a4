package cluster

import (
	"math/rand/v2"
	"testing"

	"litho/stages/stagetest"
)

// The benchmark: 50,000 × 10 well-separated points (18 unit
// Gaussians with centres uniform in [−10, 10]¹⁰, as scikit-learn's
// make_blobs), k = 18. References (scikit-learn 1.2, 2 cores):
// GaussianMixture 0.8 s including its k-means initialisation,
// KMeans(n_init=10) 0.6 s. Besides wall time the benchmarks report CPU
// seconds per op, which a busy shared machine inflates far less.
func benchPoints() Points {
	pts, _ := sample(2024, 50000, blobs(2024, 18, 10, 10))
	return pts
}

func BenchmarkGMMk18(b *testing.B) {
	benchGMM(b, GMMConfig{K: 18, MaxIter: 100, Tol: 1e-3, RegCovar: 1e-6, Seed: 1, KMeansMaxIter: 300, KMeansTol: 1e-4})
}

// BenchmarkGMMk18x6EM forces six EM iterations, the count of the
// scikit-learn reference run, whatever the tolerance would allow.
func BenchmarkGMMk18x6EM(b *testing.B) {
	benchGMM(b, GMMConfig{K: 18, MaxIter: 6, Tol: 0, RegCovar: 1e-6, Seed: 1, KMeansMaxIter: 300, KMeansTol: 1e-4})
}

func benchGMM(b *testing.B, cfg GMMConfig) {
	pts := benchPoints()
	benchIters(b, "em-iters", func() (int, error) {
		res, err := GMM(pts, cfg)
		return res.Iter, err
	})
}

func BenchmarkKMeansk18x10(b *testing.B) {
	benchKMeans(b, benchPoints())
}

func benchKMeans(b *testing.B, pts Points) {
	cfg := KMeansConfig{K: 18, NInit: 10, MaxIter: 300, Tol: 1e-4, Seed: 1}
	benchIters(b, "lloyd-iters", func() (int, error) {
		res, err := KMeans(pts, cfg)
		return res.Iter, err
	})
}

// benchIters times fit, which returns its iteration count: reported
// under unit, since a change in speed may be a change in iterations.
func benchIters(b *testing.B, unit string, fit func() (int, error)) {
	var iter int
	b.ResetTimer()
	report := stagetest.ReportCPU(b, "cpu-s/op", 0)
	for range b.N {
		n, err := fit()
		if err != nil {
			b.Fatal(err)
		}
		iter = n
	}
	b.ReportMetric(float64(iter), unit)
	report()
}

// overlapPoints is harder data, closer to a VAE's latent space: 35,000
// rows (a test split of the LILY data), twelve groups that overlap in
// four active dimensions, six collapsed dimensions. Lloyd and EM need
// many more iterations here.
func overlapPoints() Points {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 35000
	pts := Points{X: make([]float64, n*10), N: n, D: 10}
	for i := range n {
		c := rng.IntN(12)
		z := pts.Row(i)
		for a := range 4 {
			z[a] = float64((c*7+a*3)%5) + 0.8*rng.NormFloat64()
		}
		for a := 4; a < 10; a++ {
			z[a] = 0.05 * rng.NormFloat64()
		}
	}
	return pts
}

func BenchmarkKMeansOverlapk18x10(b *testing.B) {
	benchKMeans(b, overlapPoints())
}
