package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// evalBatch is the fixed number of rows per inference call; the last
// chunk is padded, so one compiled graph serves every table size.
// Inference uses the batch-norm running statistics, so padding rows do
// not change the others. The pure-Go backend switches to a blocked
// matrix kernel for products of more than 16,384 outputs; 512 rows keep
// the default model's widest product (512 × 32) on the small-matrix
// kernel training uses, which here is 1.7 times faster per row than 2048
// rows on the blocked one (BenchmarkValidation).
const evalBatch = 512

// Model is a VAE bound to a backend: its variables and compiled graphs.
type Model struct {
	Config  Config
	backend backends.Backend
	ctx     *context.Context
	step    *context.Exec // training step, built on first use
	eval    *context.Exec
	// Copied lists, per init input, the layers transfer copied.
	Copied []string
}

// newModel makes a model whose variables are initialised from cfg.Seed
// on first use.
func newModel(backend backends.Backend, cfg Config) (*Model, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if err := cfg.checkGroupFeatures(); err != nil {
		return nil, err
	}
	// Unchecked: graphs for new shapes and the inference graph reuse the
	// variables the first graph created.
	ctx := context.New().Checked(false)
	if err := ctx.SetRNGStateFromSeed(cfg.Seed); err != nil {
		return nil, fmt.Errorf("seed random state: %w", err)
	}
	m := &Model{Config: cfg, backend: backend, ctx: ctx}
	return m, m.buildEval()
}

// Load rebuilds a model from a checkpoint for inference.
func Load(backend backends.Backend, checkpoint []byte) (*Model, error) {
	cfg, vars, err := decodeCheckpoint(checkpoint)
	if err != nil {
		return nil, err
	}
	m, err := newModel(backend, cfg)
	if err != nil {
		return nil, err
	}
	loaded := map[string]bool{}
	for _, v := range vars {
		scope, name := context.SplitScope(v.Name)
		m.ctx.InAbsPath(scope).VariableWithValue(name, v.Tensor)
		loaded[v.Name] = true
	}
	// Build the inference graph now: a variable it needs that the
	// checkpoint lacks would otherwise be initialised at random, silently.
	if _, err := m.Infer(make([]float32, cfg.Inputs())); err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	for v := range m.ctx.IterVariables() {
		if strings.HasPrefix(v.Scope(), "/"+modelScope) && !loaded[v.ScopeAndName()] {
			return nil, fmt.Errorf("checkpoint: no variable %s for a model with %+v", v.ScopeAndName(), cfg)
		}
	}
	return m, nil
}

// Parameters counts the model's learnable values: the dense layers'
// weights and biases and the batch-norm scales and offsets, frozen or
// not, not the batch-norm running statistics (DESIGN.md §1b: 2,102 for
// six inputs, hidden 32/16 and latent 8). The variables exist once the
// model has trained a step or been loaded.
func (m *Model) Parameters() int {
	n := 0
	for v := range m.ctx.IterVariables() {
		running := v.Name() == "mean" || v.Name() == "variance"
		if !running && strings.HasPrefix(v.Scope(), "/"+modelScope) {
			n += v.Shape().Size()
		}
	}
	return n
}

// Checkpoint encodes the model's current weights.
func (m *Model) Checkpoint() ([]byte, error) { return encodeCheckpoint(m.Config, m.ctx) }

func (m *Model) buildEval() error {
	cfg := m.Config
	var err error
	// Inputs: x, then for a masked model its missing mask. Outputs: μ,
	// the rows' error and KL (z = μ), the reconstruction.
	m.eval, err = context.NewExec(m.backend, m.ctx, func(ctx *context.Context, in []*Node) []*Node {
		x := in[0]
		ctx.SetTraining(x.Graph(), false)
		var missing *Node
		if len(in) > 1 {
			missing = in[1]
		}
		p := cfg.posterior(ctx, x, missing, nil)
		recon := cfg.decode(ctx, p.mu, nil)
		return []*Node{p.mu, rowError(x, recon), cfg.rowKL(p, p.mu), recon}
	})
	if err != nil {
		return fmt.Errorf("build inference graph: %w", err)
	}
	return nil
}

