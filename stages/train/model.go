// Package train fits the variational autoencoder of DESIGN.md §1 with
// GoMLX: the model, its loss and its training loop, the checkpoint format,
// and the choice of backend (pure Go or XLA with a CUDA PJRT plugin).
package train

import (
	"errors"
	"fmt"
	"math"
	"slices"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"litho/dag"
)

// Config holds every hyperparameter of the model and its training, in
// one place. The checkpoint stores it, so a model can be rebuilt from the
// checkpoint alone.
//
// The param tags make all but Features parameters of the train stage:
// the features are the scaled table's, in its order, and set the width
// of the input and output layers.
type Config struct {
	Features      []string `json:"features"`
	LatentDim     int      `json:"latent_dim" param:"latent_dim" doc:"latent dimensions"`
	Hidden        []int    `json:"hidden" param:"hidden" doc:"hidden layer sizes, encoder order"`
	Dropout       float64  `json:"dropout" param:"dropout" doc:"dropout rate of hidden layers"`
	BetaStart     float64  `json:"beta_start" param:"beta_start" doc:"KL weight at epoch 1"`
	BetaEnd       float64  `json:"beta_end" param:"beta_end" doc:"KL weight after annealing"`
	AnnealEpochs  int      `json:"anneal_epochs" param:"anneal_epochs" doc:"epochs of linear β annealing"`
	BetaSchedule  string   `json:"beta_schedule" param:"beta_schedule" doc:"\"linear\" (beta_start → beta_end over anneal_epochs) or \"constant\" (beta_end throughout)"`
	MaxEpochs     int      `json:"max_epochs" param:"max_epochs" doc:"most epochs to train"`
	Patience      int      `json:"patience" param:"patience" doc:"epochs without validation improvement before stopping"`
	EarlyStopFrom int      `json:"early_stop_from" param:"early_stop_from" doc:"first epoch (0-based) whose validation loss counts for early stopping; 0 = the seed's rule, 50 = after annealing"`
	Keep          string   `json:"keep" param:"keep" doc:"weights to keep: \"last\" epoch's or \"best\" validation epoch's"`
	Prior         string   `json:"prior" param:"prior" doc:"\"normal\" (standard normal) or \"vamp\" (VampPrior, learned pseudo-inputs)"`
	PseudoInputs  int      `json:"pseudo_inputs" param:"pseudo_inputs" doc:"VampPrior pseudo-inputs (prior = \"vamp\" only)"`
	Masking       string   `json:"masking" param:"masking" doc:"masked training: \"none\", \"block\" (ngr and r, g, b of a share of rows), \"random\" (each feature) or \"borehole\" (a fixed feature subset per borehole)"`
	MaskRate      float64  `json:"mask_rate" param:"mask_rate" doc:"share of rows (block), features (random) or features per borehole (borehole) masked"`
	BatchSize     int      `json:"batch_size" param:"batch_size" doc:"rows per optimiser step"`
	LearningRate  float64  `json:"learning_rate" param:"learning_rate" doc:"Adam learning rate"`
	Seed          int64    `json:"seed" param:"seed" doc:"seed of initialisation, shuffling, dropout and sampling"`
	// Left out of the checkpoint at their defaults (joint, none, none; see
	// encodeCheckpoint), so the default model's checkpoint keeps its bytes.
	Encoder string     `json:"encoder,omitempty" param:"encoder" doc:"\"joint\": one encoder over all features; \"dual\": one encoder per group of groups"`
	Groups  [][]string `json:"groups,omitempty" param:"groups" doc:"feature groups of the dual encoder, e.g. [[\"gra\", \"ms\", \"ngr\"], [\"r\", \"g\", \"b\"]]"`
	Freeze  []string   `json:"freeze,omitempty" param:"freeze" doc:"layers not trained, e.g. [\"encoder/hidden_1\"] or a whole part, [\"encoder_0\"]"`
}

