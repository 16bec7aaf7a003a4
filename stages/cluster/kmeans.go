package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
)

// Points is an n×d matrix of float64 stored row-major.
type Points struct {
	X    []float64
	N, D int
}

// Row returns row i (a view, not a copy).
func (p Points) Row(i int) []float64 { return p.X[i*p.D : (i+1)*p.D : (i+1)*p.D] }

// ColumnMeans returns the mean of each column, summed in row order so
// the result never depends on the number of cores.
func (p Points) ColumnMeans() []float64 {
	mean := make([]float64, p.D)
	for i := range p.N {
		for j, v := range p.Row(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(p.N)
	}
	return mean
}

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
	ParallelFor(cfg.NInit, outer, func(r int) {
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
	mean := p.ColumnMeans()
	var ss float64
	for i := range p.N {
		for j, v := range p.Row(i) {
			d := v - mean[j]
			ss += d * d
		}
	}
	return ss / float64(p.N*p.D)
}

// SqDist is the squared Euclidean distance |a−b|².
func SqDist(a, b []float64) float64 {
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
	trials := 2 + int(math.Log(float64(k)))
	s := &seeding{p: p, closest: make([]float64, p.N), nearest: make([]int32, p.N),
		imps: make([][]improvement, numChunks(p.N)*trials), workers: workers}
	first := p.Row(rng.IntN(p.N))
	centers := append(make([]float64, 0, k*d), first...)
	for i := range p.N {
		s.closest[i] = SqDist(p.Row(i), first)
	}
	cum := make([]float64, p.N)
	for c := 1; c < k; c++ {
		var pot float64
		for i, v := range s.closest {
			pot += v
			cum[i] = pot
		}
		cands := make([][]float64, trials)
		for t := range cands {
			cands[t] = p.Row(min(sort.SearchFloat64s(cum, rng.Float64()*pot), p.N-1))
		}
		gains := s.gains(centers, cands)
		best := 0
		for t := range gains {
			if gains[t] > gains[best] {
				best = t
			}
		}
		centers = append(centers, cands[best]...)
		s.accept(best, trials, c)
	}
	return centers
}

// seeding is the state of k-means++: each point's squared distance to
// its nearest chosen centre and that centre's index.
type seeding struct {
	p       Points
	closest []float64
	nearest []int32
	// imps[chunk*trials+t] lists the rows candidate t brings nearer.
	imps    [][]improvement
	workers int
}

// improvement is a row a candidate brings nearer, and its new distance.
type improvement struct {
	row  int32
	dist float64
}

// pruneSlack guards the triangle-inequality tests below against rounding.
const pruneSlack = 1 + 1e-9

// gains returns how much each candidate lowers the potential
// Σ_i closest_i (sums reduced in chunk order) and records the rows it
// brings nearer. A row is skipped when |m − cand|² ≥ 4·closest (m its
// nearest centre): by the triangle inequality the candidate cannot be
// nearer.
func (s *seeding) gains(centers []float64, cands [][]float64) []float64 {
	d, nt := s.p.D, len(cands)
	cc := make([]float64, len(centers)/d*nt) // |centre m − candidate t|² at m*nt+t
	for m := range len(centers) / d {
		for t, cand := range cands {
			cc[m*nt+t] = SqDist(centers[m*d:(m+1)*d], cand)
		}
	}
	chunks := numChunks(s.p.N)
	partial := make([]float64, chunks*nt)
	ParallelFor(chunks, s.workers, func(c int) {
		lo, hi := chunkBounds(c, s.p.N)
		g := partial[c*nt : (c+1)*nt]
		imp := s.imps[c*nt : (c+1)*nt]
		for t := range imp {
			imp[t] = imp[t][:0]
		}
		for i := lo; i < hi; i++ {
			dist := s.closest[i]
			lim := 4 * dist * pruneSlack
			m := int(s.nearest[i])
			for t, bound := range cc[m*nt : (m+1)*nt] {
				if bound >= lim {
					continue
				}
				if dd := SqDist(s.p.X[i*d:(i+1)*d], cands[t]); dd < dist {
					imp[t] = append(imp[t], improvement{int32(i), dd})
					g[t] += dist - dd
				}
			}
		}
	})
	gains := make([]float64, nt)
	for c := range chunks {
		for t := range gains {
			gains[t] += partial[c*nt+t]
		}
	}
	return gains
}

// accept makes candidate t (of nt), now centre number c, part of the
// seeding.
func (s *seeding) accept(t, nt, c int) {
	for chunk := range numChunks(s.p.N) {
		for _, imp := range s.imps[chunk*nt+t] {
			s.closest[imp.row], s.nearest[imp.row] = imp.dist, int32(c)
		}
	}
}

// lloyd alternates centre updates and assignments until no label
// changes, the squared centre shift drops to tolAbs, or maxIter. It uses
// Hamerly's bounds (2010): per point an upper bound on the distance to
// its centre and a lower bound on the distance to every other centre; a
// point whose bounds stay apart keeps its label without a distance
// computation, which makes the long tail of small moves cheap. Labels are
// those of plain Lloyd iterations (up to exact ties); the inertia is
// computed exactly at the end.
func lloyd(p Points, centers []float64, k, maxIter int, tolAbs float64, workers int) KMeansResult {
	h := &hamerly{p: p, k: k, labels: make([]int, p.N), upper: make([]float64, p.N), lower: make([]float64, p.N), workers: workers}
	h.scanAll(centers)
	iter, converged := 0, false
	for iter < maxIter && !converged {
		next, empty := updateCenters(p, h.labels, k, workers)
		if len(empty) > 0 {
			dist, _ := h.exact(centers)
			for e, row := range farthest(dist, len(empty)) {
				copy(next[empty[e]*p.D:(empty[e]+1)*p.D], p.Row(row))
			}
		}
		move := make([]float64, k)
		shift := 0.0
		for j := range k {
			m2 := SqDist(next[j*p.D:(j+1)*p.D], centers[j*p.D:(j+1)*p.D])
			shift += m2
			move[j] = math.Sqrt(m2)
		}
		centers = next
		changed := h.step(centers, move)
		iter++
		converged = !changed || shift <= tolAbs
	}
	_, inertia := h.exact(centers)
	return KMeansResult{Centers: centers, Labels: h.labels, Inertia: inertia, Iter: iter, Converged: converged}
}

// hamerly holds the labels and distance bounds of Lloyd iterations.
type hamerly struct {
	p            Points
	k            int
	labels       []int
	upper, lower []float64 // Euclidean, not squared
	workers      int
}

// scanAll labels every point by a full scan of the centres.
func (h *hamerly) scanAll(centers []float64) {
	ParallelFor(numChunks(h.p.N), h.workers, func(c int) {
		lo, hi := chunkBounds(c, h.p.N)
		for i := lo; i < hi; i++ {
			h.scan(i, centers)
		}
	})
}

// scan sets point i's label to its nearest centre (ties to the lower
// index) and its bounds to the nearest and second-nearest distances.
func (h *hamerly) scan(i int, centers []float64) {
	d := h.p.D
	x := h.p.Row(i)
	best, d1, d2 := 0, math.Inf(1), math.Inf(1)
	for j := range h.k {
		dd := SqDist(x, centers[j*d:(j+1)*d])
		switch {
		case dd < d1:
			best, d1, d2 = j, dd, d1
		case dd < d2:
			d2 = dd
		}
	}
	h.labels[i], h.upper[i], h.lower[i] = best, math.Sqrt(d1), math.Sqrt(d2)
}

// step moves the bounds by how far the centres moved and relabels the
// points whose bounds no longer prove their label; it reports whether
// any label changed.
func (h *hamerly) step(centers, move []float64) bool {
	k, d := h.k, h.p.D
	// half[a]: half the distance from centre a to its nearest other centre;
	// a point nearer than that to a cannot be nearer to another.
	half := make([]float64, k)
	for a := range k {
		half[a] = math.Inf(1)
		for b := range k {
			if b != a {
				half[a] = min(half[a], SqDist(centers[a*d:(a+1)*d], centers[b*d:(b+1)*d]))
			}
		}
		half[a] = 0.5 * math.Sqrt(half[a])
	}
	far, maxMove, secondMove := 0, 0.0, 0.0
	for j, m := range move {
		switch {
		case m > maxMove:
			far, maxMove, secondMove = j, m, maxMove
		case m > secondMove:
			secondMove = m
		}
	}
	nc := numChunks(h.p.N)
	changed := make([]bool, nc)
	ParallelFor(nc, h.workers, func(c int) {
		lo, hi := chunkBounds(c, h.p.N)
		for i := lo; i < hi; i++ {
			a := h.labels[i]
			h.upper[i] += move[a]
			if a == far {
				h.lower[i] -= secondMove
			} else {
				h.lower[i] -= maxMove
			}
			bound := max(half[a], h.lower[i])
			if h.upper[i]*pruneSlack <= bound {
				continue
			}
			h.upper[i] = math.Sqrt(SqDist(h.p.Row(i), centers[a*d:(a+1)*d]))
			if h.upper[i]*pruneSlack <= bound {
				continue
			}
			h.scan(i, centers)
			if h.labels[i] != a {
				changed[c] = true
			}
		}
	})
	return slices.Contains(changed, true)
}

// exact returns every point's squared distance to its centre and their
// sum, reduced in chunk order.
func (h *hamerly) exact(centers []float64) ([]float64, float64) {
	d := h.p.D
	dist := make([]float64, h.p.N)
	nc := numChunks(h.p.N)
	partial := make([]float64, nc)
	ParallelFor(nc, h.workers, func(c int) {
		lo, hi := chunkBounds(c, h.p.N)
		var s float64
		for i := lo; i < hi; i++ {
			a := h.labels[i]
			dist[i] = SqDist(h.p.Row(i), centers[a*d:(a+1)*d])
			s += dist[i]
		}
		partial[c] = s
	})
	var total float64
	for _, s := range partial {
		total += s
	}
	return dist, total
}

// updateCenters returns the mean of each cluster and the clusters left
// empty; the caller moves those to the points farthest from their
// centres (ties to the lower row), as scikit-learn relocates empty
// clusters.
func updateCenters(p Points, labels []int, k, workers int) ([]float64, []int) {
	d := p.D
	nc := numChunks(p.N)
	sums := make([]float64, nc*k*d)
	counts := make([]int, nc*k)
	ParallelFor(nc, workers, func(c int) {
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
	return centers, empty
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
