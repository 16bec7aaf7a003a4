package train

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/gomlx/gomlx/backends/simplego"
)

// synthetic makes rows of six correlated features from a few latent
// clusters, like scaled LILY bins: learnable structure plus noise.
func synthetic(rows int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 3))
	centres := [][6]float64{
		{-0.3, -1, -0.6, 1.2, 1.1, 1.0}, {0.2, 0.3, 0.7, -0.9, -0.9, -1}, {1.9, 2.2, -1.8, -0.5, -0.4, -0.6},
	}
	x := make([]float32, 0, rows*6)
	for range rows {
		c := centres[rng.IntN(len(centres))]
		t := rng.NormFloat64()
		for j, v := range c {
			x = append(x, float32(v+0.3*t*math.Cos(float64(j))+0.2*rng.NormFloat64()))
		}
	}
	return x
}

func goBackend(t testing.TB) *Backend {
	t.Helper()
	b, err := NewBackend("go")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reload encodes m's checkpoint and loads it on the pure-Go backend.
func reload(t testing.TB, m *Model) (ckpt []byte, loaded *Model) {
	t.Helper()
	ckpt, err := m.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	loaded, err = Load(goBackend(t).Engine, ckpt)
	if err != nil {
		t.Fatal(err)
	}
	return ckpt, loaded
}

// The pure-Go backend runs matrix products inline, parallelism 0, set
// without simplego's "parallelism=" option (which prints to stdout). The
// field runInline writes is the one New("") sets to the number of CPUs.
func TestGoBackendRunsInline(t *testing.T) {
	plain, err := simplego.New("")
	if err != nil {
		t.Fatal(err)
	}
	if f := maxParallelism(plain.(*simplego.Backend)); !f.IsValid() || f.Int() != int64(runtime.NumCPU()) {
		t.Fatalf("default parallelism %v, want %d", f, runtime.NumCPU())
	}
	if f := maxParallelism(goBackend(t).Engine.(*simplego.Backend)); f.Int() != 0 {
		t.Fatalf("parallelism %d, want 0", f.Int())
	}
}
