package lily_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"litho/artifacts"
	"litho/schemas"
	"litho/stages/synth"
)

// BenchmarkIngestBin runs lily → ingest → bin through the runner into a
// fresh local store each time: reading, parsing, Parquet encoding, storing
// and binning every borehole. LITHO_BENCH_DIR names a directory of LILY
// files to use instead of 20 generated boreholes (the 1 GB measurement).
func BenchmarkIngestBin(b *testing.B) {
	dir := os.Getenv("LITHO_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
		if err := synth.WriteDir(context.Background(), dir, 20, 1); err != nil {
			b.Fatal(err)
		}
	}
	var size int64
	for _, f := range schemas.LILYFiles {
		fi, err := os.Stat(filepath.Join(dir, f.FileName))
		if err != nil {
			b.Fatal(err)
		}
		size += fi.Size()
	}
	b.SetBytes(size)
	defer reportCPU(b, size)()
	b.ResetTimer()
	for range b.N {
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
	}
}

// reportCPU reports CPU seconds per operation and MB per CPU second: on a
// machine shared with other work these are steadier than wall time.
func reportCPU(b *testing.B, size int64) func() {
	start := cpuSeconds()
	return func() {
		cpu := (cpuSeconds() - start) / float64(b.N)
		b.ReportMetric(cpu, "cpu-s/op")
		b.ReportMetric(float64(size)/1e6/cpu, "MB/cpu-s")
	}
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
