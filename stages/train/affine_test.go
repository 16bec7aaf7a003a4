package train

import (
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// affine's value and custom gradient must equal GoMLX's generic ones,
// for odd (unsplit) and even (split in halves) row counts.
func TestAffineGradient(t *testing.T) {
	backend := goBackend(t).Engine
	for _, rows := range []int{5, 6} {
		run := func(custom bool) [][]float32 {
			e := MustNewExec(backend, func(x, w, b, c *Node) []*Node {
				var y *Node
				if custom {
					y = affine(x, Concatenate([]*Node{w, ExpandAxes(b, 0)}, 0))
				} else {
					y = Add(MatMul(x, w), ExpandAxes(b, 0))
				}
				loss := ReduceAllSum(Mul(Square(y), c))
				return append([]*Node{y}, Gradient(loss, x, w, b)...)
			})
			rng := rand.New(rand.NewPCG(uint64(rows), 1))
			vals := func(n int) []float32 {
				v := make([]float32, n)
				for i := range v {
					v[i] = float32(rng.NormFloat64())
				}
				return v
			}
			out := e.MustExec(tensors.FromFlatDataAndDimensions(vals(rows*3), rows, 3),
				tensors.FromFlatDataAndDimensions(vals(12), 3, 4), tensors.FromFlatDataAndDimensions(vals(4), 4),
				tensors.FromFlatDataAndDimensions(vals(rows*4), rows, 4))
			var flat [][]float32
			for _, o := range out {
				flat = append(flat, tensors.MustCopyFlatData[float32](o))
			}
			return flat
		}
		want, got := run(false), run(true)
		for i, name := range []string{"y", "∂x", "∂w", "∂b"} {
			for j := range want[i] {
				if math.Abs(float64(got[i][j]-want[i][j])) > 1e-4*math.Max(1, math.Abs(float64(want[i][j]))) {
					t.Fatalf("%d rows: %s[%d] = %g, want %g", rows, name, j, got[i][j], want[i][j])
				}
			}
		}
	}
}
