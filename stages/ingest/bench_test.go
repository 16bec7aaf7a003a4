package ingest_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"

	"litho/schemas"
	"litho/stages/ingest"
	"litho/stages/synth"
)

// benchData generates LILY files once per process: LITHO_BENCH_DIR names a
// directory that already holds them (for the 1 GB measurement).
func benchData(b *testing.B, boreholes int) (string, int64) {
	b.Helper()
	dir := os.Getenv("LITHO_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
		if err := synth.WriteDir(context.Background(), dir, boreholes, 1); err != nil {
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
	return dir, size
}

// BenchmarkIngest reads the four files into per-borehole Parquet tables
// (kept in memory as the store would receive them).
func BenchmarkIngest(b *testing.B) {
	dir, size := benchData(b, 20)
	b.SetBytes(size)
	defer reportCPU(b, size)()
	b.ResetTimer()
	for range b.N {
		var out atomic.Int64
		if err := IngestDir(context.Background(), dir, b.TempDir(), func(_ context.Context, _ *schemas.LILYFile, _ string, table []byte) error {
			out.Add(int64(len(table)))
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// IngestDir ingests the four LILY files of dir, passing each borehole's
// table to put.
func IngestDir(ctx context.Context, dir, tmp string, put func(context.Context, *schemas.LILYFile, string, []byte) error) error {
	rejects, err := ingest.NewRejects(io.Discard)
	if err != nil {
		return err
	}
	for _, spec := range schemas.LILYFiles {
		f, err := os.Open(filepath.Join(dir, spec.FileName))
		if err != nil {
			return err
		}
		_, err = ingest.File(ctx, ingest.Config{Spec: spec, Name: spec.FileName, TempDir: tmp}, f, rejects, nil,
			func(ctx context.Context, borehole string, table []byte) error { return put(ctx, spec, borehole, table) })
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
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
