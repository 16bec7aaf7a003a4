package evaluate

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"
)

// The spread is checked against gonum's, an independent computation.
func TestSummariseAgreesWithGonum(t *testing.T) {
	ari := map[string]float64{"fold1/seed1": 0.21, "fold1/seed2": 0.18, "fold2/seed1": 0.25,
		"fold2/seed2": 0.15, "fold3/seed1": 0.19, "fold3/seed2": 0.22}
	flats := map[string]map[string]float64{}
	var vs []float64
	for p, v := range ari {
		flats[p] = map[string]float64{"gmm.k18.ari": v}
		vs = append(vs, v)
	}
	s := Summarise(flats)
	if s.Folds != 3 || s.Seeds != 2 || s.Shape() != "3 folds × 2 seeds" {
		t.Errorf("shape %d × %d (%s), want 3 folds × 2 seeds", s.Folds, s.Seeds, s.Shape())
	}
	mean, sd := stat.MeanStdDev(vs, nil)
	flat := s.Flat()
	want := map[string]float64{"gmm.k18.ari.mean": mean, "gmm.k18.ari.sd": sd, "gmm.k18.ari.se": stat.StdErr(sd, 6),
		"gmm.k18.ari.n": 6, "gmm.k18.ari.min": floats.Min(vs), "gmm.k18.ari.max": floats.Max(vs),
		"fold2/seed2:gmm.k18.ari": 0.15}
	for k, w := range want {
		if got, ok := flat[k]; !ok || math.Abs(got-w) > 1e-12 {
			t.Errorf("%s = %v, want %v", k, got, w)
		}
	}
	if _, ok := flat["gmm.k18.ari"]; ok {
		t.Error("a summary has a plain gmm.k18.ari")
	}
}

func TestSummaryOfOneSplit(t *testing.T) {
	s := Summarise(map[string]map[string]float64{"": {"gmm.k18.ari": 0.3}})
	st := s.Stats["gmm.k18.ari"]
	if st.N != 1 || st.Mean != 0.3 || st.SD != 0 || st.SE != 0 || s.Shape() != "1 fold × 1 seed" {
		t.Errorf("one split: %+v, %s", st, s.Shape())
	}
}
