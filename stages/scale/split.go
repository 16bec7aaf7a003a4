// Package scale splits binned boreholes into train, validation and test sets
// and scales their measurements with a scaler fitted on the training
// boreholes only (DESIGN.md §1).
package scale

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"

	"litho/dag"
)

// Split names, as stored in schemas.ScaledRow.Split.
const (
	Train = "train"
	Val   = "val"
	Test  = "test"
)

// Fractions are the shares of boreholes in train and validation; test
// takes the rest.
type Fractions struct {
	Train float64 `param:"train_frac" doc:"share of boreholes in train"`
	Val   float64 `param:"val_frac" doc:"share of boreholes in validation; test takes the rest"`
}

// Check reports fractions that do not describe a split, naming the
// parameter at fault.
func (f Fractions) Check() error {
	switch {
	case !(f.Train > 0 && f.Train <= 1):
		return dag.ParamErrorf("train_frac", "must be in (0, 1], got %g", f.Train)
	case !(f.Val >= 0 && f.Val < 1):
		return dag.ParamErrorf("val_frac", "must be in [0, 1), got %g", f.Val)
	case f.Train+f.Val > 1+1e-12:
		// Neither parameter alone is at fault: Parse reports it at the stage.
		return fmt.Errorf("parameters train_frac + val_frac = %g: must be at most 1 (test takes the rest)", f.Train+f.Val)
	}
	return nil
}

// Assign returns the split of a borehole. It depends only on the
// borehole's ID and the seed, so adding or removing other boreholes never
// moves it: the ID and seed are hashed to a uniform number in [0, 1) that
// is compared with the cumulative fractions.
func Assign(borehole string, seed int64, f Fractions) string {
	u := uniform(borehole, seed)
	switch {
	case u < f.Train:
		return Train
	case u < f.Train+f.Val:
		return Val
	default:
		return Test
	}
}

// Fold is the fold (1 … k) whose test set holds the borehole: the same
// uniform number as Assign, cut into k equal ranges, so it depends only
// on the borehole's ID and the seed.
func Fold(borehole string, seed int64, k int) int {
	return min(int(uniform(borehole, seed)*float64(k)), k-1) + 1
}

// FoldName names fold i as a partition.
func FoldName(i int) string { return "fold" + strconv.Itoa(i) }

// AssignFold returns the split of a borehole in fold i of k: test when
// it is in fold i, else validation for a fixed share of boreholes (val_frac
// of train_frac + val_frac, by a second hash, the same in every fold) and
// train for the rest.
func AssignFold(borehole string, seed int64, f Fractions, k, i int) string {
	switch {
	case Fold(borehole, seed, k) == i:
		return Test
	case uniform("val\x00"+borehole, seed) < f.Val/(f.Train+f.Val):
		return Val
	default:
		return Train
	}
}

// uniform maps (borehole, seed) to [0, 1) with 53 bits of SHA-256.
func uniform(borehole string, seed int64) float64 {
	h := sha256.New()
	h.Write([]byte(strconv.FormatInt(seed, 10)))
	h.Write([]byte{0})
	h.Write([]byte(borehole))
	sum := h.Sum(nil)
	return float64(binary.BigEndian.Uint64(sum[:8])>>11) / (1 << 53)
}
