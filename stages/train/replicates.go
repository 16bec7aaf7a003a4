package train

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"litho/dag"
)

// Replicates are training seeds run side by side, each a partition
// ("seed3", or "fold2/seed3" per fold), so the metrics carry the spread
// that seeds alone cause.
type Replicates struct {
	N     int   `param:"replicates,dimension" doc:"training runs per fold, seeds seed, seed+1, …; 1 is one run, unpartitioned"`
	Seeds []int `param:"seeds,dimension" doc:"explicit training seeds, one partition each (instead of replicates)"`
}

// Check reports a count below one, both ways at once, or a seed listed twice.
func (r Replicates) Check() error {
	switch {
	case r.N < 1:
		return dag.ParamErrorf("replicates", "must be at least 1, got %d", r.N)
	case r.N > 1 && len(r.Seeds) > 0:
		return dag.ParamErrorf("seeds", "give seeds or replicates, not both")
	}
	for i, s := range r.Seeds {
		if slices.Contains(r.Seeds[:i], s) {
			return dag.ParamErrorf("seeds", "seed %d is listed twice", s)
		}
	}
	return nil
}

// names are the replicate partitions: none for a single run.
func (r Replicates) names(seed int64) []string {
	seeds := r.Seeds
	if len(seeds) == 0 && r.N > 1 {
		for i := range r.N {
			seeds = append(seeds, int(seed)+i)
		}
	}
	var out []string
	for _, s := range seeds {
		out = append(out, "seed"+strconv.Itoa(s))
	}
	return out
}

// replicateSeed is the seed a replicate partition trains with.
func replicateSeed(name string) (int64, error) {
	s, ok := strings.CutPrefix(name, "seed")
	v, err := strconv.ParseInt(s, 10, 64)
	if !ok || err != nil {
		return 0, fmt.Errorf("replicate %q is not seedN", name)
	}
	return v, nil
}

func replicateNames(params any) []string {
	p := params.(Params)
	return p.Replicates.names(p.Seed)
}
