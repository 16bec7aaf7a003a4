package train

import (
	"slices"
	"testing"
)

func TestReplicateNamesAndSeeds(t *testing.T) {
	if got := (Replicates{N: 1}).names(1); got != nil {
		t.Errorf("one replicate makes partitions %v, want none", got)
	}
	if got, want := (Replicates{N: 3}).names(4), []string{"seed4", "seed5", "seed6"}; !slices.Equal(got, want) {
		t.Errorf("replicates = 3 from seed 4: %v, want %v", got, want)
	}
	if got, want := (Replicates{N: 1, Seeds: []int{7, 2}}).names(1), []string{"seed7", "seed2"}; !slices.Equal(got, want) {
		t.Errorf("seeds = [7, 2]: %v, want %v", got, want)
	}
	if s, err := replicateSeed("seed12"); err != nil || s != 12 {
		t.Errorf("seed12 → %d, %v", s, err)
	}
	for _, r := range []Replicates{{N: 0}, {N: 2, Seeds: []int{1}}, {N: 1, Seeds: []int{3, 3}}} {
		if r.Check() == nil {
			t.Errorf("%+v accepted", r)
		}
	}
}