// Default is the configuration of DESIGN.md §1, on the production
// model's six features (scale's default).
func Default() Config {
	return Config{
		Features: []string{"gra", "ms", "ngr", "r", "g", "b"}, LatentDim: 10, Hidden: []int{32, 16}, Dropout: 0.1,
		BetaStart: 0.001, BetaEnd: 0.5, AnnealEpochs: 50, BetaSchedule: Linear, MaxEpochs: 100, Patience: 15,
		EarlyStopFrom: 0, Keep: KeepLast, Prior: NormalPrior, PseudoInputs: 50, Masking: NoMasking, MaskRate: 0.15,
		BatchSize: 256, LearningRate: 1e-3, Seed: 1, Encoder: EncoderJoint,
	}
}

// Check reports the first hyperparameter that cannot work, by its
// pipeline parameter name.
func (c Config) Check() error {
	switch {
	case len(c.Features) == 0:
		return fmt.Errorf("model needs at least one input feature")
	case c.LatentDim < 1:
		return dag.ParamErrorf("latent_dim", "must be at least 1, got %d", c.LatentDim)
	case len(c.Hidden) == 0:
		return dag.ParamErrorf("hidden", "must list at least one layer size")
	case !(c.Dropout >= 0 && c.Dropout < 1):
		return dag.ParamErrorf("dropout", "must be in [0, 1), got %g", c.Dropout)
	case c.BetaStart < 0:
		return dag.ParamErrorf("beta_start", "must not be negative, got %g", c.BetaStart)
	case c.BetaEnd < 0:
		return dag.ParamErrorf("beta_end", "must not be negative, got %g", c.BetaEnd)
	case c.AnnealEpochs < 0:
		return dag.ParamErrorf("anneal_epochs", "must not be negative, got %d", c.AnnealEpochs)
	case c.MaxEpochs < 1:
		return dag.ParamErrorf("max_epochs", "must be at least 1, got %d", c.MaxEpochs)
	case c.Patience < 1:
		return dag.ParamErrorf("patience", "must be at least 1, got %d", c.Patience)
	case c.BatchSize < 2:
		return dag.ParamErrorf("batch_size", "must be at least 2 (batch normalisation), got %d", c.BatchSize)
	case !(c.LearningRate >= 0):
		return dag.ParamErrorf("learning_rate", "must not be negative, got %g", c.LearningRate)
	}
	for _, h := range c.Hidden {
		if h < 1 {
			return dag.ParamErrorf("hidden", "sizes must be at least 1, got %v", c.Hidden)
		}
	}
	return errors.Join(c.checkVariants(), c.checkEncoder(), c.checkFreeze())
}

// Inputs is the width of the model's input (and output) layer.
func (c Config) Inputs() int { return len(c.Features) }

// Beta is the KL weight of an epoch (0-based): linear from BetaStart to
// BetaEnd over the first AnnealEpochs epochs, then BetaEnd; BetaEnd
// throughout for the constant schedule.
func (c Config) Beta(epoch int) float64 {
	if c.BetaSchedule == Constant || epoch >= c.AnnealEpochs {
		return c.BetaEnd
	}
	return c.BetaStart + (c.BetaEnd-c.BetaStart)*float64(epoch)/float64(c.AnnealEpochs)
}

// modelScope holds every variable of the model; optimizer state and step
// counters live elsewhere and stay out of the checkpoint.
const modelScope = "vae"

// logVarLimit bounds the encoder's log-variance.
const logVarLimit = 20

// noise is the randomness of one training step, drawn on the host from
// the seeded generator (see draw) and fed to the graph: eps [batch,
// latent] for the reparameterisation, and one dropout mask [batch, units]
// per hidden block, in the order the blocks run (encoder, then decoder),
// holding 0 or 1/(1 − dropout). Drawing it in Go keeps the step
// reproducible and is cheaper than the pure-Go backend's random ops. In
// inference there is no noise: no dropout, and z = μ.
//
// For masked training it also holds missing [batch, inputs], 1 where a
// feature is masked (see mask.go); for the VampPrior, bn shares the
// data's batch statistics with the pass over the pseudo-inputs (see
// prior.go).
type noise struct {
	eps     *Node
	masks   []*Node
	missing *Node
	bn      *bnShare
}

// encode maps x [batch, inputs] to the latent mean and log-variance.
func (c Config) encode(ctx *context.Context, x *Node, n *noise) (mu, logVar *Node) {
	if c.Encoder == EncoderDual {
		return c.encodeDual(ctx, x, n)
	}
	return c.encodeStack(ctx.In(modelScope).In("encoder"), x, c.LatentDim, n, 0)
}

