package dagtest

import (
	"context"
	"fmt"

	"litho/dag"
)

// FoldParams are the fold kind's: how many folds, a dimension.
type FoldParams struct {
	Folds int `param:"folds,dimension"`
}

// RepParams are the rep kind's: one replicate per name.
type RepParams struct {
	Seeds []string `param:"seeds,dimension"`
}

// foldKind stands for scale: it deals the partitions of its input to
// Folds folds in turn and writes each fold's members, or one single
// artifact when Folds is 1.
func foldKind(c *Counter) *dag.Kind {
	return &dag.Kind{
		Name: "fold", Version: "1", Params: FoldParams{Folds: 1},
		Inputs:  []dag.InputSpec{{Name: "in"}},
		Outputs: []dag.OutputSpec{{Name: "out", MediaType: "text/plain"}},
		Run: func(ctx context.Context, x *dag.Exec) error {
			c.inc(x)
			k := dag.ParamsOf[FoldParams](x).Folds
			parts, err := x.Parts("in")
			if err != nil {
				return err
			}
			folds := make([][]byte, k)
			for i, p := range parts {
				b, err := x.ReadPart(ctx, "in", p)
				if err != nil {
					return err
				}
				folds[i%k] = append(folds[i%k], b...)
			}
			if k == 1 {
				return x.Put(ctx, "out", folds[0])
			}
			for i, b := range folds {
				if err := x.PutPart(ctx, "out", fmt.Sprintf("fold%d", i+1), b); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// repKind stands for train: it maps over its input and replicates each
// partition once per seed.
func repKind(c *Counter) *dag.Kind {
	return &dag.Kind{
		Name: "rep", Version: "1", Params: RepParams{},
		Inputs:     []dag.InputSpec{{Name: "in", Map: true}},
		Outputs:    []dag.OutputSpec{{Name: "out", MediaType: "text/plain"}},
		Replicates: func(p any) []string { return p.(RepParams).Seeds },
		Run: func(ctx context.Context, x *dag.Exec) error {
			c.inc(x)
			b, err := x.Read(ctx, "in")
			if err != nil {
				return err
			}
			return x.Put(ctx, "out", append(b, "@"+x.Replicate()...))
		},
	}
}

// pairKind stands for embed: it maps over a fine input (per fold and
// seed) and a coarse one (per fold).
func pairKind(c *Counter) *dag.Kind {
	return &dag.Kind{
		Name: "pair", Version: "1",
		Inputs:  []dag.InputSpec{{Name: "fine", Map: true}, {Name: "coarse", Map: true}},
		Outputs: []dag.OutputSpec{{Name: "out", MediaType: "text/plain"}},
		Run: func(ctx context.Context, x *dag.Exec) error {
			c.inc(x)
			fine, err := x.Read(ctx, "fine")
			if err != nil {
				return err
			}
			coarse, err := x.Read(ctx, "coarse")
			if err != nil {
				return err
			}
			return x.Put(ctx, "out", []byte(string(fine)+"+"+string(coarse)))
		},
	}
}
