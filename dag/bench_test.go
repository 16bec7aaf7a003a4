package dag_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"litho/artifacts"
	"litho/dag"
	"litho/dag/dagtest"
)

// filesPipeline reads dir/a.csv through the files source (the LILY
// source's stand-in: volatile, fingerprinting files outside the store)
// and maps over partitions.
func filesPipeline(dir string) string {
	return fmt.Sprintf(`
source "files" { dir = %q }
stage "upper" "x" {
  inputs = { in = source.a }
}
stage "split" "split" {
  inputs = { in = x.out }
}
stage "mapper" "map" {
  inputs = { in = split.parts }
}
stage "concat" "concat" {
  inputs = { in = map.out }
}
`, dir)
}

// BenchmarkCachedRunLargeInputs measures a fully cached run whose source
// fingerprints 1 GiB of input files: with the stat cache nothing is
// rehashed, so the run costs only key computation and record lookups.
func BenchmarkCachedRunLargeInputs(b *testing.B) {
	dir := b.TempDir()
	chunk := make([]byte, 1<<20)
	rand.Read(chunk)
	for _, name := range []string{"a.csv", "b.csv"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		for range 512 {
			f.Write(chunk)
		}
		f.Close()
	}
	c := &dagtest.Counter{}
	p, err := dag.Parse("bench.hcl", []byte(filesPipeline(dir)), dagtest.Kinds(c), nil)
	if err != nil {
		b.Fatal(err)
	}
	local, err := artifacts.OpenLocal(filepath.Join(dir, ".litho"))
	if err != nil {
		b.Fatal(err)
	}
	cache := filepath.Join(local.Root(), "statcache.json")
	run := func() {
		// A fresh Fingerprinter per run, loading the cache from disk, as
		// each `litho run` process does.
		fp := artifacts.NewFingerprinter(cache)
		r := &dag.Runner{Store: artifacts.NewStore(local), Fingerprints: fp, Jobs: 2, TempBase: local.TempDir()}
		if _, err := r.Run(context.Background(), p, dag.Options{}); err != nil {
			b.Fatal(err)
		}
		if err := fp.Save(); err != nil {
			b.Fatal(err)
		}
	}
	run()
	before := c.Total()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.StopTimer()
	if got := c.Total() - before; got != b.N {
		b.Fatalf("cached runs executed %d stages, want only the source's %d fingerprint passes", got, b.N)
	}
}