// encodeStack is one encoder, the hidden blocks and the μ and log σ²
// heads of latent units, in ctx's scope; its dropout masks are those
// from index firstMask on.
func (c Config) encodeStack(ctx *context.Context, x *Node, latent int, n *noise, firstMask int) (mu, logVar *Node) {
	h := x
	for i, units := range c.Hidden {
		h = c.block(ctx.Inf("hidden_%d", i), h, units, n.mask(firstMask+i), n.share())
	}
	// The log-variance is clipped so exp(log σ²) stays finite in float32: a
	// unit active on one row of a batch normalises to about √batch, and the
	// head can turn that into an overflowing variance.
	return dense(ctx.In("mu"), h, latent), ClipScalar(dense(ctx.In("log_var"), h, latent), -logVarLimit, logVarLimit)
}

// decode maps latent vectors back to [batch, inputs], mirroring encode.
func (c Config) decode(ctx *context.Context, z *Node, n *noise) *Node {
	ctx = ctx.In(modelScope).In("decoder")
	h := z
	for i := len(c.Hidden) - 1; i >= 0; i-- {
		h = c.block(ctx.Inf("hidden_%d", i), h, c.Hidden[i], n.mask(c.encoders()*len(c.Hidden)+len(c.Hidden)-1-i), nil)
	}
	return dense(ctx.In("output"), h, c.Inputs())
}

// mask returns the dropout mask of block i, nil for none.
func (n *noise) mask(i int) *Node {
	if n == nil || len(n.masks) == 0 {
		return nil
	}
	return n.masks[i]
}

// share is the batch statistics shared between encoder passes, nil for
// none.
func (n *noise) share() *bnShare {
	if n == nil {
		return nil
	}
	return n.bn
}

// maskUnits lists the width of each dropout mask, in noise order.
func (c Config) maskUnits() []int {
	if c.Dropout == 0 {
		return nil
	}
	var units []int
	for range c.encoders() {
		units = append(units, c.Hidden...)
	}
	dec := slices.Clone(c.Hidden)
	slices.Reverse(dec)
	return append(units, dec...)
}

// block is one hidden layer: Linear, ReLU, BatchNorm, Dropout; share is
// batchNorm's.
func (c Config) block(ctx *context.Context, x *Node, units int, dropMask *Node, share *bnShare) *Node {
	h := batchNorm(ctx.In("batch_norm"), relu(dense(ctx, x, units)), share)
	if dropMask != nil {
		h = Mul(h, dropMask)
	}
	return h
}

// relu is max(x, 0) written as x times its own stopped 0/1 mask: its
// gradient is then one product, where GoMLX's Max needs half a dozen ops.
func relu(x *Node) *Node {
	return Mul(x, StopGradient(ConvertDType(GreaterThan(x, ScalarZero(x.Graph(), x.DType())), x.DType())))
}

// Batch normalisation constants: PyTorch's defaults, as in the original
// pipeline (running = (1 − m)·running + m·batch).
const (
	bnMomentum = 0.1
	bnEpsilon  = 1e-5
)

