package bin

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"litho/schemas"
	"litho/stages/ingest"
	"litho/stages/synth"
)

// BenchmarkBin bins every borehole as the stage does: decode the four
// ingest tables, bin and join, encode the result. The ingest tables are
// made once, from 20 generated boreholes or the LILY files in
// LITHO_BENCH_DIR. Bytes are the ingest tables' sizes.
func BenchmarkBin(b *testing.B) {
	dir := os.Getenv("LITHO_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
		if err := synth.WriteDir(context.Background(), dir, 20, 1); err != nil {
			b.Fatal(err)
		}
	}
	tables := map[string]map[string][]byte{} // borehole → instrument → table
	var size int64
	var mu sync.Mutex
	rejects, _ := ingest.NewRejects(discard{})
	for _, spec := range schemas.LILYFiles {
		f, err := os.Open(filepath.Join(dir, spec.FileName))
		if err != nil {
			b.Fatal(err)
		}
		_, err = ingest.File(context.Background(), ingest.Config{Spec: spec, Name: spec.FileName, TempDir: b.TempDir()}, f, rejects, nil,
			func(_ context.Context, bh string, t []byte) error {
				mu.Lock() // put runs on several goroutines
				defer mu.Unlock()
				if tables[bh] == nil {
					tables[bh] = map[string][]byte{}
				}
				tables[bh][spec.Instrument] = t
				size += int64(len(t))
				return nil
			})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	p := defaults()
	b.SetBytes(size)
	start := cpuSeconds()
	b.ResetTimer()
	for range b.N {
		for bh, tabs := range tables {
			rows := map[string][]schemas.MeasureRow{}
			for _, inst := range p.Instruments {
				if tabs[inst] == nil {
					continue
				}
				r, err := readMeasures(tabs[inst])
				if err != nil {
					b.Fatal(err)
				}
				rows[inst] = r
			}
			bins, err := Compute(bh, p, rows)
			if err != nil {
				b.Fatal(err)
			}
			if len(bins) > 0 {
				if _, err := schemas.WriteParquet(bins); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.StopTimer()
	b.ReportMetric((cpuSeconds()-start)/float64(b.N), "cpu-s/op")
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
