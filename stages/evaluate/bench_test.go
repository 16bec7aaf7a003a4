package evaluate

import (
	"math/rand/v2"
	"testing"

	"litho/stages/cluster"
	"litho/stages/stagetest"
)

// BenchmarkSilhouettes10k is the evaluate stage's default silhouette:
// a 10,000-row sample of 10-D latent vectors scored under ten labelings
// (two methods × five k) in one pass over the pairs.
func BenchmarkSilhouettes10k(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	m, d := 10000, 10
	pts := cluster.Points{X: make([]float64, m*d), N: m, D: d}
	for i := range pts.X {
		pts.X[i] = rng.NormFloat64()
	}
	var labelings [][]int
	for _, k := range []int{10, 12, 15, 18, 20, 10, 12, 15, 18, 20} {
		labelings = append(labelings, randomLabels(rng, m, k))
	}
	b.ResetTimer()
	report := stagetest.ReportCPU(b, "cpu-s/op", 0)
	for range b.N {
		Silhouettes(pts, labelings, 0)
	}
	report()
}