// batchNorm normalises x [batch, features] per feature, as PyTorch's
// BatchNorm1d does: in training with the batch statistics, gradients
// flowing through them, and updating running statistics (the variance
// unbiased); in inference with the running statistics. GoMLX's own layer
// stops the gradient at the batch statistics, which let activations of
// rarely active units grow until inference blew up.
//
// Both modes apply y = x·s + t with per-feature s = γ/√(σ² + ε) and
// t = β − μ·s, and the batch variance is E[x²] − E[x]²: per-row
// broadcasts and batch reductions are generic, slow loops in the pure-Go
// backend, and this form needs the fewest (two of each, and as many in
// the gradient). The inputs are ReLU outputs of normalised data, of
// moderate size; on the default data this one-pass variance gave the same
// losses as the two-pass E[(x − μ)²] to four digits.
//
// In training, a share records the batch statistics of each layer, or,
// for a reusing pass, normalises with the recorded ones and leaves the
// running statistics alone: the VampPrior's pseudo-inputs are normalised
// as the data are, without shifting the data's statistics.
func batchNorm(ctx *context.Context, x *Node, share *bnShare) *Node {
	g := x.Graph()
	rows, features := x.Shape().Dimensions[0], x.Shape().Dimensions[1]
	vshape := shapes.Make(x.DType(), features)
	gamma := trainable(ctx, ctx.WithInitializer(oneInit).VariableWithShape("scale", vshape)).ValueGraph(g)
	beta := trainable(ctx, ctx.WithInitializer(zeroInit).VariableWithShape("offset", vshape)).ValueGraph(g)
	meanVar := ctx.WithInitializer(zeroInit).VariableWithShape("mean", vshape).SetTrainable(false)
	varVar := ctx.WithInitializer(oneInit).VariableWithShape("variance", vshape).SetTrainable(false)
	mean, variance := meanVar.ValueGraph(g), varVar.ValueGraph(g)
	switch {
	case ctx.IsTraining(g) && frozen(ctx):
		// A frozen layer computes in training what it computes in inference.
	case ctx.IsTraining(g) && share.reusing():
		mean, variance = share.get(ctx.Scope())
	case ctx.IsTraining(g):
		n := float64(rows)
		mean = DivScalar(sumRows(x), n)
		variance = Max(ScalarZero(g, x.DType()), Sub(DivScalar(sumRows(Square(x)), n), Square(mean)))
		share.put(ctx.Scope(), mean, variance)
		running := func(v *context.Variable, batch *Node) {
			v.SetValueGraph(Add(MulScalar(v.ValueGraph(g), 1-bnMomentum), MulScalar(StopGradient(batch), bnMomentum)))
		}
		running(meanVar, mean)
		running(varVar, MulScalar(variance, n/max(1, n-1)))
	}
	scale := Div(gamma, Sqrt(AddScalar(variance, bnEpsilon)))
	shift := Sub(beta, Mul(mean, scale))
	return Add(Mul(x, broadcastRows(scale, rows)), broadcastRows(shift, rows))
}

// broadcastRows repeats v [features] as each of rows rows, as
// BroadcastPrefix does, by concatenating copies: the pure-Go backend
// copies contiguous blocks for a concatenation but moves a broadcast
// element by element through a generic index iterator, about ten times
// slower. The gradient is BroadcastPrefix's, the sum over rows.
func broadcastRows(v *Node, rows int) *Node {
	var grad *Node
	vi := IdentityWithCustomGradient(v, func(_, _ *Node) *Node { return ReduceSum(grad, 0) })
	row := Reshape(vi, 1, v.Shape().Dimensions[0])
	// rows = k·q + r: q copies of a block of k rows, then r single rows.
	k := max(1, int(math.Sqrt(float64(rows))))
	block := Concatenate(slices.Repeat([]*Node{row}, k), 0)
	parts := append(slices.Repeat([]*Node{block}, rows/k), slices.Repeat([]*Node{row}, rows%k)...)
	y := row
	if len(parts) > 1 {
		y = Concatenate(parts, 0)
	}
	return IdentityWithCustomGradient(y, func(_, v *Node) *Node {
		grad = v
		return v
	})
}

// sumRows is ReduceSum(x, 0) whose gradient repeats the incoming one
// over the rows with broadcastRows, not with a broadcast.
func sumRows(x *Node) *Node {
	rows := x.Shape().Dimensions[0]
	var grad *Node
	xi := IdentityWithCustomGradient(x, func(_, _ *Node) *Node { return broadcastRows(grad, rows) })
	return IdentityWithCustomGradient(ReduceSum(xi, 0), func(_, v *Node) *Node {
		grad = v
		return v
	})
}

// trainLoss is Σ squared error / batch + β · KL / batch, with z sampled by
// the reparameterisation trick. The error is against all features of x,
// masked ones included.
func (c Config) trainLoss(ctx *context.Context, x, beta *Node, n *noise) *Node {
	p := c.posterior(ctx, x, n.missing, n)
	z := Add(p.mu, Mul(Exp(MulScalar(p.logVar, 0.5)), n.eps))
	rec, kl := rowError(x, c.decode(ctx, z, n)), c.rowKL(p, z)
	return DivScalar(Add(ReduceAllSum(rec), Mul(ConvertDType(beta, rec.DType()), ReduceAllSum(kl))), float64(x.Shape().Dimensions[0]))
}

