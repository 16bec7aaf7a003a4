// Package cluster is the "cluster" stage kind: K-Means and full-covariance
// Gaussian mixtures fitted to the latent vectors of one split, for every
// k in a list.
//
// Input:  latent (schemas.LatentRow Parquet).
// Output: assignments (schemas.AssignmentRow Parquet: rows sorted by
// method, k, borehole, bin; clusters numbered in order of first
// appearance in that row order, so an equal partition always gives equal
// bytes) and models (JSON, schema "litho.cluster-models/1": per method and
// k the parameters, log-likelihood, BIC and AIC, with component i being
// cluster i of the assignments).
//
// K-Means seeds with greedy k-means++ (2 + ln k draws per centre) and
// runs Lloyd iterations with Hamerly's distance bounds; the mixture runs
// EM from one k-means solution with responsibilities by log-sum-exp
// (those below 1e-15 count as 0) and gonum's Cholesky factorisation.
// Both split rows into fixed blocks whose partial sums are reduced in
// block order, so results do not depend on the number of cores.
//
// K-Means' likelihood is that of the hard-assignment spherical Gaussian
// model with one shared variance (inertia / (n·d)) and mixing weights
// n_c / n, as used by X-means; its parameter count is k·d + k.
package cluster

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"

	"litho/dag"
	"litho/schemas"
)

// ModelsSchema names the layout of the models JSON.
const ModelsSchema = "litho.cluster-models/1"

// Methods are the clustering methods the stage knows.
var Methods = []string{"gmm", "kmeans"}

// Splits are the values of the split parameter.
var Splits = []string{"train", "val", "test", "all"}

// Kind returns the cluster stage kind.
func Kind() *dag.Kind {
	return &dag.Kind{
		Name:    "cluster",
		Version: "cluster/5+" + schemas.LatentVersion + "+" + schemas.AssignmentVersion,
		Doc:     "K-Means and Gaussian mixtures on the latent vectors of one split, for every k",
		Params:  DefaultParams(),
		Inputs:  []dag.InputSpec{{Name: "latent", Map: true}}, // per fold and seed when partitioned
		Outputs: []dag.OutputSpec{
			{Name: "assignments", MediaType: schemas.MediaParquet},
			{Name: "models", MediaType: schemas.MediaJSON},
		},
		Run: run,
	}
}

// Params are the cluster stage's parameters.
type Params struct {
	Ks         []int    `param:"ks" doc:"numbers of clusters"`
	Methods    []string `param:"methods" doc:"kmeans and/or gmm"`
	Split      string   `param:"split" doc:"rows to cluster: train, val, test or all"`
	NInit      int      `param:"n_init" doc:"K-Means restarts; the lowest inertia wins"`
	MaxIter    int      `param:"max_iter" doc:"K-Means iterations per restart"`
	Tol        float64  `param:"tol" doc:"K-Means tolerance on the centre shift, relative to the data variance"`
	GMMMaxIter int      `param:"gmm_max_iter" doc:"EM iterations"`
	GMMTol     float64  `param:"gmm_tol" doc:"EM stops when the mean log-likelihood improves by less"`
	RegCovar   float64  `param:"reg_covar" doc:"added to every covariance diagonal"`
	Seed       int      `param:"seed" doc:"seed of the k-means++ draws"`
}

// DefaultParams are the kind's defaults.
func DefaultParams() Params {
	return Params{Ks: []int{10, 12, 15, 18, 20}, Methods: []string{"kmeans", "gmm"}, Split: "test",
		NInit: 10, MaxIter: 300, Tol: 1e-4, GMMMaxIter: 100, GMMTol: 1e-3, RegCovar: 1e-6, Seed: 1}
}

// Check reports every parameter that cannot work.
func (p Params) Check() error {
	return errors.Join(checkKs(p.Ks), checkMethods(p.Methods), dag.OneOf("split", p.Split, Splits...),
		dag.AtLeast("n_init", p.NInit, 1), dag.AtLeast("max_iter", p.MaxIter, 1), dag.AtLeast("tol", p.Tol, 0),
		dag.AtLeast("gmm_max_iter", p.GMMMaxIter, 1), dag.AtLeast("gmm_tol", p.GMMTol, 0),
		dag.AtLeast("reg_covar", p.RegCovar, 0))
}

func checkKs(ks []int) error {
	if len(ks) == 0 {
		return dag.ParamErrorf("ks", "want at least one k")
	}
	for _, k := range ks {
		if k < 2 {
			return dag.ParamErrorf("ks", "k=%d, want at least 2", k)
		}
	}
	return nil
}

func checkMethods(ms []string) error {
	if len(ms) == 0 {
		return dag.ParamErrorf("methods", "want at least one method")
	}
	for _, m := range ms {
		if err := dag.OneOf("methods", m, Methods...); err != nil {
			return err
		}
	}
	return nil
}