func (m *Model) buildStep() error {
	cfg := m.Config
	opt := optimizers.Adam().LearningRate(cfg.LearningRate).Betas(0.9, 0.999).Epsilon(1e-8).Done()
	var err error
	// Inputs: x, β, eps, the dropout masks, then for a masked model the
	// missing mask.
	drops := len(cfg.maskUnits())
	m.step, err = context.NewExec(m.backend, m.ctx, func(ctx *context.Context, in []*Node) []*Node {
		x := in[0]
		ctx.SetTraining(x.Graph(), true)
		n := &noise{eps: in[2], masks: in[3 : 3+drops]}
		if len(in) > 3+drops {
			n.missing = in[3+drops]
		}
		loss := cfg.trainLoss(ctx, x, in[1], n)
		opt.UpdateGraph(ctx, x.Graph(), loss)
		return []*Node{loss}
	})
	if err != nil {
		return fmt.Errorf("build training graph: %w", err)
	}
	return nil
}

// trainStep runs one optimiser step on a batch x [rows, inputs] with the
// step's noise (from noiseDraws) and returns the batch loss.
func (m *Model) trainStep(x []float32, rows int, beta float64, noise []any) (loss float64, err error) {
	if m.step == nil {
		if err := m.buildStep(); err != nil {
			return 0, err
		}
	}
	defer recoverError(&err, "training step")
	args := []any{tensors.FromFlatDataAndDimensions(x, rows, m.Config.Inputs()), float32(beta)}
	out, err := m.step.Exec(append(args, noise...)...)
	if err != nil {
		return 0, fmt.Errorf("training step: %w", err)
	}
	return float64(tensors.ToScalar[float32](out[0])), nil
}

// noiseDraws draws the noise of successive training steps one step
// ahead, on another goroutine, so that it overlaps the backend running
// the current step on one core. A draw starts only once the previous
// one is taken, so the sequence is the one drawing inline would give.
//
// The draws alternate between two sets of tensors held on the backend
// (in the pure-Go backend's own memory, which it reads in place): one
// feeds the step running while the next step's is drawn, and a step is
// done with its set before the draw after next overwrites it. So a step
// allocates and uploads no noise.
type noiseDraws struct {
	cfg     Config
	backend backends.Backend
	rows    int
	rng     *rand.Rand
	next    chan []any
	sets    [2][]*tensors.Tensor
	drawn   int
	pending sync.WaitGroup // the draw in flight
}

// noiseDraws starts drawing step noise for batches of rows from rng,
// which nothing else may use from then on.
func (c Config) noiseDraws(backend backends.Backend, rng *rand.Rand, rows int) *noiseDraws {
	d := &noiseDraws{cfg: c, backend: backend, rows: rows, rng: rng, next: make(chan []any, 1)}
	d.start()
	return d
}

// start draws the next step's noise on another goroutine.
func (d *noiseDraws) start() {
	d.pending.Go(d.fill)
}

// close waits for the draw in flight: it writes tensors the backend
// holds, which must not happen once training is over and the backend
// may be gone.
func (d *noiseDraws) close() { d.pending.Wait() }

func (d *noiseDraws) fill() {
	set := &d.sets[d.drawn%2]
	d.drawn++
	if *set == nil {
		*set = d.cfg.noiseTensors(d.backend, d.rows)
	}
	d.cfg.draw(d.rng, *set)
	args := make([]any, len(*set))
	for i, t := range *set {
		args[i] = t
	}
	d.next <- args
}

// take returns the next step's noise and starts drawing the one after;
// that last draw, never taken, ends on its own (the channel has room)
// and close waits for it.
func (d *noiseDraws) take() []any {
	n := <-d.next
	d.start()
	return n
}

// noiseTensors makes one set of the tensors draw fills, in the order the
// training graph takes them: eps [rows, latent], then the dropout masks.
func (c Config) noiseTensors(backend backends.Backend, rows int) []*tensors.Tensor {
	set := []*tensors.Tensor{tensors.FromShape(shapes.Make(dtypes.Float32, rows, c.LatentDim))}
	for _, units := range c.maskUnits() {
		set = append(set, tensors.FromShape(shapes.Make(dtypes.Float32, rows, units)))
	}
	for _, t := range set {
		t.MustMaterializeOnDevice(backend, true, 0)
	}
	return set
}

