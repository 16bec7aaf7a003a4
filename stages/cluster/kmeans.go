package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
)

// Points is an n×d matrix of float64 stored row-major.
type Points struct {
	X    []float64
	N, D int
}

// Row returns row i (a view, not a copy).
func (p Points) Row(i int) []float64 { return p.X[i*p.D : (i+1)*p.D : (i+1)*p.D] }

// KMeansConfig holds the K-Means settings.
type KMeansConfig struct {
	K       int
	NInit   int     // restarts with different k-means++ seeds; the lowest inertia wins
	MaxIter int     // Lloyd iterations per restart
	Tol     float64 // on the squared centre shift, relative to the mean per-column variance (as scikit-learn)
	Seed    uint64
	Workers int // goroutines; 0 means GOMAXPROCS. Results do not depend on it.
}

// KMeansResult is the kept restart.
type KMeansResult struct {
	Centers   []float64 // k×d row-major
	Labels    []int
	Inertia   float64 // sum of squared distances to the assigned centre
	Iter      int     // Lloyd iterations of the kept restart
	Converged bool    // stopped before MaxIter
	Restart   int     // index of the kept restart
	Inertias  []float64
}

// KMeans clusters p into cfg.K groups: greedy k-means++ seeding, Lloyd
// iterations, NInit restarts. Restart r draws from PCG(Seed, r+1), so the
// result is the same for any number of workers.
func KMeans(p Points, cfg KMeansConfig) (KMeansResult, error) {
	if err := checkKMeans(p, cfg); err != nil {
		return KMeansResult{}, err
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	tolAbs := cfg.Tol * meanColumnVariance(p)
	runs := make([]KMeansResult, cfg.NInit)
	// Restarts are independent: run them side by side when there are at
	// least as many as workers, else parallelise rows within each.
	outer, inner := workers, 1
	if cfg.NInit < workers {
		outer, inner = 1, workers
	}
	parallelFor(cfg.NInit, outer, func(r int) {
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(r)+1))
		centers := kmeansPlusPlus(p, cfg.K, rng, inner)
		runs[r] = lloyd(p, centers, cfg.K, cfg.MaxIter, tolAbs, inner)
		runs[r].Restart = r
	})
	best := 0
	inertias := make([]float64, cfg.NInit)
	for r, run := range runs {
		inertias[r] = run.Inertia
		if run.Inertia < runs[best].Inertia {
			best = r
		}
	}
	res := runs[best]
	res.Inertias = inertias
	return res, nil
}

func checkKMeans(p Points, cfg KMeansConfig) error {
	switch {
	case p.D < 1 || len(p.X) != p.N*p.D:
		return fmt.Errorf("kmeans: data is not an n×d matrix (n=%d d=%d len=%d)", p.N, p.D, len(p.X))
	case cfg.K < 1:
		return fmt.Errorf("kmeans: k=%d, want at least 1", cfg.K)
	case cfg.K > p.N:
		return fmt.Errorf("kmeans: k=%d exceeds the number of points (%d)", cfg.K, p.N)
	case cfg.NInit < 1:
		return fmt.Errorf("kmeans: n_init=%d, want at least 1", cfg.NInit)
	case cfg.MaxIter < 1:
		return fmt.Errorf("kmeans: max_iter=%d, want at least 1", cfg.MaxIter)
	}
	return nil
}

