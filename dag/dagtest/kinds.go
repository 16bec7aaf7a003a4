// Package dagtest provides stand-in stage kinds for engine and CLI tests:
// small, deterministic, and counted, as BuildKit's scheduler tests count
// vertex runs. They are never registered in the shipped binary. It also
// looks stages up among a run's events.
package dagtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"

	"litho/dag"
)

// Counter counts executions per stage and partition.
type Counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *Counter) inc(x *dag.Exec) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	name := x.Stage
	if x.Partition != "" {
		name += "/" + x.Partition
	}
	c.n[name]++
}

// Get returns how often a stage (or "stage/partition") executed.
func (c *Counter) Get(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name]
}

// Total is the number of executions so far.
func (c *Counter) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := 0
	for _, v := range c.n {
		t += v
	}
	return t
}

// GenParams are the gen source's parameters.
type GenParams struct {
	N     int    `param:"n"`
	Label string `param:"label"`
}

// UpperParams are the upper kind's: one of each type the pipeline has.
type UpperParams struct {
	Suffix  string  `param:"suffix"`
	Ignored int64   `param:"ignored" doc:"does not change the output: for cutoff tests"`
	Verbose bool    `param:"verbose,presentation"`
	Ratio   float64 `param:"ratio"`
	Ks      []int   `param:"ks"`
}

// SplitParams are the split kind's.
type SplitParams struct {
	Bump string `param:"bump" doc:"the partition whose value changes"`
}

// DirParams are the files source's, and any other source that reads a
// directory.
type DirParams struct {
	Dir string `param:"dir"`
}

// Kinds returns the stand-in kinds, counting executions in c.
func Kinds(c *Counter) *dag.Registry {
	return dag.NewRegistry(
		&dag.Kind{
			Name: "gen", Version: "1", Source: true,
			Params:  GenParams{N: 3, Label: "x"},
			Outputs: []dag.OutputSpec{{Name: "data", MediaType: "text/plain"}},
			Run: func(ctx context.Context, x *dag.Exec) error {
				c.inc(x)
				p := dag.ParamsOf[GenParams](x)
				return x.Put(ctx, "data", []byte(fmt.Sprintf("%s:%d", p.Label, p.N)))
			},
		},
		&dag.Kind{
			Name: "upper", Version: "1",
			Params:  UpperParams{Ratio: 0.5, Ks: []int{1, 2}},
			Inputs:  []dag.InputSpec{{Name: "in"}},
			Outputs: []dag.OutputSpec{{Name: "out", MediaType: "text/plain"}},
			Run: func(ctx context.Context, x *dag.Exec) error {
				c.inc(x)
				b, err := x.Read(ctx, "in")
				if err != nil {
					return err
				}
				return x.Put(ctx, "out", []byte(string(b)+"|up"+dag.ParamsOf[UpperParams](x).Suffix))
			},
		},
		&dag.Kind{
			Name: "split", Version: "1",
			Params:  SplitParams{},
			Inputs:  []dag.InputSpec{{Name: "in"}},
			Outputs: []dag.OutputSpec{{Name: "parts", MediaType: "text/plain", Partitioned: true}},
			Run: func(ctx context.Context, x *dag.Exec) error {
				c.inc(x)
				b, err := x.Read(ctx, "in")
				if err != nil {
					return err
				}
				for _, p := range []string{"a", "b", "c"} {
					v := string(b) + "/" + p
					if p == dag.ParamsOf[SplitParams](x).Bump {
						v += "+"
					}
					if err := x.PutPart(ctx, "parts", p, []byte(v)); err != nil {
						return err
					}
				}
				return nil
			},
		},
		&dag.Kind{
			Name: "mapper", Version: "1",
			Inputs:  []dag.InputSpec{{Name: "in", Map: true}},
			Outputs: []dag.OutputSpec{{Name: "out", MediaType: "text/plain", Partitioned: true}},
			Run: func(ctx context.Context, x *dag.Exec) error {
				c.inc(x)
				b, err := x.Read(ctx, "in")
				if err != nil {
					return err
				}
				return x.Put(ctx, "out", []byte("m("+string(b)+")"))
			},
		},
		&dag.Kind{
			Name: "concat", Version: "1",
			Inputs:  []dag.InputSpec{{Name: "in"}},
			Outputs: []dag.OutputSpec{{Name: "out", MediaType: "text/plain"}},
			Run: func(ctx context.Context, x *dag.Exec) error {
				c.inc(x)
				parts, err := x.Parts("in")
				if err != nil {
					return err
				}
				var all []byte
				for _, p := range parts {
					b, err := x.ReadPart(ctx, "in", p)
					if err != nil {
						return err
					}
					all = append(all, b...)
				}
				return x.Put(ctx, "out", append(all, []byte(strconv.Itoa(len(parts)))...))
			},
		},
		&dag.Kind{
			// files stands for the LILY source: it fingerprints files
			// outside the store on every run.
			Name: "files", Version: "1", Source: true, Volatile: true,
			Params:  DirParams{},
			Outputs: []dag.OutputSpec{{Name: "a", External: true}, {Name: "b", External: true}},
			Run: func(ctx context.Context, x *dag.Exec) error {
				c.inc(x)
				for _, name := range []string{"a", "b"} {
					if err := x.PutExternal(ctx, name, filepath.Join(dag.ParamsOf[DirParams](x).Dir, name+".csv")); err != nil {
						return err
					}
				}
				return nil
			},
		},
		&dag.Kind{
			Name: "fail", Version: "1",
			Inputs:  []dag.InputSpec{{Name: "in"}},
			Outputs: []dag.OutputSpec{{Name: "out", MediaType: "text/plain"}},
			Run: func(ctx context.Context, x *dag.Exec) error {
				c.inc(x)
				return fmt.Errorf("deliberate failure")
			},
		},
		&dag.Kind{
			// block stands for a long stage: while BlockEnv is set it
			// waits for cancellation.
			Name: "block", Version: "1",
			Inputs:  []dag.InputSpec{{Name: "in"}},
			Outputs: []dag.OutputSpec{{Name: "out", MediaType: "text/plain"}},
			Run: func(ctx context.Context, x *dag.Exec) error {
				c.inc(x)
				if err := x.Put(ctx, "out", []byte("partial")); err != nil {
					return err
				}
				if os.Getenv(BlockEnv) == "" {
					return nil
				}
				<-ctx.Done() // stands for a long stage interrupted by Ctrl-C
				return ctx.Err()
			},
		},
		flakyKind(c), foldKind(c), repKind(c), pairKind(c),
	)
}