// draw writes the noise of one training step (see noise) into a set
// from noiseTensors.
func (c Config) draw(rng *rand.Rand, set []*tensors.Tensor) {
	tensors.MustMutableFlatData(set[0], func(eps []float32) {
		for i := range eps {
			eps[i] = float32(rng.NormFloat64())
		}
	})
	keep := float32(1 / (1 - c.Dropout))
	// Each 64-bit draw gives two 32-bit uniforms, compared with the
	// dropout rate in 32-bit fixed point.
	drop := uint32(math.Min(c.Dropout*(1<<32), math.MaxUint32))
	mask := func(u uint32) float32 {
		if u >= drop {
			return keep
		}
		return 0
	}
	for _, t := range set[1:] {
		tensors.MustMutableFlatData(t, func(m []float32) {
			for i := 0; i < len(m); i += 2 {
				r := rng.Uint64()
				m[i] = mask(uint32(r))
				if i+1 < len(m) {
					m[i+1] = mask(uint32(r >> 32))
				}
			}
		})
	}
}

// matrix is a zeroed float32 tensor [rows, cols] that fill writes in
// place, not a slice the tensor then copies.
func matrix(rows, cols int, fill func(flat []float32)) *tensors.Tensor {
	t := tensors.FromShape(shapes.Make(dtypes.Float32, rows, cols))
	tensors.MustMutableFlatData(t, fill)
	return t
}

// Inference holds the encoder mean, per-row loss terms and the
// reconstruction of a table.
type Inference struct {
	Mu    []float32 // rows × LatentDim
	Rec   []float64 // Σ squared reconstruction error of each row (z = μ)
	KL    []float64 // KL term of each row (VampPrior: its estimate at z = μ)
	Recon []float32 // rows × inputs, the decoder's output at z = μ
}

// Loss is the mean over rows of Rec + β·KL, the batch loss of the whole table.
func (in *Inference) Loss(beta float64) float64 {
	var s float64
	for i := range in.Rec {
		s += in.Rec[i] + beta*in.KL[i]
	}
	return s / float64(max(1, len(in.Rec)))
}

// Infer runs the model in inference mode (no dropout, batch-norm running
// statistics, z = μ) over x [rows, inputs], nothing masked.
func (m *Model) Infer(x []float32) (*Inference, error) { return m.InferMasked(x, nil) }

// InferMasked is Infer with the features where missing [rows, inputs] is
// 1 masked, as in masked training; missing nil masks nothing. Only a
// masked model takes a mask.
func (m *Model) InferMasked(x, missing []float32) (res *Inference, err error) {
	defer recoverError(&err, "inference")
	d, L := m.Config.Inputs(), m.Config.LatentDim
	if len(x)%d != 0 {
		return nil, fmt.Errorf("inference: %d values is not a whole number of %d-feature rows", len(x), d)
	}
	if missing != nil && (len(missing) != len(x) || m.Config.Masking == NoMasking) {
		return nil, fmt.Errorf("inference: a mask of %d values for %d values of a model with masking = %q", len(missing), len(x), m.Config.Masking)
	}
	rows := len(x) / d
	res = &Inference{Mu: make([]float32, 0, rows*L), Rec: make([]float64, 0, rows), KL: make([]float64, 0, rows), Recon: make([]float32, 0, rows*d)}
	for lo := 0; lo < rows; lo += evalBatch {
		n := min(evalBatch, rows-lo)
		out, err := m.eval.Exec(m.evalArgs(x, missing, lo, n)...)
		if err != nil {
			return nil, fmt.Errorf("inference: %w", err)
		}
		mu := tensors.MustCopyFlatData[float32](out[0])
		rec := tensors.MustCopyFlatData[float32](out[1])
		kl := tensors.MustCopyFlatData[float32](out[2])
		res.Mu = append(res.Mu, mu[:n*L]...)
		res.Recon = append(res.Recon, tensors.MustCopyFlatData[float32](out[3])[:n*d]...)
		for i := range n {
			res.Rec = append(res.Rec, float64(rec[i]))
			res.KL = append(res.KL, float64(kl[i]))
		}
	}
	return res, nil
}

// evalArgs are the inference graph's inputs for rows lo..lo+n of x (and
// missing), zero-padded to evalBatch rows.
func (m *Model) evalArgs(x, missing []float32, lo, n int) []any {
	d := m.Config.Inputs()
	chunk := func(v []float32) *tensors.Tensor {
		return matrix(evalBatch, d, func(c []float32) {
			if v != nil {
				copy(c, v[lo*d:(lo+n)*d])
			}
		})
	}
	args := []any{chunk(x)}
	if m.Config.Masking != NoMasking {
		args = append(args, chunk(missing))
	}
	return args
}

// recoverError turns a GoMLX panic (its way of reporting graph errors)
// into an error.
func recoverError(err *error, what string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s: %v", what, r)
	}
}
