package train

import (
	"errors"
	"math"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"litho/dag"
)

// The priors of the latent space.
const (
	NormalPrior = "normal" // N(0, I), KL in closed form
	VampPrior   = "vamp"   // mixture of the encoder's posteriors at learned pseudo-inputs (v2.10)
)

// checkVariants checks the parameters that choose a model variant:
// schedule, early stopping, prior and masking.
func (c Config) checkVariants() error {
	return errors.Join(
		dag.OneOf("beta_schedule", c.BetaSchedule, Linear, Constant),
		dag.AtLeast("early_stop_from", c.EarlyStopFrom, 0),
		dag.OneOf("keep", c.Keep, KeepLast, KeepBest),
		dag.OneOf("prior", c.Prior, NormalPrior, VampPrior),
		dag.AtLeast("pseudo_inputs", c.PseudoInputs, 1),
		c.checkMasking(),
	)
}

// posterior is the encoder's output for a batch: the data rows' μ and
// log σ², and for the VampPrior the same at each pseudo-input (nil for
// the normal prior).
type posterior struct {
	mu, logVar           *Node // [rows, latent]
	priorMu, priorLogVar *Node // [pseudo_inputs, latent]
}

// posterior encodes x (with its missing mask, nil for none). For the
// VampPrior the pseudo-inputs u [K, inputs] (variable vae/prior/
// pseudo_inputs, trainable, initialised from N(0, 1) like scaled data)
// go through the same encoder in the same mode, in a second pass: in
// training, batch normalisation normalises them with the data batch's
// statistics (a pseudo-input is encoded as a data row of this batch
// would be) and only the data update the running statistics; in
// inference both use the running statistics. They get no dropout: the
// prior is a function of the parameters, not of the step's noise. A
// masked model sees the pseudo-inputs with nothing masked. (One pass
// over data and pseudo-inputs stacked would need the gradient of a row
// slice, an op the pure-Go backend lacks.)
func (c Config) posterior(ctx *context.Context, x, missing *Node, n *noise) posterior {
	if c.Prior != VampPrior {
		mu, logVar := c.encode(ctx, c.encoderInput(x, missing), n)
		return posterior{mu: mu, logVar: logVar}
	}
	data, pseudo := n.vampPasses()
	mu, logVar := c.encode(ctx, c.encoderInput(x, missing), data)
	u := ctx.In(modelScope).In("prior").WithInitializer(func(g *Graph, shape shapes.Shape) *Node {
		return ctx.RandomNormal(g, shape)
	}).VariableWithShape("pseudo_inputs", shapes.Make(x.DType(), c.PseudoInputs, c.Inputs())).ValueGraph(x.Graph())
	pMu, pLogVar := c.encode(ctx, c.encoderInput(u, nil), pseudo)
	return posterior{mu: mu, logVar: logVar, priorMu: pMu, priorLogVar: pLogVar}
}

// vampPasses are the noise of the data pass (the step's, recording batch
// statistics) and of the pseudo-input pass (reusing them, no dropout).
// Inference (nil) has none.
func (n *noise) vampPasses() (data, pseudo *noise) {
	if n == nil {
		return nil, nil
	}
	share := &bnShare{stats: map[string][2]*Node{}}
	data = &noise{eps: n.eps, masks: n.masks, missing: n.missing, bn: share}
	return data, &noise{bn: &bnShare{stats: share.stats, reuse: true}}
}

// bnShare carries batch-normalisation statistics from one encoder pass
// to another within a training graph, by layer scope.
type bnShare struct {
	stats map[string][2]*Node // scope → batch mean, variance
	reuse bool                // this pass reads stats rather than recording them
}

func (s *bnShare) reusing() bool { return s != nil && s.reuse }

func (s *bnShare) get(scope string) (mean, variance *Node) {
	st := s.stats[scope]
	return st[0], st[1]
}

// put records a layer's statistics; without a share it does nothing.
func (s *bnShare) put(scope string, mean, variance *Node) {
	if s != nil {
		s.stats[scope] = [2]*Node{mean, variance}
	}
}

// rowKL is each row's KL term: in closed form for the normal prior; for
// the VampPrior the one-sample Monte-Carlo estimate log q(z|x) − log p(z)
// at z, with p(z) = (1/K) Σ_k q(z|u_k).
func (c Config) rowKL(p posterior, z *Node) *Node {
	if p.priorMu == nil {
		return normalKL(p.mu, p.logVar)
	}
	return vampKL(p, z)
}

// vampKL is rowKL for the VampPrior. The log 2π terms of the two
// log-densities cancel and are left out. The squared distances of every
// row's z to every component, Σ_l (z_l − μ_kl)² / σ²_kl, are expanded as
// z²·(1/σ²)ᵀ − 2z·(μ/σ²)ᵀ + Σ_l μ²/σ², one affine product of [z², z]
// [rows, 2·latent] (see affine): a [rows, K, latent] broadcast and its
// gradient cost the pure-Go backend several times more. The
// log-mean-exp over the components subtracts the (gradient-stopped)
// maximum first, so exp cannot underflow to log 0.
func vampKL(p posterior, z *Node) *Node {
	rows, k := z.Shape().Dimensions[0], p.priorMu.Shape().Dimensions[0]
	logQ := MulScalar(ReduceSum(Add(p.logVar, Mul(Square(Sub(z, p.mu)), Exp(Neg(p.logVar)))), -1), -0.5)
	prec := Exp(Neg(p.priorLogVar)) // [k, latent]
	bias := InsertAxes(ReduceSum(Add(p.priorLogVar, Mul(Square(p.priorMu), prec)), -1), 0)
	wb := Concatenate([]*Node{Transpose(prec, 0, 1), Transpose(MulScalar(Mul(p.priorMu, prec), -2), 0, 1), bias}, 0)
	comp := MulScalar(affine(Concatenate([]*Node{Square(z), z}, 1), wb), -0.5) // [rows, k]
	top := StopGradient(ReduceMax(comp, -1))
	sum := ReduceSum(Exp(Sub(comp, BroadcastToDims(InsertAxes(top, 1), rows, k))), -1)
	return Sub(logQ, AddScalar(Add(top, Log(sum)), -math.Log(float64(k))))
}
