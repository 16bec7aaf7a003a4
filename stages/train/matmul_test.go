package train

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// The custom matMul gradient must equal GoMLX's generic one.
func TestMatMulGradient(t *testing.T) {
	backend := goBackend(t).Engine
	grads := func(custom bool) [][]float32 {
		e := MustNewExec(backend, func(x, w, c *Node) []*Node {
			var y *Node
			if custom {
				y = matMul(x, w)
			} else {
				y = MatMul(x, w)
			}
			loss := ReduceAllSum(Mul(Square(y), c))
			return Gradient(loss, x, w)
		})
		x := tensors.FromFlatDataAndDimensions([]float32{1, 2, 3, -1, 0.5, 2, 0, 1, -2, 3, 1, 1, 2, 2, -0.5}, 5, 3)
		w := tensors.FromFlatDataAndDimensions([]float32{0.1, -0.2, 0.3, 0.4, 0.5, 0.6, -0.7, 0.8, 0.9, 1, 1.1, -1.2}, 3, 4)
		c := tensors.FromFlatDataAndDimensions([]float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, 5, 4)
		out := e.MustExec(x, w, c)
		return [][]float32{tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])}
	}
	want, got := grads(false), grads(true)
	for i, name := range []string{"x", "w"} {
		for j := range want[i] {
			if math.Abs(float64(got[i][j]-want[i][j])) > 1e-4*math.Max(1, math.Abs(float64(want[i][j]))) {
				t.Fatalf("∂loss/∂%s[%d] = %g, want %g", name, j, got[i][j], want[i][j])
			}
		}
	}
}
