package lily_test

import (
	"testing"

	"litho/artifacts"
	"litho/stages/stagetest"
)

// BenchmarkIngestBin runs lily → ingest → bin through the runner into a
// fresh local store each time: reading, parsing, Parquet encoding, storing
// and binning every borehole. LITHO_BENCH_DIR names a directory of LILY
// files to use instead of 20 generated boreholes (the 1 GB measurement).
func BenchmarkIngestBin(b *testing.B) {
	stagetest.BenchLILY(b, 20, func(dir string) {
		b.StopTimer()
		local, err := artifacts.OpenLocal(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		h := &harness{t: b, dir: dir, local: local, store: artifacts.NewStore(local), fps: artifacts.NewFingerprinter("")}
		b.StartTimer()
		if err := h.run(); err != nil {
			b.Fatal(err)
		}
	})
}
