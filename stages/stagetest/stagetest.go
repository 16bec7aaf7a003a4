// Package stagetest holds what the stage packages' tests and benchmarks
// share: real LILY files on disk, ingest run over them, and CPU time.
// It is never part of the litho binary.
package stagetest

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"litho/schemas"
	"litho/stages/ingest"
	"litho/stages/synth"
)

// LILYDir returns a directory of LILY files and their total size: the one
// LITHO_BENCH_DIR names (for the 1 GB measurement; it may hold any of the
// files), else all nine generated for the given number of boreholes.
func LILYDir(b *testing.B, boreholes int) (string, int64) {
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
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			b.Fatal(err)
		default:
			size += fi.Size()
		}
	}
	if size == 0 {
		b.Fatalf("no LILY files in %s", dir)
	}
	return dir, size
}

// IngestDir runs the real ingest over the LILY files present in dir (any
// of schemas.LILYFiles), passing each borehole's table to put (called
// from several goroutines).
func IngestDir(ctx context.Context, dir, tmp string, put func(ctx context.Context, spec *schemas.LILYFile, borehole string, table []byte) error) error {
	rejects, err := ingest.NewRejects(io.Discard)
	if err != nil {
		return err
	}
	for _, spec := range schemas.LILYFiles {
		f, err := os.Open(filepath.Join(dir, spec.FileName))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
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

// CPU is the process's user and system CPU time so far: on a machine
// shared with other work it varies less than wall time.
func CPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReportCPU starts counting CPU time; the function it returns reports CPU
// seconds per iteration under unit (such as "cpu-s/op") and, when bytes is
// positive, megabytes per CPU second.
func ReportCPU(b *testing.B, unit string, bytes int64) func() {
	start := CPU()
	return func() {
		cpu := (CPU() - start).Seconds() / float64(b.N)
		b.ReportMetric(cpu, unit)
		if bytes > 0 {
			b.ReportMetric(float64(bytes)/1e6/cpu, "MB/cpu-s")
		}
	}
}

// ByArch returns the entry for this machine's GOARCH of values taken on
// each architecture, and skips the test on one without: from ingest on,
// tables hold the same values on amd64 and arm64 but other bytes (the
// Snappy compressor parquet-go uses has an amd64 assembly path), and
// trained models other values in their last bits (Go fuses multiply-adds
// on arm64), so a digest of them holds on one architecture only.
func ByArch[T any](t testing.TB, values map[string]T) T {
	t.Helper()
	v, ok := values[runtime.GOARCH]
	if !ok {
		t.Skipf("no digest taken on %s: artifacts' bytes are per architecture", runtime.GOARCH)
	}
	return v
}
