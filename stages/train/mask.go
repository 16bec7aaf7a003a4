package train

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"litho/dag"
)

// The masking strategies of masked training (v2.11).
const (
	NoMasking       = "none"
	BlockMasking    = "block"    // a share mask_rate of rows lose NGR and R, G, B together
	RandomMasking   = "random"   // each feature of each row masked with probability mask_rate
	BoreholeMasking = "borehole" // each borehole loses a fixed subset, each feature with probability mask_rate
)

// blockFeatures are the features block masking hides together: the
// instruments that coverage most often lacks (DESIGN.md §2: NGR in 524
// holes, RGB in 304, GRA and MS in all 534).
var blockFeatures = []string{"ngr", "r", "g", "b"}

// checkMasking checks masking and mask_rate against the model's features.
func (c Config) checkMasking() error {
	if err := dag.OneOf("masking", c.Masking, NoMasking, BlockMasking, RandomMasking, BoreholeMasking); err != nil {
		return err
	}
	if c.Masking == NoMasking {
		return nil
	}
	if !(c.MaskRate > 0 && c.MaskRate < 1) {
		return dag.ParamErrorf("mask_rate", "must be in (0, 1) with masking = %q, got %g", c.Masking, c.MaskRate)
	}
	if c.Masking == BlockMasking && len(c.blockColumns()) == 0 {
		return dag.ParamErrorf("masking", "block masks %s; the model's features [%s] have none of them",
			strings.Join(blockFeatures, ", "), strings.Join(c.Features, ", "))
	}
	return nil
}

// blockColumns are the input columns that block masking hides.
func (c Config) blockColumns() []int {
	var cols []int
	for j, f := range c.Features {
		if slices.Contains(blockFeatures, f) {
			cols = append(cols, j)
		}
	}
	return cols
}

// encoderInput is what the encoder reads. With masking the encoder reads
// [x·(1 − missing), missing]: masked features are zero (the scaled mean)
// and the indicator beside them says which zeros are masks, so the first
// layer has twice the inputs (six inputs: 6 × 32 = 192 more parameters).
// A nil missing masks nothing (validation loss, embedding).
func (c Config) encoderInput(x, missing *Node) *Node {
	if c.Masking == NoMasking {
		return x
	}
	if missing == nil {
		missing = ZerosLike(x)
	}
	return Concatenate([]*Node{Mul(x, OneMinus(missing)), missing}, 1)
}

// masker makes the missing masks of training batches on the host. Block
// and random masks are drawn afresh for every step from their own seeded
// stream (a row is masked differently each epoch, as in denoising);
// borehole masks are fixed per training row.
type masker struct {
	cfg   Config
	rng   *rand.Rand
	fixed []float32 // borehole: rows × inputs
	block []int
}

// newMasker prepares masks for training rows whose boreholes are groups
// (needed by borehole masking only); nil when the model is not masked.
func newMasker(cfg Config, groups []string, rows int) (*masker, error) {
	if cfg.Masking == NoMasking {
		return nil, nil
	}
	mk := &masker{cfg: cfg, rng: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6d61736b)), block: cfg.blockColumns()}
	if cfg.Masking != BoreholeMasking {
		return mk, nil
	}
	if len(groups) != rows {
		return nil, fmt.Errorf("masking = %q needs the borehole of each of the %d training rows, got %d", cfg.Masking, rows, len(groups))
	}
	d := cfg.Inputs()
	mk.fixed = make([]float32, rows*d)
	for i, b := range groups {
		copy(mk.fixed[i*d:], cfg.BoreholeMask(b))
	}
	return mk, nil
}

// batch returns the missing mask [len(rows), inputs] of a batch of
// training rows (their indices).
func (mk *masker) batch(rows []int) *tensors.Tensor {
	d := mk.cfg.Inputs()
	return matrix(len(rows), d, func(m []float32) {
		for r, row := range rows {
			out := m[r*d : (r+1)*d]
			switch mk.cfg.Masking {
			case BlockMasking:
				if mk.rng.Float64() < mk.cfg.MaskRate {
					for _, j := range mk.block {
						out[j] = 1
					}
				}
			case RandomMasking:
				for j := range out {
					if mk.rng.Float64() < mk.cfg.MaskRate {
						out[j] = 1
					}
				}
			case BoreholeMasking:
				copy(out, mk.fixed[row*d:(row+1)*d])
			}
		}
	})
}

// BoreholeMask is the fixed mask of a borehole under borehole masking: 1
// for each feature that a hash of (seed, borehole, feature) puts below
// mask_rate, so each borehole loses about that share of its features,
// the same ones every epoch and on every host.
func (c Config) BoreholeMask(borehole string) []float32 {
	m := make([]float32, c.Inputs())
	for j, f := range c.Features {
		if unitHash(c.Seed, borehole, f) < c.MaskRate {
			m[j] = 1
		}
	}
	return m
}

// unitHash maps (seed, borehole, feature) to [0, 1): FNV-1a, then the
// SplitMix64 finaliser, since FNV alone mixes the last bytes weakly.
func unitHash(seed int64, borehole, feature string) float64 {
	h := fnv.New64a()
	_ = binary.Write(h, binary.LittleEndian, seed)
	h.Write([]byte(borehole))
	h.Write([]byte{0})
	h.Write([]byte(feature))
	x := h.Sum64()
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return float64(x>>11) / (1 << 53)
}
