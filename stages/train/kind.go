package train

import (
	"context"
	"fmt"
	"strconv"

	"litho/dag"
	"litho/schemas"
)

// Version enters every key of the train stage; bump it when training or
// the checkpoint format changes results.
const Version = "2/" + schemas.ScaledVersion + "/" + checkpointFormat

// Kind is the train stage: fit the VAE on the scaled train table, watch
// the validation table, write checkpoint, history and curve.
func Kind() *dag.Kind {
	d := Default()
	return &dag.Kind{
		Name:    "train",
		Version: Version,
		Doc:     "train the β-VAE of DESIGN.md §1 (GoMLX)",
		Params: []dag.ParamSpec{
			{Name: "latent_dim", Type: dag.Int, Default: int64(d.LatentDim), Doc: "latent dimensions",
				Check: check(func(c *Config, v any) { c.LatentDim = int(v.(int64)) })},
			{Name: "hidden", Type: dag.Ints, Default: toInt64s(d.Hidden), Doc: "hidden layer sizes, encoder order",
				Check: check(func(c *Config, v any) { c.Hidden = toInts(v.([]int64)) })},
			{Name: "dropout", Type: dag.Float, Default: d.Dropout, Doc: "dropout rate of hidden layers",
				Check: check(func(c *Config, v any) { c.Dropout = v.(float64) })},
			{Name: "beta_start", Type: dag.Float, Default: d.BetaStart, Doc: "KL weight at epoch 1",
				Check: check(func(c *Config, v any) { c.BetaStart = v.(float64) })},
			{Name: "beta_end", Type: dag.Float, Default: d.BetaEnd, Doc: "KL weight after annealing",
				Check: check(func(c *Config, v any) { c.BetaEnd = v.(float64) })},
			{Name: "anneal_epochs", Type: dag.Int, Default: int64(d.AnnealEpochs), Doc: "epochs of linear β annealing",
				Check: check(func(c *Config, v any) { c.AnnealEpochs = int(v.(int64)) })},
			{Name: "max_epochs", Type: dag.Int, Default: int64(d.MaxEpochs), Doc: "most epochs to train",
				Check: check(func(c *Config, v any) { c.MaxEpochs = int(v.(int64)) })},
			{Name: "patience", Type: dag.Int, Default: int64(d.Patience), Doc: "epochs without validation improvement (after annealing) before stopping",
				Check: check(func(c *Config, v any) { c.Patience = int(v.(int64)) })},
			{Name: "batch_size", Type: dag.Int, Default: int64(d.BatchSize), Doc: "rows per optimiser step",
				Check: check(func(c *Config, v any) { c.BatchSize = int(v.(int64)) })},
			{Name: "learning_rate", Type: dag.Float, Default: d.LearningRate, Doc: "Adam learning rate",
				Check: check(func(c *Config, v any) { c.LearningRate = v.(float64) })},
			{Name: "seed", Type: dag.Int, Default: d.Seed, Doc: "seed of initialisation, shuffling, dropout and sampling"},
			{Name: "backend", Type: dag.String, Default: "auto", Presentation: true,
				Doc:   `"auto", "go", "xla:cuda" or "xla:/abs/path/plugin.so" (see docs/gpu.md)`,
				Check: func(v any) error { _, err := parseBackend(v.(string)); return err }},
		},
		Inputs: []dag.InputSpec{{Name: "train"}, {Name: "val"}},
		Outputs: []dag.OutputSpec{
			{Name: "model", MediaType: schemas.MediaBinary},
			{Name: "history", MediaType: schemas.MediaParquet},
			{Name: "curve", MediaType: schemas.MediaPNG},
		},
		Run: run,
	}
}

// check validates one parameter as Config.Check does, the others at
// their defaults, so a bad value is reported at its attribute when the
// pipeline is read.
func check(set func(*Config, any)) func(any) error {
	return func(v any) error {
		c := Default()
		set(&c, v)
		return c.Check()
	}
}

func toInts(v []int64) []int {
	out := make([]int, len(v))
	for i, n := range v {
		out[i] = int(n)
	}
	return out
}

