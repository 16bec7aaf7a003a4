// Package train fits the variational autoencoder of DESIGN.md §1 with
// GoMLX: the model, its loss and its training loop, the checkpoint format,
// and the choice of backend (pure Go or XLA with a CUDA PJRT plugin).
package train

import (
	"fmt"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

// Config holds every hyperparameter of the model and its training, in
// one place. The checkpoint stores it, so a model can be rebuilt from the
// checkpoint alone.
type Config struct {
	Inputs       int     `json:"inputs"`
	LatentDim    int     `json:"latent_dim"`
	Hidden       []int   `json:"hidden"`
	Dropout      float64 `json:"dropout"`
	BetaStart    float64 `json:"beta_start"`
	BetaEnd      float64 `json:"beta_end"`
	AnnealEpochs int     `json:"anneal_epochs"`
	MaxEpochs    int     `json:"max_epochs"`
	Patience     int     `json:"patience"`
	BatchSize    int     `json:"batch_size"`
	LearningRate float64 `json:"learning_rate"`
	Seed         int64   `json:"seed"`
}

// Default is the configuration of DESIGN.md §1.
func Default() Config {
	return Config{
		Inputs: 6, LatentDim: 10, Hidden: []int{32, 16}, Dropout: 0.1,
		BetaStart: 0.001, BetaEnd: 0.5, AnnealEpochs: 50, MaxEpochs: 100, Patience: 15,
		BatchSize: 256, LearningRate: 1e-3, Seed: 1,
	}
}

// Check reports the first hyperparameter that cannot work, by its
// pipeline parameter name.
func (c Config) Check() error {
	switch {
	case c.Inputs < 1:
		return fmt.Errorf("model needs at least one input feature, got %d", c.Inputs)
	case c.LatentDim < 1:
		return fmt.Errorf("parameter latent_dim = %d: must be at least 1", c.LatentDim)
	case len(c.Hidden) == 0:
		return fmt.Errorf("parameter hidden is empty: give at least one layer size")
	case !(c.Dropout >= 0 && c.Dropout < 1):
		return fmt.Errorf("parameter dropout = %g: must be in [0, 1)", c.Dropout)
	case c.BetaStart < 0 || c.BetaEnd < 0:
		return fmt.Errorf("parameters beta_start = %g, beta_end = %g: must not be negative", c.BetaStart, c.BetaEnd)
	case c.AnnealEpochs < 0:
		return fmt.Errorf("parameter anneal_epochs = %d: must not be negative", c.AnnealEpochs)
	case c.MaxEpochs < 1:
		return fmt.Errorf("parameter max_epochs = %d: must be at least 1", c.MaxEpochs)
	case c.Patience < 1:
		return fmt.Errorf("parameter patience = %d: must be at least 1", c.Patience)
	case c.BatchSize < 2:
		return fmt.Errorf("parameter batch_size = %d: must be at least 2 (batch normalisation)", c.BatchSize)
	case !(c.LearningRate >= 0):
		return fmt.Errorf("parameter learning_rate = %g: must not be negative", c.LearningRate)
	}
	for _, h := range c.Hidden {
		if h < 1 {
			return fmt.Errorf("parameter hidden = %v: sizes must be at least 1", c.Hidden)
		}
	}
	return nil
}

// Beta is the KL weight of an epoch (0-based): linear from BetaStart to
// BetaEnd over the first AnnealEpochs epochs, then BetaEnd.
func (c Config) Beta(epoch int) float64 {
	if epoch >= c.AnnealEpochs {
		return c.BetaEnd
	}
	return c.BetaStart + (c.BetaEnd-c.BetaStart)*float64(epoch)/float64(c.AnnealEpochs)
}

// modelScope holds every variable of the model; optimizer state, step
// counters and the random state live elsewhere and stay out of the
// checkpoint.
const modelScope = "vae"

// Encode maps x [batch, inputs] to the latent mean and log-variance.
func (c Config) Encode(ctx *context.Context, x *Node) (mu, logVar *Node) {
	ctx = ctx.In(modelScope).In("encoder")
	h := x
	for i, n := range c.Hidden {
		h = c.block(ctx.Inf("hidden_%d", i), h, n)
	}
	return dense(ctx.In("mu"), h, c.LatentDim), dense(ctx.In("log_var"), h, c.LatentDim)
}

// Decode maps latent vectors back to [batch, inputs], mirroring Encode.
func (c Config) Decode(ctx *context.Context, z *Node) *Node {
	ctx = ctx.In(modelScope).In("decoder")
	h := z
	for i := len(c.Hidden) - 1; i >= 0; i-- {
		h = c.block(ctx.Inf("hidden_%d", i), h, c.Hidden[i])
	}
	return dense(ctx.In("output"), h, c.Inputs)
}

// block is one hidden layer: Linear, ReLU, BatchNorm, Dropout.
func (c Config) block(ctx *context.Context, x *Node, units int) *Node {
	h := activations.Relu(dense(ctx, x, units))
	h = batchNorm(ctx.In("batch_norm"), h)
	return layers.DropoutStatic(ctx, h, c.Dropout)
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
// rarely active units grow until inference blew up; and this form uses
// only same-shape element-wise ops and prefix broadcasts, the fast paths
// of the pure-Go backend.
func batchNorm(ctx *context.Context, x *Node) *Node {
	g := x.Graph()
	rows, features := x.Shape().Dimensions[0], x.Shape().Dimensions[1]
	vshape := shapes.Make(x.DType(), features)
	gamma := ctx.WithInitializer(oneInit).VariableWithShape("scale", vshape).ValueGraph(g)
	beta := ctx.WithInitializer(zeroInit).VariableWithShape("offset", vshape).ValueGraph(g)
	meanVar := ctx.WithInitializer(zeroInit).VariableWithShape("mean", vshape).SetTrainable(false)
	varVar := ctx.WithInitializer(oneInit).VariableWithShape("variance", vshape).SetTrainable(false)
	perRow := func(v *Node) *Node { return BroadcastPrefix(v, rows) }
	if !ctx.IsTraining(g) {
		inv := Mul(gamma, Rsqrt(AddScalar(varVar.ValueGraph(g), bnEpsilon)))
		shift := Sub(beta, Mul(meanVar.ValueGraph(g), inv))
		return Add(Mul(x, perRow(inv)), perRow(shift))
	}
	mean := DivScalar(ReduceSum(x, 0), float64(rows))
	centred := Sub(x, perRow(mean))
	variance := DivScalar(ReduceSum(Square(centred), 0), float64(rows))
	inv := Div(gamma, Sqrt(AddScalar(variance, bnEpsilon)))
	running := func(v *context.Variable, batch *Node) {
		v.SetValueGraph(Add(MulScalar(v.ValueGraph(g), 1-bnMomentum), MulScalar(StopGradient(batch), bnMomentum)))
	}
	running(meanVar, mean)
	running(varVar, MulScalar(variance, float64(rows)/float64(max(1, rows-1))))
	return Add(Mul(centred, perRow(inv)), perRow(beta))
}

// Losses are the batch means of the VAE loss terms.
type Losses struct {
	Total, Reconstruction, KL *Node
}

// Loss is Σ squared error / batch + β · KL / batch, with z sampled by the
// reparameterisation trick when training and z = μ in inference.
func (c Config) Loss(ctx *context.Context, x, beta *Node) Losses {
	g := x.Graph()
	mu, logVar := c.Encode(ctx, x)
	z := mu
	if ctx.IsTraining(g) {
		eps := ctx.RandomNormal(g, mu.Shape())
		z = Add(mu, Mul(Exp(MulScalar(logVar, 0.5)), eps))
	}
	recon := c.Decode(ctx, z)
	batch := float64(x.Shape().Dimensions[0])
	rec := DivScalar(ReduceAllSum(Square(Sub(recon, x))), batch)
	kl := MulScalar(ReduceAllSum(Sub(Sub(OnePlus(logVar), Square(mu)), Exp(logVar))), -0.5/batch)
	return Losses{Total: Add(rec, Mul(ConvertDType(beta, rec.DType()), kl)), Reconstruction: rec, KL: kl}
}

// dense is a fully connected layer y = x·W + b whose gradient is two
// transposed matrix products (see matMul).
func dense(ctx *context.Context, x *Node, units int) *Node {
	in := x.Shape().Dimensions[1]
	w := ctx.VariableWithShape("weights", shapes.Make(x.DType(), in, units)).ValueGraph(x.Graph())
	b := ctx.WithInitializer(zeroInit).VariableWithShape("biases", shapes.Make(x.DType(), units)).ValueGraph(x.Graph())
	return Add(matMul(x, w), BroadcastPrefix(b, x.Shape().Dimensions[0]))
}

func zeroInit(g *Graph, shape shapes.Shape) *Node { return Zeros(g, shape) }

func oneInit(g *Graph, shape shapes.Shape) *Node { return Ones(g, shape) }

// matMul is x·w for x [batch, in] and w [in, out]. GoMLX's generic
// DotGeneral gradient multiplies and reduces a [batch, in, out]
// broadcast, which dominates a training step on the pure-Go backend. Here
// the gradient is replaced by the two textbook products: ∂x = v·wᵀ and
// ∂w = xᵀ·v, where v is the gradient arriving at the output. The output
// node records v; the identity nodes on x and w, visited later by reverse
// autodiff, return the products instead of the generic result (which is
// then never computed, since no output uses it).
func matMul(x, w *Node) *Node {
	var v *Node
	xi := IdentityWithCustomGradient(x, func(_, _ *Node) *Node {
		return DotGeneral(v, []int{1}, nil, w, []int{1}, nil)
	})
	wi := IdentityWithCustomGradient(w, func(_, _ *Node) *Node {
		return DotGeneral(x, []int{0}, nil, v, []int{0}, nil)
	})
	return IdentityWithCustomGradient(MatMul(xi, wi), func(_, grad *Node) *Node {
		v = grad
		return grad
	})
}