func run(ctx context.Context, x *dag.Exec) error {
	b, err := x.Read(ctx, "latent")
	if err != nil {
		return err
	}
	rows, err := schemas.ReadParquet[schemas.LatentRow](b)
	if err != nil {
		return fmt.Errorf("latent: %w", err)
	}
	p := dag.ParamsOf[Params](x)
	res, err := Fit(ctx, rows, p)
	if err != nil {
		return err
	}
	assign, models, err := res.Encode()
	if err != nil {
		return err
	}
	if err := x.Put(ctx, "assignments", assign); err != nil {
		return err
	}
	if err := x.Put(ctx, "models", models); err != nil {
		return err
	}
	x.Summary("clustered %d %s rows (dim %d): %v × k %v", res.Models.N, p.Split, res.Models.Dim, res.methods, res.ks)
	for _, m := range res.Models.Models {
		if m.Method == "gmm" && !m.Converged {
			x.Summary("warning: gmm k=%d did not converge in %d EM iterations", m.K, m.Iterations)
		}
	}
	return nil
}

// Result is what the stage computed, before encoding.
type Result struct {
	Keys        []RowKey
	Assignments []schemas.AssignmentRow
	Models      Models
	methods     []string
	ks          []int
}

// RowKey identifies a clustered bin.
type RowKey struct {
	Borehole string
	Bin      int64
}

// Models is the models JSON.
type Models struct {
	Schema string  `json:"schema"`
	Split  string  `json:"split"`
	N      int     `json:"n"`
	Dim    int     `json:"dim"`
	Seed   int     `json:"seed"`
	Models []Model `json:"models"`
}

// Model is one fitted method and k. Means are K-Means' centres; weights
// and covariances are the mixture's.
type Model struct {
	Method        string        `json:"method"`
	K             int           `json:"k"`
	Iterations    int           `json:"iterations"`
	Converged     bool          `json:"converged"`
	Inertia       float64       `json:"inertia,omitempty"`
	Restart       int           `json:"restart,omitempty"`
	LogLikelihood float64       `json:"log_likelihood"`
	NumParams     int           `json:"num_params"`
	BIC           float64       `json:"bic"`
	AIC           float64       `json:"aic"`
	Sizes         []int         `json:"sizes"`
	Weights       []float64     `json:"weights,omitempty"`
	Means         [][]float64   `json:"means"`
	Covariances   [][][]float64 `json:"covariances,omitempty"`
	Trace         []float64     `json:"trace,omitempty"`
}

// Fit clusters the rows of p.Split with every method and k of p.
func Fit(ctx context.Context, rows []schemas.LatentRow, p Params) (*Result, error) {
	keys, pts, err := selectRows(rows, p.Split)
	if err != nil {
		return nil, err
	}
	methods := slices.Sorted(slices.Values(p.Methods))
	methods = slices.Compact(methods)
	ks := slices.Compact(slices.Sorted(slices.Values(p.Ks)))
	res := &Result{Keys: keys, methods: methods, ks: ks,
		Models: Models{Schema: ModelsSchema, Split: p.Split, N: pts.N, Dim: pts.D, Seed: p.Seed}}
	for _, method := range methods {
		for _, k := range ks {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if k > pts.N {
				return nil, fmt.Errorf("parameter ks: k=%d exceeds the %d %s rows", k, pts.N, p.Split)
			}
			m, labels, err := fitOne(pts, method, k, p)
			if err != nil {
				return nil, fmt.Errorf("%s k=%d: %w", method, k, err)
			}
			res.Models.Models = append(res.Models.Models, m)
			for i, key := range keys {
				res.Assignments = append(res.Assignments, schemas.AssignmentRow{
					Borehole: key.Borehole, Bin: key.Bin, Method: method, K: int32(k), Cluster: int32(labels[i])})
			}
		}
	}
	return res, nil
}

