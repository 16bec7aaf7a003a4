package train

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time: on a shared machine it
// varies less than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEpoch times one training epoch of the default model on
// 160,000 rows with batch 256 (625 steps) on the pure-Go backend; run
// with -benchtime=Nx. The figure to report is s/epoch (wall); cpu-s/epoch
// is the CPU time of both cores together.
func BenchmarkEpoch(b *testing.B) {
	cfg := Default()
	const rows = 160000
	x := synthetic(rows, 1)
	m, err := newModel(goBackend(b).Engine, cfg)
	if err != nil {
		b.Fatal(err)
	}
	d, batch := cfg.Inputs, cfg.BatchSize
	rng := rand.New(rand.NewPCG(1, 2))
	if _, err := m.trainStep(x[:batch*d], batch, 0.1, rng); err != nil { // compile outside the timing
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu := cpuTime()
	for range b.N {
		for s := range rows / batch {
			if _, err := m.trainStep(x[s*batch*d:(s+1)*batch*d], batch, 0.1, rng); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/epoch")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
}
