package stagetest

import "testing"

// BenchLILY benchmarks run over the LILY files of LILYDir, called once
// per iteration with their directory. Bytes are the files' size, and CPU
// seconds are reported beside wall time.
func BenchLILY(b *testing.B, boreholes int, run func(dir string)) {
	dir, size := LILYDir(b, boreholes)
	b.SetBytes(size)
	defer ReportCPU(b, "cpu-s/op", size)()
	b.ResetTimer()
	for range b.N {
		run(dir)
	}
}
