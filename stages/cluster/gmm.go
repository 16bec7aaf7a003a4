package cluster

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// GMMConfig holds the Gaussian mixture settings.
type GMMConfig struct {
	K        int
	MaxIter  int     // EM iterations
	Tol      float64 // stop when the mean log-likelihood changes by less than this
	RegCovar float64 // added to every covariance diagonal, keeps collapsed components invertible
	Seed     uint64  // seeds the k-means initialisation
	// The k-means initialisation runs once (n_init 1), as scikit-learn's.
	KMeansMaxIter int
	KMeansTol     float64
	Workers       int // goroutines; 0 means GOMAXPROCS. Results do not depend on it.
}

// GMMResult is a fitted full-covariance mixture.
type GMMResult struct {
	Weights     []float64 // k
	Means       []float64 // k×d row-major
	Covariances []float64 // k×d×d row-major
	Labels      []int     // most responsible component per point
	MeanLogLik  float64   // mean log-likelihood of the points under the final parameters
	// Trace holds the mean log-likelihood at every E-step, the last one
	// under the final parameters; EM does not let it decrease (beyond
	// rounding and the regularisation).
	Trace     []float64
	Iter      int
	Converged bool
}

// NumParams is the number of free parameters of a full-covariance
// mixture of k components in d dimensions.
func NumParams(k, d int) int { return k*d*(d+1)/2 + k*d + k - 1 }

// gmmState is the mixture during EM, with the Cholesky factor of each
// precision matrix (P = L⁻¹ where Σ = L Lᵀ) used by the E-step.
type gmmState struct {
	k, d     int
	weights  []float64
	means    []float64
	covs     []float64
	prec     []float64 // k×d×d, lower triangular
	precMean []float64 // k×d: P μ
	logNorm  []float64 // k: log w + log det P − d/2 log 2π
}

// GMM fits a Gaussian mixture with full covariances by EM, initialised
// from one k-means run (responsibilities one-hot on its labels).
func GMM(p Points, cfg GMMConfig) (GMMResult, error) {
	if cfg.MaxIter < 1 {
		return GMMResult{}, fmt.Errorf("gmm: max_iter=%d, want at least 1", cfg.MaxIter)
	}
	if cfg.RegCovar < 0 {
		return GMMResult{}, fmt.Errorf("gmm: reg_covar=%g, want at least 0", cfg.RegCovar)
	}
	km, err := KMeans(p, KMeansConfig{K: cfg.K, NInit: 1, MaxIter: cfg.KMeansMaxIter, Tol: cfg.KMeansTol, Seed: cfg.Seed, Workers: cfg.Workers})
	if err != nil {
		return GMMResult{}, fmt.Errorf("gmm: initialise: %w", err)
	}
	k := cfg.K
	resp := make([]float64, p.N*k)
	for i, l := range km.Labels {
		resp[i*k+l] = 1
	}
	st := &gmmState{k: k, d: p.D}
	if err := st.mStep(p, resp, cfg.RegCovar, cfg.Workers); err != nil {
		return GMMResult{}, err
	}
	res := GMMResult{}
	prev := math.Inf(-1)
	for res.Iter < cfg.MaxIter {
		ll := st.eStep(p, resp, cfg.Workers)
		res.Trace = append(res.Trace, ll)
		if err := st.mStep(p, resp, cfg.RegCovar, cfg.Workers); err != nil {
			return GMMResult{}, err
		}
		res.Iter++
		if math.Abs(ll-prev) < cfg.Tol {
			res.Converged = true
			break
		}
		prev = ll
	}
	// A last E-step makes labels and likelihood those of the final parameters.
	res.MeanLogLik = st.eStep(p, resp, cfg.Workers)
	res.Trace = append(res.Trace, res.MeanLogLik)
	res.Labels = argmaxRows(resp, p.N, k)
	res.Weights, res.Means, res.Covariances = st.weights, st.means, st.covs
	return res, nil
}