func toInt64s(v []int) []int64 {
	out := make([]int64, len(v))
	for i, n := range v {
		out[i] = int64(n)
	}
	return out
}

// configFrom reads the hyperparameters of a run.
func configFrom(x *dag.Exec) Config {
	return Config{
		Inputs: len(schemas.Features), LatentDim: x.Int("latent_dim"), Hidden: x.Ints("hidden"),
		Dropout: x.Float("dropout"), BetaStart: x.Float("beta_start"), BetaEnd: x.Float("beta_end"),
		AnnealEpochs: x.Int("anneal_epochs"), MaxEpochs: x.Int("max_epochs"), Patience: x.Int("patience"),
		BatchSize: x.Int("batch_size"), LearningRate: x.Float("learning_rate"), Seed: int64(x.Int("seed")),
	}
}

func run(ctx context.Context, x *dag.Exec) error {
	cfg := configFrom(x)
	if err := cfg.Check(); err != nil {
		return err
	}
	train, err := ReadTable(ctx, x, "train", cfg.Inputs)
	if err != nil {
		return err
	}
	val, err := ReadTable(ctx, x, "val", cfg.Inputs)
	if err != nil {
		return err
	}
	backend, err := NewBackend(x.String("backend"))
	if err != nil {
		return err
	}
	defer backend.Engine.Finalize()
	x.Log().Info("training backend", "backend", backend.Name, "description", backend.Engine.Description())
	x.Note("backend", backend.Name)
	x.Note("deterministic", strconv.FormatBool(backend.Deterministic))

	bar := x.Progress("train epochs", int64(cfg.MaxEpochs))
	res, err := Fit(ctx, backend.Engine, cfg, train.X, val.X, func(e Epoch) {
		bar.Add(1)
		x.Log().Debug("epoch", "epoch", e.Epoch, "train_loss", e.TrainLoss, "val_loss", e.ValLoss, "beta", e.Beta, "seconds", e.Seconds)
	})
	bar.Done()
	if err != nil {
		return err
	}
	return putResults(ctx, x, res)
}

func putResults(ctx context.Context, x *dag.Exec, res *Result) error {
	ckpt, err := res.Model.Checkpoint()
	if err != nil {
		return err
	}
	hist, err := schemas.WriteParquet(res.History)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	png, err := Curve(res.History)
	if err != nil {
		return err
	}
	for _, o := range []struct {
		name string
		b    []byte
	}{{"model", ckpt}, {"history", hist}, {"curve", png}} {
		if err := x.Put(ctx, o.name, o.b); err != nil {
			return err
		}
	}
	last := res.History[len(res.History)-1]
	var secs float64
	for _, e := range res.History {
		secs += e.Seconds
	}
	x.Summary("%d epochs (early stop: %v), train loss %.4f, val loss %.4f, %.2f s/epoch",
		last.Epoch, res.StoppedEarly, last.TrainLoss, last.ValLoss, secs/float64(len(res.History)))
	return nil
}

// Table is a scaled table as model input: X holds rows × features.
type Table struct {
	Rows []schemas.ScaledRow
	X    []float32
}

// ReadTable reads a ScaledRow Parquet input and flattens its features,
// checking every row has the model's number of features.
func ReadTable(ctx context.Context, x *dag.Exec, name string, features int) (*Table, error) {
	b, err := x.Read(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", name, err)
	}
	return DecodeTable(name, b, features)
}

// DecodeTable is ReadTable's work on Parquet bytes.
func DecodeTable(name string, b []byte, features int) (*Table, error) {
	rows, err := schemas.ReadParquet[schemas.ScaledRow](b)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", name, err)
	}
	t := &Table{Rows: rows, X: make([]float32, 0, len(rows)*features)}
	for i, r := range rows {
		if len(r.X) != features {
			return nil, fmt.Errorf("input %s row %d (borehole %s bin %d): %d features, want %d",
				name, i+1, r.Borehole, r.Bin, len(r.X), features)
		}
		t.X = append(t.X, r.X...)
	}
	return t, nil
}
