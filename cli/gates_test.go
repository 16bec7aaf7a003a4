package cli

import (
	"fmt"
	"testing"

	"litho/dag"
	"litho/stages/evaluate"
)

// folds summarises one gmm.k18.ari per fold, as summarise writes it.
func folds(aris ...float64) map[string]float64 {
	flats := map[string]map[string]float64{}
	for i, v := range aris {
		flats[fmt.Sprintf("fold%d", i+1)] = map[string]float64{"gmm.k18.ari": v}
	}
	return evaluate.Summarise(flats).Flat()
}

func TestDropGateKnowsTheSpread(t *testing.T) {
	maxDrop, floor := 0.02, 0.26
	gates := []dag.Gate{{Name: "drop", Metric: "gmm.k18.ari", MaxDrop: &maxDrop}, {Name: "mean", Metric: "gmm.k18.ari", MinMean: &floor}}
	base := folds(0.29, 0.33, 0.36, 0.31, 0.38)
	tests := []struct {
		name string
		cur  map[string]float64
		pass bool
	}{
		// A data update moves fold 2's ARI by 0.06, three times max_drop;
		// the mean falls 0.012, well inside the folds' spread.
		{"harmless data update", folds(0.29, 0.27, 0.36, 0.31, 0.38), true},
		// A worse model loses 0.08 in every fold: more than max_drop and
		// more than two standard errors of the difference.
		{"worse model", folds(0.21, 0.25, 0.28, 0.23, 0.30), false},
		{"unchanged", base, true},
	}
	for _, tt := range tests {
		res := evalGates(gates[:1], tt.cur, base)[0]
		if res.Pass != tt.pass {
			t.Errorf("%s: pass = %v, want %v (%+v)", tt.name, res.Pass, tt.pass, res)
		}
	}
	if r := evalGates(gates[1:], folds(0.21, 0.25, 0.28, 0.23, 0.30), nil)[0]; r.Pass || *r.Bound != floor {
		t.Errorf("min_mean on mean 0.254 with floor 0.26 passed? %+v", r)
	}
}

// With single splits (no spread) max_drop is the plain drop bound, as
// before folds existed.
func TestDropGateOnSingleSplits(t *testing.T) {
	maxDrop := 0.02
	g := []dag.Gate{{Name: "drop", Metric: "gmm.k18.ari", MaxDrop: &maxDrop}}
	base := map[string]float64{"gmm.k18.ari": 0.30}
	if r := evalGates(g, map[string]float64{"gmm.k18.ari": 0.29}, base)[0]; !r.Pass {
		t.Errorf("drop 0.01 failed: %+v", r)
	}
	if r := evalGates(g, map[string]float64{"gmm.k18.ari": 0.27}, base)[0]; r.Pass || *r.AllowedDrop != maxDrop {
		t.Errorf("drop 0.03 passed or allowed ≠ max_drop: %+v", r)
	}
}
