package train

import (
	"math/rand/v2"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"

	"litho/stages/stagetest"
)

// BenchmarkEpoch times one training epoch of the default model on
// 160,000 rows with batch 256 (625 steps) on the pure-Go backend; run
// with -benchtime=Nx, and with -pgo=default.pgo from the repository root
// to time the build litho's binary gets (docs/performance.md). The figure
// to report is s/epoch (wall); cpu-s/epoch is the CPU time of both cores
// together.
func BenchmarkEpoch(b *testing.B) { benchEpoch(b, Default()) }

// BenchmarkEpochVampPrior is BenchmarkEpoch with the VampPrior (50
// pseudo-inputs), to state its cost as a ratio to the normal prior's.
func BenchmarkEpochVampPrior(b *testing.B) {
	cfg := Default()
	cfg.Prior = VampPrior
	benchEpoch(b, cfg)
}

func benchEpoch(b *testing.B, cfg Config) {
	const rows = 160000
	x := synthetic(rows, 1)
	m, err := newModel(goBackend(b).Engine, cfg)
	if err != nil {
		b.Fatal(err)
	}
	d, batch := cfg.Inputs(), cfg.BatchSize
	noise := cfg.noiseDraws(m.backend, rand.New(rand.NewPCG(1, 2)), batch)
	if _, err := m.trainStep(x[:batch*d], batch, 0.1, noise.take()); err != nil { // compile outside the timing
		b.Fatal(err)
	}
	b.ResetTimer()
	report := stagetest.ReportCPU(b, "cpu-s/epoch", 0)
	for range b.N {
		for s := range rows / batch {
			if _, err := m.trainStep(x[s*batch*d:(s+1)*batch*d], batch, 0.1, noise.take()); err != nil {
				b.Fatal(err)
			}
		}
	}
	report()
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
}

// BenchmarkEpochStockLayers is the reference point: the same architecture
// built from GoMLX's stock layers (Dense, BatchNorm, Dropout, in-graph
// random numbers), timed like BenchmarkEpoch, so the gain of the
// hand-shaped model can be stated as a ratio on one machine.
func BenchmarkEpochStockLayers(b *testing.B) {
	cfg := Default()
	const rows = 160000
	x := synthetic(rows, 1)
	ctx := context.New().Checked(false)
	if err := ctx.SetRNGStateFromSeed(1); err != nil {
		b.Fatal(err)
	}
	opt := optimizers.Adam().LearningRate(cfg.LearningRate).Done()
	block := func(ctx *context.Context, h *Node, units int) *Node {
		h = activations.Relu(layers.Dense(ctx, h, true, units))
		h = batchnorm.New(ctx, h, -1).UseBackendInference(false).Done()
		return layers.DropoutStatic(ctx, h, cfg.Dropout)
	}
	step, err := context.NewExec(goBackend(b).Engine, ctx, func(ctx *context.Context, x *Node) *Node {
		g := x.Graph()
		ctx.SetTraining(g, true)
		h := x
		for i, u := range cfg.Hidden {
			h = block(ctx.Inf("enc%d", i), h, u)
		}
		mu, logVar := layers.Dense(ctx.In("mu"), h, true, cfg.LatentDim), layers.Dense(ctx.In("lv"), h, true, cfg.LatentDim)
		h = Add(mu, Mul(Exp(MulScalar(logVar, 0.5)), ctx.RandomNormal(g, mu.Shape())))
		for i := len(cfg.Hidden) - 1; i >= 0; i-- {
			h = block(ctx.Inf("dec%d", i), h, cfg.Hidden[i])
		}
		rec, kl := rowLosses(x, layers.Dense(ctx.In("out"), h, true, cfg.Inputs()), mu, logVar)
		loss := DivScalar(Add(ReduceAllSum(rec), MulScalar(ReduceAllSum(kl), 0.1)), float64(cfg.BatchSize))
		opt.UpdateGraph(ctx, g, loss)
		return loss
	})
	if err != nil {
		b.Fatal(err)
	}
	d, batch := cfg.Inputs(), cfg.BatchSize
	batchAt := func(s int) *tensors.Tensor {
		return tensors.FromFlatDataAndDimensions(x[s*batch*d:(s+1)*batch*d], batch, d)
	}
	if _, err := step.Exec(batchAt(0)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	report := stagetest.ReportCPU(b, "cpu-s/epoch", 0)
	for range b.N {
		for s := range rows / batch {
			if _, err := step.Exec(batchAt(s)); err != nil {
				b.Fatal(err)
			}
		}
	}
	report()
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
}

// BenchmarkValidation times the validation pass Fit makes after each
// epoch of BenchmarkEpoch: inference on 34,286 rows, the share the
// default split (train 0.70, val 0.15) sets beside 160,000 training rows.
func BenchmarkValidation(b *testing.B) {
	val := synthetic(34286, 2)
	m, err := newModel(goBackend(b).Engine, Default())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := m.Infer(val[:Default().Inputs()]); err != nil { // compile outside the timing
		b.Fatal(err)
	}
	b.ResetTimer()
	report := stagetest.ReportCPU(b, "cpu-s/epoch", 0)
	for range b.N {
		if _, err := m.Infer(val); err != nil {
			b.Fatal(err)
		}
	}
	report()
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
}