// rowLosses are each row's squared reconstruction error and KL divergence
// from the standard normal.
func rowLosses(x, recon, mu, logVar *Node) (rec, kl *Node) {
	return rowError(x, recon), normalKL(mu, logVar)
}

// rowError is each row's squared reconstruction error.
func rowError(x, recon *Node) *Node { return ReduceSum(Square(Sub(recon, x)), -1) }

// normalKL is each row's KL divergence of N(μ, σ²) from N(0, I), in
// closed form.
func normalKL(mu, logVar *Node) *Node {
	return MulScalar(ReduceSum(Sub(Sub(OnePlus(logVar), Square(mu)), Exp(logVar)), -1), -0.5)
}

// dense is a fully connected layer y = x·W + b. W and b are one variable
// "weights" [in + 1, out] whose last row is b (see affine).
func dense(ctx *context.Context, x *Node, units int) *Node {
	in := x.Shape().Dimensions[1]
	wb := trainable(ctx, ctx.WithInitializer(heInit(ctx)).VariableWithShape("weights", shapes.Make(x.DType(), in+1, units)))
	return affine(x, wb.ValueGraph(x.Graph()))
}

// heInit draws the weights of a dense layer from N(0, 2/in) (He
// initialisation, for ReLU) with the context's seeded generator, and
// zeroes the bias row.
func heInit(ctx *context.Context) context.VariableInitializer {
	return func(g *Graph, shape shapes.Shape) *Node {
		in, out := shape.Dimensions[0]-1, shape.Dimensions[1]
		w := MulScalar(ctx.RandomNormal(g, shapes.Make(shape.DType, in, out)), math.Sqrt(2/float64(in)))
		return Concatenate([]*Node{w, Zeros(g, shapes.Make(shape.DType, 1, out))}, 0)
	}
}

func zeroInit(g *Graph, shape shapes.Shape) *Node { return Zeros(g, shape) }

func oneInit(g *Graph, shape shapes.Shape) *Node { return Ones(g, shape) }

// affine is [x 1]·wb for x [batch, in] and wb [in + 1, out], that is
// x·w + b with the bias b as wb's last row, shaped for the pure-Go
// backend, where a training step is mostly this op:
//
//   - The bias rides in the matrix product, so neither the forward pass
//     nor the bias gradient needs a per-row broadcast or reduction (slow
//     generic loops there), and the optimiser updates one variable.
//   - The gradient is the textbook pair ∂x = v·wᵀ and ∂wb = [x 1]ᵀ·v, v
//     being the gradient arriving at the output. GoMLX's generic
//     DotGeneral gradient multiplies and reduces a [batch, in, out]
//     broadcast instead. The output's identity node records v; the
//     identity nodes on x and wb, which reverse autodiff visits later,
//     return the products in place of the generic result, which is then
//     never computed since no output uses it.
//   - The per-row operands reach each product with the contracting axis
//     last, the layout the backend's small-matrix kernel reads directly;
//     for ∂wb explicit transposes do that, faster than the backend's own
//     normalising copy. Only the small wb is left to that copy.
func affine(x, wb *Node) *Node {
	g := x.Graph()
	rows, in := x.Shape().Dimensions[0], wb.Shape().Dimensions[0]-1
	var v, xOnes *Node
	xi := IdentityWithCustomGradient(x, func(_, _ *Node) *Node {
		return DotGeneral(v, []int{1}, nil, Slice(wb, AxisRange(0, in)), []int{1}, nil)
	})
	wbi := IdentityWithCustomGradient(wb, func(_, _ *Node) *Node {
		return DotGeneral(Transpose(xOnes, 0, 1), []int{1}, nil, Transpose(v, 0, 1), []int{1}, nil)
	})
	xOnes = Concatenate([]*Node{xi, Ones(g, shapes.Make(x.DType(), rows, 1))}, 1)
	y := DotGeneral(xOnes, []int{1}, nil, wbi, []int{0}, nil)
	return IdentityWithCustomGradient(y, func(_, grad *Node) *Node {
		v = grad
		return grad
	})
}