// Environment variables of the flaky kind.
const (
	// FlakyEnv names a directory: a partition named by FlakyPartEnv
	// whose marker file is not there yet kills its worker after storing
	// its first output.
	FlakyEnv     = "LITHO_TEST_FLAKY"
	FlakyPartEnv = "LITHO_TEST_FLAKY_PART"
	// FailPartEnv names a partition that always fails.
	FailPartEnv = "LITHO_TEST_FAIL_PART"
)

// flakyKind stands for a worker on a failing node: mapped over its
// input, it stores "out" and then "log"; see FlakyEnv and FailPartEnv.
func flakyKind(c *Counter) *dag.Kind {
	return &dag.Kind{
		Name: "flaky", Version: "1",
		Inputs:  []dag.InputSpec{{Name: "in", Map: true}},
		Outputs: []dag.OutputSpec{{Name: "out", MediaType: "text/plain", Partitioned: true}, {Name: "log", MediaType: "text/plain", Partitioned: true}},
		Run: func(ctx context.Context, x *dag.Exec) error {
			c.inc(x)
			if x.Partition == os.Getenv(FailPartEnv) {
				return fmt.Errorf("deliberate failure of partition %s", x.Partition)
			}
			b, err := x.Read(ctx, "in")
			if err != nil {
				return err
			}
			if err := x.Put(ctx, "out", []byte("f("+string(b)+")")); err != nil {
				return err
			}
			if x.Partition == os.Getenv(FlakyPartEnv) {
				marker := filepath.Join(os.Getenv(FlakyEnv), x.Partition)
				if _, err := os.Stat(marker); err != nil {
					if err := os.WriteFile(marker, nil, 0o644); err != nil {
						return err
					}
					// Killed between two uploads, as by the OOM killer.
					syscall.Kill(os.Getpid(), syscall.SIGKILL)
				}
			}
			return x.Put(ctx, "log", []byte("done "+x.Partition))
		},
	}
}

// BlockEnv makes the block kind wait until its context is cancelled.
const BlockEnv = "LITHO_TEST_BLOCK"