func meanColumnVariance(p Points) float64 {
	mean := make([]float64, p.D)
	for i := range p.N {
		for j, v := range p.Row(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(p.N)
	}
	var ss float64
	for i := range p.N {
		for j, v := range p.Row(i) {
			d := v - mean[j]
			ss += d * d
		}
	}
	return ss / float64(p.N*p.D)
}

func sqDist(a, b []float64) float64 {
	b = b[:len(a)]
	var s float64
	for j, v := range a {
		d := v - b[j]
		s += d * d
	}
	return s
}

// kmeansPlusPlus is greedy k-means++ (Arthur & Vassilvitskii, with
// 2+ln k candidate draws per centre keeping the one that lowers the
// potential most, as scikit-learn does).
func kmeansPlusPlus(p Points, k int, rng *rand.Rand, workers int) []float64 {
	d := p.D
	centers := make([]float64, k*d)
	first := rng.IntN(p.N)
	copy(centers[:d], p.Row(first))
	trials := 2 + int(math.Log(float64(k)))
	bufs := make([][]float64, trials)
	for t := range bufs {
		bufs[t] = make([]float64, p.N)
	}
	closest := make([]float64, p.N)
	for i := range closest {
		closest[i] = math.Inf(1)
	}
	pot := candidatePotentials(p, closest, [][]float64{p.Row(first)}, bufs[:1], workers)[0]
	copy(closest, bufs[0])
	cum := make([]float64, p.N)
	for c := 1; c < k; c++ {
		var s float64
		for i, v := range closest {
			s += v
			cum[i] = s
		}
		cands := make([][]float64, trials)
		ids := make([]int, trials)
		for t := range cands {
			ids[t] = min(sort.SearchFloat64s(cum, rng.Float64()*pot), p.N-1)
			cands[t] = p.Row(ids[t])
		}
		pots := candidatePotentials(p, closest, cands, bufs, workers)
		best := 0
		for t := range pots {
			if pots[t] < pots[best] {
				best = t
			}
		}
		copy(centers[c*d:(c+1)*d], cands[best])
		copy(closest, bufs[best])
		pot = pots[best]
	}
	return centers
}

// candidatePotentials computes, for each candidate centre t,
// out[t][i] = min(closest[i], |x_i − cand_t|²) and its sum.
func candidatePotentials(p Points, closest []float64, cands, out [][]float64, workers int) []float64 {
	nc := numChunks(p.N)
	partial := make([]float64, nc*len(cands))
	parallelFor(nc, workers, func(c int) {
		lo, hi := chunkBounds(c, p.N)
		for t, cand := range cands {
			var s float64
			o := out[t]
			for i := lo; i < hi; i++ {
				dist := sqDist(p.Row(i), cand)
				if closest[i] < dist {
					dist = closest[i]
				}
				o[i] = dist
				s += dist
			}
			partial[c*len(cands)+t] = s
		}
	})
	pots := make([]float64, len(cands))
	for c := range nc {
		for t := range cands {
			pots[t] += partial[c*len(cands)+t]
		}
	}
	return pots
}

// lloyd alternates centre updates and assignments until no label
// changes, the squared centre shift drops to tolAbs, or maxIter.
func lloyd(p Points, centers []float64, k, maxIter int, tolAbs float64, workers int) KMeansResult {
	labels := make([]int, p.N)
	for i := range labels {
		labels[i] = -1
	}
	dist := make([]float64, p.N)
	inertia, _ := assign(p, centers, k, labels, dist, workers)
	iter, converged := 0, false
	for iter < maxIter && !converged {
		next := updateCenters(p, labels, dist, k, workers)
		shift := 0.0
		for j := range next {
			d := next[j] - centers[j]
			shift += d * d
		}
		centers = next
		var changed bool
		inertia, changed = assign(p, centers, k, labels, dist, workers)
		iter++
		converged = !changed || shift <= tolAbs
	}
	return KMeansResult{Centers: centers, Labels: labels, Inertia: inertia, Iter: iter, Converged: converged}
}

// assign sets each label to its nearest centre (ties to the lower index)
// and dist to the squared distance; it returns the inertia and whether
// any label changed.
func assign(p Points, centers []float64, k int, labels []int, dist []float64, workers int) (float64, bool) {
	d := p.D
	nc := numChunks(p.N)
	partial := make([]float64, nc)
	changed := make([]bool, nc)
	parallelFor(nc, workers, func(c int) {
		lo, hi := chunkBounds(c, p.N)
		var s float64
		for i := lo; i < hi; i++ {
			x := p.Row(i)
			best, bestD := 0, math.Inf(1)
			for j := range k {
				if dd := sqDist(x, centers[j*d:(j+1)*d]); dd < bestD {
					best, bestD = j, dd
				}
			}
			if labels[i] != best {
				labels[i] = best
				changed[c] = true
			}
			dist[i] = bestD
			s += bestD
		}
		partial[c] = s
	})
	var inertia float64
	anyChanged := false
	for c := range nc {
		inertia += partial[c]
		anyChanged = anyChanged || changed[c]
	}
	return inertia, anyChanged
}

// updateCenters returns the mean of each cluster. An empty cluster takes
// the point farthest from its centre (ties to the lower row), as
// scikit-learn relocates empty clusters.
func updateCenters(p Points, labels []int, dist []float64, k, workers int) []float64 {
	d := p.D
	nc := numChunks(p.N)
	sums := make([]float64, nc*k*d)
	counts := make([]int, nc*k)
	parallelFor(nc, workers, func(c int) {
		lo, hi := chunkBounds(c, p.N)
		s := sums[c*k*d : (c+1)*k*d]
		n := counts[c*k : (c+1)*k]
		for i := lo; i < hi; i++ {
			l := labels[i]
			n[l]++
			row := s[l*d : (l+1)*d]
			for j, v := range p.Row(i) {
				row[j] += v
			}
		}
	})
	centers := make([]float64, k*d)
	count := make([]int, k)
	for c := range nc {
		for j, v := range sums[c*k*d : (c+1)*k*d] {
			centers[j] += v
		}
		for l, n := range counts[c*k : (c+1)*k] {
			count[l] += n
		}
	}
	var empty []int
	for l := range k {
		if count[l] == 0 {
			empty = append(empty, l)
			continue
		}
		for j := range d {
			centers[l*d+j] /= float64(count[l])
		}
	}
	for e, row := range farthest(dist, len(empty)) {
		copy(centers[empty[e]*d:(empty[e]+1)*d], p.Row(row))
	}
	return centers
}

// farthest returns the m rows with the largest dist, largest first.
func farthest(dist []float64, m int) []int {
	if m == 0 {
		return nil
	}
	idx := make([]int, len(dist))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return dist[idx[a]] > dist[idx[b]] })
	return idx[:m]
}
