package cluster

import (
	"math"
	"math/rand/v2"
)

// component is one Gaussian of a synthetic mixture; chol is a lower
// triangular factor of its covariance (row-major d×d).
type component struct {
	mean   []float64
	chol   []float64
	weight float64
}

// sample draws n points from the mixture with a seeded PCG source and
// returns them with the component each came from.
func sample(seed uint64, n int, comps []component) (Points, []int) {
	rng := rand.New(rand.NewPCG(seed, 99))
	d := len(comps[0].mean)
	pts := Points{X: make([]float64, n*d), N: n, D: d}
	truth := make([]int, n)
	z := make([]float64, d)
	for i := range n {
		u, j := rng.Float64(), 0
		for j < len(comps)-1 && u >= comps[j].weight {
			u -= comps[j].weight
			j++
		}
		truth[i] = j
		for a := range z {
			z[a] = rng.NormFloat64()
		}
		row := pts.Row(i)
		for a := range d {
			v := comps[j].mean[a]
			for b := 0; b <= a; b++ {
				v += comps[j].chol[a*d+b] * z[b]
			}
			row[a] = v
		}
	}
	return pts, truth
}

// separated returns k equally weighted spherical unit Gaussians in d
// dimensions with means drawn uniformly from [−20, 20]^d: they barely
// overlap.
func separated(seed uint64, k, d int) []component { return blobs(seed, k, d, 20) }

// blobs returns k equally weighted spherical unit Gaussians in d
// dimensions with means drawn uniformly from [−box, box]^d.
func blobs(seed uint64, k, d int, box float64) []component {
	rng := rand.New(rand.NewPCG(seed, 7))
	comps := make([]component, k)
	for j := range comps {
		mean := make([]float64, d)
		for a := range mean {
			mean[a] = (rng.Float64()*2 - 1) * box
		}
		chol := make([]float64, d*d)
		for a := range d {
			chol[a*d+a] = 1
		}
		comps[j] = component{mean: mean, chol: chol, weight: 1 / float64(k)}
	}
	return comps
}

func covOf(chol []float64, d int) []float64 {
	c := make([]float64, d*d)
	for a := range d {
		for b := range d {
			for m := 0; m <= min(a, b); m++ {
				c[a*d+b] += chol[a*d+m] * chol[b*d+m]
			}
		}
	}
	return c
}

func maxAbsDiff(a, b []float64) float64 {
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}
