package bin

import (
	"context"
	"sync"
	"testing"

	"litho/schemas"
	"litho/stages/stagetest"
)

// BenchmarkBin bins every borehole as the stage does: decode the four
// ingest tables, bin and join, encode the result. The ingest tables are
// made once, from 20 generated boreholes or the LILY files in
// LITHO_BENCH_DIR. Bytes are the ingest tables' sizes.
func BenchmarkBin(b *testing.B) {
	dir, _ := stagetest.LILYDir(b, 20)
	tables := map[string]map[string][]byte{} // borehole → instrument → table
	var size int64
	var mu sync.Mutex
	err := stagetest.IngestDir(context.Background(), dir, b.TempDir(), func(_ context.Context, spec *schemas.LILYFile, bh string, t []byte) error {
		mu.Lock() // put runs on several goroutines
		defer mu.Unlock()
		if tables[bh] == nil {
			tables[bh] = map[string][]byte{}
		}
		tables[bh][spec.Instrument] = t
		size += int64(len(t))
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	p := defaults()
	b.SetBytes(size)
	b.ResetTimer()
	report := stagetest.ReportCPU(b, "cpu-s/op", 0)
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
	report()
}
