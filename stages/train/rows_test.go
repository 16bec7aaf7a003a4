package train

import (
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// broadcastRows and sumRows must give GoMLX's BroadcastPrefix and
// ReduceSum(x, 0) bit for bit, values and gradients, for row counts that
// are and are not whole squares (the block-and-remainder split), so the
// checkpoint keeps its bytes.
func TestRowsOpsEqualStockOps(t *testing.T) {
	backend := goBackend(t).Engine
	const features = 3
	for _, rows := range []int{1, 2, 7, 16, 30, 256} {
		run := func(ours bool) [][]float32 {
			e := MustNewExec(backend, func(v, x, c *Node) []*Node {
				b, s := BroadcastPrefix(v, rows), ReduceSum(x, 0)
				if ours {
					b, s = broadcastRows(v, rows), sumRows(x)
				}
				// Both outputs reach the loss through weights c, so each
				// gradient carries distinct values per row and feature.
				loss := Add(ReduceAllSum(Mul(Mul(b, x), c)), ReduceAllSum(Mul(Square(s), v)))
				return append([]*Node{b, s}, Gradient(loss, v, x)...)
			})
			rng := rand.New(rand.NewPCG(uint64(rows), 2))
			vals := func(n int) []float32 {
				v := make([]float32, n)
				for i := range v {
					v[i] = float32(rng.NormFloat64())
				}
				return v
			}
			out := e.MustExec(tensors.FromFlatDataAndDimensions(vals(features), features),
				tensors.FromFlatDataAndDimensions(vals(rows*features), rows, features),
				tensors.FromFlatDataAndDimensions(vals(rows*features), rows, features))
			var flat [][]float32
			for _, o := range out {
				flat = append(flat, tensors.MustCopyFlatData[float32](o))
			}
			return flat
		}
		want, got := run(false), run(true)
		for i, name := range []string{"broadcast", "sum", "∂v", "∂x"} {
			if len(got[i]) != len(want[i]) {
				t.Fatalf("%d rows: %s has %d values, want %d", rows, name, len(got[i]), len(want[i]))
			}
			for j := range want[i] {
				if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
					t.Fatalf("%d rows: %s[%d] = %g, want %g (bit for bit)", rows, name, j, got[i][j], want[i][j])
				}
			}
		}
	}
}
