package evaluate

import (
	"math"
	"math/rand/v2"
	"testing"

	"litho/stages/cluster"
)

func TestARIByHand(t *testing.T) {
	tests := []struct {
		name string
		a, b []int
		want float64
	}{
		// Contingency {2 | 1 1}: Σ C(nij,2)=1, rows 2, cols 1, C(4,2)=6:
		// (1 − 2·1/6) / (1.5 − 2·1/6) = 4/7.
		{"one cluster split", []int{0, 0, 1, 1}, []int{0, 0, 1, 2}, 4.0 / 7},
		// Σ C(nij,2)=2, rows 6, cols 3, C(6,2)=15: (2 − 1.2)/(4.5 − 1.2).
		{"shifted", []int{0, 0, 0, 1, 1, 1}, []int{0, 0, 1, 1, 2, 2}, 0.8 / 3.3},
		// Σ C(nij,2)=0, rows 2, cols 2: (0 − 2/3)/(2 − 2/3) = −0.5.
		{"crossed", []int{0, 0, 1, 1}, []int{0, 1, 0, 1}, -0.5},
		{"identical", []int{0, 1, 1, 2, 2, 2}, []int{0, 1, 1, 2, 2, 2}, 1},
		{"both one cluster", []int{0, 0, 0}, []int{0, 0, 0}, 1},
		{"both all singletons", []int{0, 1, 2}, []int{0, 1, 2}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ARI(tt.a, tt.b); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("ARI = %.15g, want %.15g", got, tt.want)
			}
		})
	}
}

func TestARIProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	a := randomLabels(rng, 500, 7)
	b := randomLabels(rng, 500, 5)
	// Agree on most rows so the index is far from 0.
	for i := range b {
		if i%4 != 0 {
			b[i] = a[i] % 5
		}
	}
	perm := []int{3, 0, 6, 1, 5, 2, 4}
	permuted := make([]int, len(a))
	for i, l := range a {
		permuted[i] = perm[l]
	}
	tests := []struct {
		name      string
		got, want float64
	}{
		{"identical", ARI(a, a), 1},
		{"label permutation", ARI(permuted, b), ARI(a, b)},
		{"permutation is the same partition", ARI(a, permuted), 1},
		{"symmetry", ARI(b, a), ARI(a, b)},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > 1e-12 {
			t.Errorf("%s: %.15g, want %.15g", tt.name, tt.got, tt.want)
		}
	}
	if v := ARI(a, b); v < 0.3 {
		t.Errorf("mostly agreeing labelings: ARI %g", v)
	}
}

func TestARIIndependentLabelingsNearZero(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, k := range []int{2, 10, 50} {
		a := randomLabels(rng, 200000, k)
		b := randomLabels(rng, 200000, k)
		if v := ARI(a, b); math.Abs(v) > 0.002 {
			t.Errorf("k=%d: ARI of independent labelings %g", k, v)
		}
	}
}

func randomLabels(rng *rand.Rand, n, k int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = rng.IntN(k)
	}
	return out
}

func TestSilhouetteByHand(t *testing.T) {
	// 1-D points 0, 1, 10, 11 in two clusters: a = 1 for every point;
	// b = 10.5, 9.5, 9.5, 10.5.
	pts := cluster.Points{X: []float64{0, 1, 10, 11}, N: 4, D: 1}
	want := (9.5/10.5 + 8.5/9.5) / 2
	got := Silhouettes(pts, [][]int{{0, 0, 1, 1}, {0, 0, 0, 0}, {0, 1, 0, 1}, {0, 1, 2, 2}}, 2)
	// {0,1,0,1}: point 0: a = 10, b = mean(1, 11) = 6 → (6−10)/10;
	// point 1: a = 10, b = mean(1, 9) = 5 → −0.5; symmetric for the rest.
	crossed := (-0.4 - 0.5) / 2
	// {0,1,2,2}: singletons score 0; point 10: a=1, b=min(10, 9)=9 → 8/9;
	// point 11: a=1, b=min(11,10)=10 → 0.9.
	mixed := (8.0/9 + 0.9) / 4
	for i, w := range []float64{want, 0, crossed, mixed} {
		if math.Abs(got[i]-w) > 1e-12 {
			t.Errorf("labeling %d: silhouette %.15g, want %.15g", i, got[i], w)
		}
	}
}

// naiveSilhouette follows the definition for one labeling.
func naiveSilhouette(pts cluster.Points, labels []int) float64 {
	var total float64
	for i := range pts.N {
		sum, count := map[int]float64{}, map[int]int{}
		for j := range pts.N {
			count[labels[j]]++
			if j != i {
				sum[labels[j]] += math.Sqrt(cluster.SqDist(pts.Row(i), pts.Row(j)))
			}
		}
		own := labels[i]
		if count[own] < 2 {
			continue
		}
		a, b := sum[own]/float64(count[own]-1), math.Inf(1)
		for c, n := range count {
			if c != own {
				b = min(b, sum[c]/float64(n))
			}
		}
		if !math.IsInf(b, 1) {
			total += (b - a) / max(a, b)
		}
	}
	return total / float64(pts.N)
}

func TestSilhouettesMatchDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	pts := cluster.Points{X: make([]float64, 300*3), N: 300, D: 3}
	for i := range pts.X {
		pts.X[i] = rng.NormFloat64()
	}
	labelings := [][]int{randomLabels(rng, 300, 2), randomLabels(rng, 300, 7), randomLabels(rng, 300, 40)}
	got := Silhouettes(pts, labelings, 3)
	for l, labels := range labelings {
		if want := naiveSilhouette(pts, labels); math.Abs(got[l]-want) > 1e-12 {
			t.Errorf("labeling %d: %.15g, definition gives %.15g", l, got[l], want)
		}
	}
}

// TestARIMatchesPairCounting checks the contingency-table formula against
// the pair-counting form of the index, 2(ad − bc) / ((a+b)(b+d) + (a+c)(c+d)),
// with a, b, c, d the pairs grouped together in both labelings, only
// the first, only the second, neither.
func TestARIMatchesPairCounting(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for trial := range 20 {
		n := 20 + rng.IntN(60)
		x, y := randomLabels(rng, n, 1+rng.IntN(6)), randomLabels(rng, n, 1+rng.IntN(6))
		var a, b, c, d float64
		for i := range n {
			for j := i + 1; j < n; j++ {
				sx, sy := x[i] == x[j], y[i] == y[j]
				switch {
				case sx && sy:
					a++
				case sx:
					b++
				case sy:
					c++
				default:
					d++
				}
			}
		}
		den := (a+b)*(b+d) + (a+c)*(c+d)
		if den == 0 {
			continue
		}
		want := 2 * (a*d - b*c) / den
		if got := ARI(x, y); math.Abs(got-want) > 1e-12 {
			t.Errorf("trial %d: ARI %.15g, pair counting %.15g", trial, got, want)
		}
	}
}
