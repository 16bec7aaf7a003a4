package evaluate

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"litho/stages/cluster"
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
	cpu := cpuTime()
	for range b.N {
		Silhouettes(pts, labelings, 0)
	}
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
