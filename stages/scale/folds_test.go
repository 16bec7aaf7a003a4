package scale

import (
	"testing"
)

func foldParams(k int) Params {
	p := DefaultParams()
	p.Folds = k
	return p
}

// foldSplits applies every fold and returns fold → borehole → split.
func foldSplits(t *testing.T, bs []Borehole, p Params) map[int]map[string]string {
	t.Helper()
	out := map[int]map[string]string{}
	for i := 1; i <= p.Folds; i++ {
		res, err := ApplyFold(bs, p, i)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = splitOf(res)
	}
	return out
}

func TestFoldsStableWhenAddingBoreholes(t *testing.T) {
	p := foldParams(5)
	small := synthBoreholes(t, 0, 40, 2)
	large := append(synthBoreholes(t, 0, 40, 2), synthBoreholes(t, 40, 60, 2)...)
	was, now := foldSplits(t, small, p), foldSplits(t, large, p)
	for i, m := range was {
		for id, s := range m {
			if now[i][id] != s {
				t.Errorf("fold %d: borehole %s moved from %s to %s when boreholes were added", i, id, s, now[i][id])
			}
		}
	}
}

func TestEveryBoreholeInExactlyOneTestFold(t *testing.T) {
	bs := synthBoreholes(t, 0, 100, 2)
	for _, k := range []int{2, 3, 5} {
		tests := map[string]int{}
		for _, m := range foldSplits(t, bs, foldParams(k)) {
			for id, s := range m {
				if s == Test {
					tests[id]++
				}
			}
		}
		for _, b := range bs {
			if tests[b.ID] != 1 {
				t.Errorf("k=%d: borehole %s is in %d test folds, want 1", k, b.ID, tests[b.ID])
			}
		}
	}
}

// Each row of a fold's tables is in one split, and its borehole's rows
// all are in that split: no borehole feeds both train and test.
func TestNoBoreholeInTrainAndTestOfAFold(t *testing.T) {
	bs := synthBoreholes(t, 0, 60, 4)
	for i := 1; i <= 3; i++ {
		res, err := ApplyFold(bs, foldParams(3), i)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]string{}
		rows := 0
		for s, rs := range res.Splits {
			for _, r := range rs {
				if was, ok := seen[r.Borehole]; ok && was != s {
					t.Fatalf("fold %d: borehole %s has rows in %s and %s", i, r.Borehole, was, s)
				}
				seen[r.Borehole] = s
				rows++
			}
		}
		if rows != 60*4 || res.Count[Test] == 0 || res.Count[Val] == 0 {
			t.Errorf("fold %d: %d rows (want 240), %d test and %d val boreholes", i, rows, res.Count[Test], res.Count[Val])
		}
	}
}

func TestFoldsParameterChecked(t *testing.T) {
	if err := foldParams(0).Check(); err == nil {
		t.Error("folds = 0 accepted")
	}
}
