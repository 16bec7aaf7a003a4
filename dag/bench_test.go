package dag_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"litho/artifacts"
	"litho/artifacts/storetest"
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

// BenchmarkDispatch measures what sending units through an executor
// costs the driver against running them in-process: a mapped stage of 64
// replicates on an empty store, with the stand-in executor running each
// unit through Work (the worker's code) at once. The difference per unit
// is the driver's overhead: the stored work spec and reading each unit's
// record back.
func BenchmarkDispatch(b *testing.B) {
	seeds := make([]string, 64)
	for i := range seeds {
		seeds[i] = fmt.Sprintf("%q", fmt.Sprint(i))
	}
	src := fmt.Sprintf("source \"gen\" {}\nstage \"rep\" \"r\" {\n  inputs = { in = source.data }\n  seeds = [%s]\n}\n", strings.Join(seeds, ", "))
	for _, name := range []string{"local", "executor"} {
		b.Run(name, func(b *testing.B) {
			c := &dagtest.Counter{}
			reg := dagtest.Kinds(c)
			p, err := dag.Parse("bench.hcl", []byte(src), reg, nil)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				b.StopTimer()
				local := storetest.Local(b)
				st := artifacts.NewStore(local)
				r := &dag.Runner{Store: st, Fingerprints: artifacts.NewFingerprinter(""), Jobs: 1, TempBase: local.TempDir()}
				if name == "executor" {
					r.Executor = workExecutor{st: st, reg: reg, tmp: local.TempDir()}
				}
				b.StartTimer()
				if _, err := r.Run(context.Background(), p, dag.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/64/1e3, "µs/unit")
		})
	}
}

// workExecutor runs each unit through Work in this process.
type workExecutor struct {
	st  *artifacts.Store
	reg *dag.Registry
	tmp string
}

func (e workExecutor) Run(ctx context.Context, b *dag.Batch) []dag.Outcome {
	out := make([]dag.Outcome, len(b.Units))
	spec, err := dag.LoadWorkSpec(ctx, e.st, b.Spec)
	for i := range b.Units {
		if out[i].Err = err; err == nil {
			w := &dag.Runner{Store: e.st, Fingerprints: artifacts.NewFingerprinter(""), TempBase: e.tmp}
			out[i].Err = w.Work(ctx, e.reg, spec, []int{i})
		}
	}
	return out
}