// Encode writes the assignments Parquet and the models JSON.
func (r *Result) Encode() (assign, models []byte, err error) {
	assign, err = schemas.WriteParquet(r.Assignments)
	if err != nil {
		return nil, nil, fmt.Errorf("assignments: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	if err := enc.Encode(r.Models); err != nil {
		return nil, nil, fmt.Errorf("models: %w", err)
	}
	return assign, buf.Bytes(), nil
}

// selectRows keeps the rows of split (all rows for "all"), sorted by
// borehole and bin so that row order never depends on the input's.
func selectRows(rows []schemas.LatentRow, split string) ([]RowKey, Points, error) {
	var sel []schemas.LatentRow
	for _, r := range rows {
		if split == "all" || r.Split == split {
			sel = append(sel, r)
		}
	}
	if len(sel) == 0 {
		return nil, Points{}, fmt.Errorf("latent: no rows in split %q", split)
	}
	slices.SortFunc(sel, func(a, b schemas.LatentRow) int {
		return cmp.Or(cmp.Compare(a.Borehole, b.Borehole), cmp.Compare(a.Bin, b.Bin))
	})
	d := len(sel[0].Z)
	if d == 0 {
		return nil, Points{}, fmt.Errorf("latent: row %s bin %d has an empty z", sel[0].Borehole, sel[0].Bin)
	}
	keys := make([]RowKey, len(sel))
	pts := Points{X: make([]float64, 0, len(sel)*d), N: len(sel), D: d}
	for i, r := range sel {
		keys[i] = RowKey{r.Borehole, r.Bin}
		if i > 0 && keys[i] == keys[i-1] {
			return nil, Points{}, fmt.Errorf("latent: duplicate row %s bin %d", r.Borehole, r.Bin)
		}
		if len(r.Z) != d {
			return nil, Points{}, fmt.Errorf("latent: row %s bin %d has %d dimensions, want %d", r.Borehole, r.Bin, len(r.Z), d)
		}
		for j, v := range r.Z {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, Points{}, fmt.Errorf("latent: row %s bin %d: z[%d] is %v", r.Borehole, r.Bin, j, v)
			}
			pts.X = append(pts.X, float64(v))
		}
	}
	return keys, pts, nil
}

// fitOne fits one method and k and returns the model and canonical labels.
func fitOne(pts Points, method string, k int, p Params) (Model, []int, error) {
	switch method {
	case "kmeans":
		r, err := KMeans(pts, KMeansConfig{K: k, NInit: p.NInit, MaxIter: p.MaxIter, Tol: p.Tol, Seed: uint64(p.Seed)})
		if err != nil {
			return Model{}, nil, err
		}
		return kmeansModel(pts, r)
	case "gmm":
		r, err := GMM(pts, GMMConfig{K: k, MaxIter: p.GMMMaxIter, Tol: p.GMMTol, RegCovar: p.RegCovar,
			Seed: uint64(p.Seed), KMeansMaxIter: p.MaxIter, KMeansTol: p.Tol})
		if err != nil {
			return Model{}, nil, err
		}
		return gmmModel(pts, r)
	}
	return Model{}, nil, fmt.Errorf("unknown method %q", method)
}

func kmeansModel(pts Points, r KMeansResult) (Model, []int, error) {
	k := len(r.Centers) / pts.D
	labels, order := Canonical(r.Labels, k)
	sizes := clusterSizes(labels, k)
	variance := max(r.Inertia/float64(pts.N*pts.D), eps)
	n := float64(pts.N)
	ll := -0.5 * n * float64(pts.D) * (math.Log(2*math.Pi*variance) + 1)
	for _, s := range sizes {
		if s > 0 {
			ll += float64(s) * math.Log(float64(s)/n)
		}
	}
	m := Model{Method: "kmeans", K: k, Iterations: r.Iter, Converged: r.Converged, Inertia: r.Inertia,
		Restart: r.Restart, Sizes: sizes, Means: rows(permuteBlocks(r.Centers, order, pts.D), pts.D)}
	setCriteria(&m, ll, k*pts.D+k, pts.N)
	return m, labels, nil
}

func gmmModel(pts Points, r GMMResult) (Model, []int, error) {
	d := pts.D
	k := len(r.Weights)
	labels, order := Canonical(r.Labels, k)
	covs := permuteBlocks(r.Covariances, order, d*d)
	m := Model{Method: "gmm", K: k, Iterations: r.Iter, Converged: r.Converged,
		Sizes:   clusterSizes(labels, k),
		Weights: permuteBlocks(r.Weights, order, 1),
		Means:   rows(permuteBlocks(r.Means, order, d), d),
		Trace:   r.Trace}
	for j := range k {
		m.Covariances = append(m.Covariances, rows(covs[j*d*d:(j+1)*d*d], d))
	}
	setCriteria(&m, r.MeanLogLik*float64(pts.N), NumParams(k, d), pts.N)
	return m, labels, nil
}

func setCriteria(m *Model, ll float64, params, n int) {
	m.LogLikelihood, m.NumParams = ll, params
	m.BIC = -2*ll + float64(params)*math.Log(float64(n))
	m.AIC = -2*ll + 2*float64(params)
}

func clusterSizes(labels []int, k int) []int {
	sizes := make([]int, k)
	for _, l := range labels {
		sizes[l]++
	}
	return sizes
}

func rows(v []float64, d int) [][]float64 {
	out := make([][]float64, 0, len(v)/d)
	for i := 0; i < len(v); i += d {
		out = append(out, v[i:i+d])
	}
	return out
}