// eStep fills resp with responsibilities (log-sum-exp over components)
// and returns the mean log-likelihood.
func (st *gmmState) eStep(p Points, resp []float64, workers int) float64 {
	k := st.k
	nc := numChunks(p.N)
	partial := make([]float64, nc)
	ParallelFor(nc, workers, func(c int) {
		lo, hi := chunkBounds(c, p.N)
		// Log densities, rows in pairs so that each precision factor
		// loaded serves two points (an odd last row is paired with itself).
		for i := lo; i < hi; i += 2 {
			i1 := min(i+1, hi-1)
			r0, r1 := resp[i*k:(i+1)*k], resp[i1*k:(i1+1)*k]
			x0, x1 := p.Row(i), p.Row(i1)
			for j := range k {
				m0, m1 := st.mahalanobis2(j, x0, x1)
				r0[j] = st.logNorm[j] - 0.5*m0
				r1[j] = st.logNorm[j] - 0.5*m1
			}
		}
		var s float64
		for i := lo; i < hi; i++ {
			s += normalise(resp[i*k : (i+1)*k])
		}
		partial[c] = s
	})
	var total float64
	for _, s := range partial {
		total += s
	}
	return total / float64(p.N)
}

// respFloor is the smallest responsibility kept: a smaller one is below
// float64 resolution next to the point's total of 1, so it is set to 0
// and the M-step skips it, which makes well-separated mixtures cheap.
const respFloor = 1e-15

// normalise turns log densities into responsibilities (log-sum-exp) and
// returns the log of their sum.
func normalise(r []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range r {
		mx = max(mx, v)
	}
	var z float64
	for j, v := range r {
		// exp(−40) < 1e-17 cannot change z ≥ 1 and falls under respFloor:
		// skipping it changes no bit.
		if v-mx < -40 {
			r[j] = 0
			continue
		}
		r[j] = math.Exp(v - mx)
		z += r[j]
	}
	for j := range r {
		if r[j] /= z; r[j] < respFloor {
			r[j] = 0
		}
	}
	return mx + math.Log(z)
}

// mahalanobis2 returns |P_j x − P_j μ_j|² for two points.
func (st *gmmState) mahalanobis2(j int, x0, x1 []float64) (m0, m1 float64) {
	d := st.d
	prec := st.prec[j*d*d : (j+1)*d*d]
	pm := st.precMean[j*d : (j+1)*d]
	for a := range d {
		row := prec[a*d : a*d+a+1]
		v0, v1 := -pm[a], -pm[a]
		x0a, x1a := x0[:len(row)], x1[:len(row)]
		for b, pv := range row {
			v0 += pv * x0a[b]
			v1 += pv * x1a[b]
		}
		m0 += v0 * v0
		m1 += v1 * v1
	}
	return m0, m1
}

// mStep sets weights, means and covariances from responsibilities, then
// factorises the covariances.
func (st *gmmState) mStep(p Points, resp []float64, reg float64, workers int) error {
	k, d := st.k, st.d
	nc := numChunks(p.N)
	nk := make([]float64, k)
	means := make([]float64, k*d)
	// First pass: Σ r and Σ r x per chunk, reduced in chunk order.
	part := make([]float64, nc*k*(d+1))
	ParallelFor(nc, workers, func(c int) {
		lo, hi := chunkBounds(c, p.N)
		acc := part[c*k*(d+1) : (c+1)*k*(d+1)]
		for i := lo; i < hi; i++ {
			x := p.Row(i)
			for j, r := range resp[i*k : (i+1)*k] {
				if r == 0 {
					continue
				}
				a := acc[j*(d+1) : (j+1)*(d+1)]
				a[d] += r
				for b, v := range x {
					a[b] += r * v
				}
			}
		}
	})
	for c := range nc {
		acc := part[c*k*(d+1) : (c+1)*k*(d+1)]
		for j := range k {
			nk[j] += acc[j*(d+1)+d]
			for b := range d {
				means[j*d+b] += acc[j*(d+1)+b]
			}
		}
	}
	for j := range k {
		nk[j] += 10 * eps // keeps an empty component finite, as scikit-learn
		for b := range d {
			means[j*d+b] /= nk[j]
		}
	}
	covs := st.scatter(p, resp, means, workers)
	weights := make([]float64, k)
	for j := range k {
		weights[j] = nk[j] / float64(p.N)
		c := covs[j*d*d : (j+1)*d*d]
		for a := range d * d {
			c[a] /= nk[j]
		}
		for a := range d {
			c[a*d+a] += reg
		}
	}
	st.weights, st.means, st.covs = weights, means, covs
	return st.factorise()
}

// eps is the float64 machine epsilon.
const eps = 2.220446049250313e-16

