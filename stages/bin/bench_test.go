package bin

import (
	"testing"

	"litho/schemas"
	"litho/stages/stagetest"
)

// BenchmarkBin bins every borehole as the stage does: decode the joined
// instruments' ingest tables, bin and join, encode the result; the
// production model's four instruments, then all nine. The ingest tables
// are made once, from 20 generated boreholes or the LILY files in
// LITHO_BENCH_DIR. Bytes are the sizes of the tables binned.
func BenchmarkBin(b *testing.B) {
	dir, _ := stagetest.LILYDir(b, 20)
	tables := ingestTables(b, dir)
	b.Run("four", func(b *testing.B) { benchBin(b, tables, four) })
	b.Run("nine", func(b *testing.B) { benchBin(b, tables, instrumentNames()) })
}

func benchBin(b *testing.B, tables map[string]map[string][]byte, instruments []string) {
	var size int64
	for _, tabs := range tables {
		for _, inst := range instruments {
			size += int64(len(tabs[inst]))
		}
	}
	p := defaults()
	b.SetBytes(size)
	b.ResetTimer()
	report := stagetest.ReportCPU(b, "cpu-s/op", 0)
	for range b.N {
		for bh, tabs := range tables {
			if _, err := binOne(bh, p, instruments, tabs); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	report()
}

// binOne is the stage's work (binBorehole) on one borehole's tables:
// its bin table, nil when the join is empty.
func binOne(bh string, p Params, instruments []string, tabs map[string][]byte) ([]byte, error) {
	files := joined(instruments)
	for _, f := range files {
		if tabs[f.Instrument] == nil {
			return nil, nil // the join is empty
		}
	}
	return binBorehole(bh, p, files, func(f *schemas.LILYFile) ([]byte, error) { return tabs[f.Instrument], nil })
}
