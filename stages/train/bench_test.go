package train

import (
	"testing"
)

// BenchmarkEpoch times one training epoch of the default model on
// 160,000 rows with batch 256 (625 steps) on the pure-Go backend; run
// with -benchtime=Nx. The figure to report is s/epoch.
func BenchmarkEpoch(b *testing.B) {
	cfg := Default()
	const rows = 160000
	x := synthetic(rows, 1)
	m, err := newModel(goBackend(b).Engine, cfg)
	if err != nil {
		b.Fatal(err)
	}
	d, batch := cfg.Inputs, cfg.BatchSize
	if _, err := m.trainStep(x[:batch*d], batch, 0.1); err != nil { // compile outside the timing
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		for s := range rows / batch {
			if _, err := m.trainStep(x[s*batch*d:(s+1)*batch*d], batch, 0.1); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
}