// scatter returns Σ_i r_ij (x_i − μ_j)(x_i − μ_j)ᵀ for every component,
// summed per chunk (lower triangle) and reduced in chunk order.
func (st *gmmState) scatter(p Points, resp, means []float64, workers int) []float64 {
	k, d := st.k, st.d
	nc := numChunks(p.N)
	part := make([]float64, nc*k*d*d)
	ParallelFor(nc, workers, func(c int) {
		lo, hi := chunkBounds(c, p.N)
		acc := part[c*k*d*d : (c+1)*k*d*d]
		for j := range k {
			scatterComponent(p, resp, k, j, lo, hi, means[j*d:(j+1)*d], acc[j*d*d:(j+1)*d*d])
		}
	})
	covs := make([]float64, k*d*d)
	for c := range nc {
		for a, v := range part[c*k*d*d : (c+1)*k*d*d] {
			covs[a] += v
		}
	}
	for j := range k {
		s := covs[j*d*d : (j+1)*d*d]
		for a := range d {
			for b := range a {
				s[b*d+a] = s[a*d+b]
			}
		}
	}
	return covs
}

// scatterComponent adds Σ r_ij (x_i − μ)(x_i − μ)ᵀ over rows [lo, hi)
// to the lower triangle of s. Rows go in pairs so that each load and
// store of s serves two points.
func scatterComponent(p Points, resp []float64, k, j, lo, hi int, mu, s []float64) {
	d := p.D
	diff0, diff1 := make([]float64, d), make([]float64, d)
	i := lo
	for ; i+1 < hi; i += 2 {
		r0, r1 := resp[i*k+j], resp[(i+1)*k+j]
		if r0 == 0 && r1 == 0 {
			continue
		}
		x0, x1 := p.Row(i), p.Row(i+1)
		for b := range d {
			diff0[b], diff1[b] = x0[b]-mu[b], x1[b]-mu[b]
		}
		for a := range d {
			ra0, ra1 := r0*diff0[a], r1*diff1[a]
			row := s[a*d : a*d+a+1]
			d0, d1 := diff0[:len(row)], diff1[:len(row)]
			for b := range row {
				row[b] += ra0*d0[b] + ra1*d1[b]
			}
		}
	}
	if i < hi && resp[i*k+j] != 0 {
		r, x := resp[i*k+j], p.Row(i)
		for b := range d {
			diff0[b] = x[b] - mu[b]
		}
		for a := range d {
			ra := r * diff0[a]
			row := s[a*d : a*d+a+1]
			for b := range row {
				row[b] += ra * diff0[b]
			}
		}
	}
}

// factorise computes the precision Cholesky factor of every component
// with gonum and the per-component normalising constant.
func (st *gmmState) factorise() error {
	k, d := st.k, st.d
	st.prec = make([]float64, k*d*d)
	st.precMean = make([]float64, k*d)
	st.logNorm = make([]float64, k)
	var chol mat.Cholesky
	var l, inv mat.TriDense
	for j := range k {
		sym := mat.NewSymDense(d, append([]float64(nil), st.covs[j*d*d:(j+1)*d*d]...))
		if ok := chol.Factorize(sym); !ok {
			return fmt.Errorf("gmm: covariance of component %d is not positive definite; increase reg_covar", j)
		}
		chol.LTo(&l)
		if err := inv.InverseTri(&l); err != nil {
			return fmt.Errorf("gmm: invert Cholesky factor of component %d: %w", j, err)
		}
		prec := st.prec[j*d*d : (j+1)*d*d]
		logDet := 0.0
		for a := range d {
			for b := 0; b <= a; b++ {
				prec[a*d+b] = inv.At(a, b)
			}
			logDet += math.Log(prec[a*d+a])
		}
		mu := st.means[j*d : (j+1)*d]
		for a := range d {
			var v float64
			for b := 0; b <= a; b++ {
				v += prec[a*d+b] * mu[b]
			}
			st.precMean[j*d+a] = v
		}
		st.logNorm[j] = math.Log(st.weights[j]) + logDet - 0.5*float64(d)*math.Log(2*math.Pi)
	}
	return nil
}

// argmaxRows returns the column of each row's largest value, ties to the
// lower column.
func argmaxRows(m []float64, n, k int) []int {
	out := make([]int, n)
	for i := range n {
		row := m[i*k : (i+1)*k]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		out[i] = best
	}
	return out
}
