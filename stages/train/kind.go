package train

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"litho/dag"
	"litho/schemas"
)

// Version enters every key of the train stage; bump it when training,
// the checkpoint format or an output's encoding changes results (3: the
// history lost its seconds column; 4: the model's width and feature
// names come from the scaled table, and the checkpoint records them; 5:
// early stopping counts from early_stop_from, default the first epoch as
// the seed did, the β schedule, prior and masking variants, dual
// encoders, init inputs and frozen layers; 7: validation and inference in
// chunks of 512 rows, whose products sum in another order than 2048 rows'
// did, so losses and reconstructions move in the last bits).
const Version = "7/" + schemas.ScaledVersion + "/" + checkpointFormat

// Kind is the train stage: fit the VAE on the scaled train table, watch
// the validation table, write checkpoint, history and curve.
func Kind() *dag.Kind {
	return &dag.Kind{
		Name:    "train",
		Version: Version,
		Doc:     "train the β-VAE of DESIGN.md §1 (GoMLX)",
		Params:  Params{Config: Default(), Backend: "auto", Replicates: Replicates{N: 1}},
		// On a cluster train asks for a GPU; its backend "auto" finds it.
		Resources: dag.Resources{GPUs: 1},
		// Mapped: per fold when scale writes folds, per seed with replicates.
		Inputs: []dag.InputSpec{{Name: "train", Map: true}, {Name: "val", Map: true},
			{Name: InitInputs[0], Optional: true}, {Name: InitInputs[1], Optional: true}},
		Replicates: replicateNames,
		Outputs: []dag.OutputSpec{
			{Name: "model", MediaType: schemas.MediaBinary},
			{Name: "history", MediaType: schemas.MediaParquet},
			{Name: "curve", MediaType: schemas.MediaPNG},
		},
		Run:         run,
		CheckWiring: checkWiring,
	}
}

// Params are the train stage's parameters: the hyperparameters, and the
// backend, which changes where the model trains but not (on the CPU) what
// it computes.
type Params struct {
	Config
	Replicates
	Backend string `param:"backend,presentation" doc:"\"auto\", \"go\", \"xla:cuda\" or \"xla:/abs/path/plugin.so\" (see docs/gpu.md)"`
}

// Check reports the first hyperparameter that cannot work, or a backend
// that does not parse.
func (p Params) Check() error {
	if err := p.Config.Check(); err != nil {
		return err
	}
	if err := p.Replicates.Check(); err != nil {
		return err
	}
	if _, err := parseBackend(p.Backend); err != nil {
		return dag.ParamErrorf("backend", "%v", err)
	}
	return nil
}

func run(ctx context.Context, x *dag.Exec) error {
	p := dag.ParamsOf[Params](x)
	cfg := p.Config
	if r := x.Replicate(); r != "" {
		seed, err := replicateSeed(r)
		if err != nil {
			return err
		}
		cfg.Seed = seed
	}
	train, err := ReadTable(ctx, x, "train", nil)
	if err != nil {
		return err
	}
	cfg.Features = train.Features
	val, err := ReadTable(ctx, x, "val", cfg.Features)
	if err != nil {
		return err
	}
	backend, err := NewBackend(p.Backend)
	if err != nil {
		return err
	}
	defer backend.Engine.Finalize()
	// Debug, not info: at info it lands amid the run's result table; the
	// backend is in the record's notes (`litho show train`).
	x.Log().Debug("training backend", "backend", backend.Name, "description", backend.Engine.Description())
	if backend.Warning != "" {
		x.Log().Warn(backend.Warning)
	}
	x.Note("backend", backend.Name)
	x.Note("deterministic", strconv.FormatBool(backend.Deterministic))

	inits, err := readInits(ctx, x)
	if err != nil {
		return err
	}
	bar := x.Steps("train epochs", int64(cfg.MaxEpochs))
	res, err := Fit(ctx, backend.Engine, cfg, train.X, val.X, train.Boreholes(), func(e Epoch, seconds float64) {
		bar.Describe(epochStatus(e))
		bar.Add(1)
		x.Log().Debug("epoch", "epoch", e.Epoch, "train_loss", e.TrainLoss, "val_loss", e.ValLoss, "beta", e.Beta, "seconds", seconds)
	}, inits...)
	bar.Done()
	if err != nil {
		return err
	}
	x.Note("parameters", strconv.Itoa(res.Model.Parameters()))
	if len(res.Model.Copied) > 0 {
		x.Note("init_layers", strings.Join(res.Model.Copied, "; "))
		x.Summary("copied %s", strings.Join(res.Model.Copied, "; "))
	}
	x.Note("epochs", strconv.Itoa(len(res.History)))
	return putResults(ctx, x, res)
}

// epochStatus is the progress description after an epoch: the losses
// and β a person watches to judge whether training goes well.
func epochStatus(e Epoch) string {
	s := fmt.Sprintf("train epoch %d · loss %.4g", e.Epoch, e.TrainLoss)
	if !math.IsNaN(e.ValLoss) {
		s += fmt.Sprintf(" · val %.4g", e.ValLoss)
	}
	return s + fmt.Sprintf(" · β %.3g", e.Beta)
}

func putResults(ctx context.Context, x *dag.Exec, res *Result) error {
	outs, err := encodeResult(res)
	if err != nil {
		return err
	}
	for _, o := range outs {
		if err := x.Put(ctx, o.name, o.b); err != nil {
			return err
		}
	}
	last := res.History[len(res.History)-1]
	x.Summary("%d inputs (%s), %d parameters", res.Model.Config.Inputs(), strings.Join(res.Model.Config.Features, " "), res.Model.Parameters())
	x.Summary("%d epochs (early stop: %v, weights of epoch %d), train loss %.4f, val loss %.4f, %.2f s/epoch",
		last.Epoch, res.StoppedEarly, res.Kept, last.TrainLoss, last.ValLoss, noteTimings(x, res.Seconds))
	return nil
}

// output is one encoded output of the stage.
type output struct {
	name string
	b    []byte
}

// encodeResult encodes a training result as the stage's outputs.
func encodeResult(res *Result) ([]output, error) {
	ckpt, err := res.Model.Checkpoint()
	if err != nil {
		return nil, err
	}
	hist, err := schemas.WriteParquet(res.History)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	png, err := Curve(res.History)
	if err != nil {
		return nil, err
	}
	return []output{{"model", ckpt}, {"history", hist}, {"curve", png}}, nil
}

// noteTimings puts the wall seconds of each epoch in the run record and
// returns their mean. They are provenance: they differ between equal
// runs, so no artifact holds them.
func noteTimings(x *dag.Exec, seconds []float64) float64 {
	var sum float64
	each := make([]string, len(seconds))
	for i, s := range seconds {
		sum += s
		each[i] = strconv.FormatFloat(s, 'f', 3, 64)
	}
	mean := sum / float64(len(seconds))
	x.Note("epoch_seconds", strings.Join(each, " "))
	x.Note("seconds_per_epoch", strconv.FormatFloat(mean, 'f', 3, 64))
	return mean
}

// Table is a scaled table as model input: X holds rows × features.
type Table struct {
	Features []string
	Rows     []schemas.ScaledRow
	X        []float32
}

// ReadTable reads a scaled table input and flattens its features; see
// DecodeTable.
func ReadTable(ctx context.Context, x *dag.Exec, name string, features []string) (*Table, error) {
	b, err := x.Read(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", name, err)
	}
	return DecodeTable(name, b, features)
}

// DecodeTable is ReadTable's work on Parquet bytes. A table whose
// features are not features (names and order) is refused, unless
// features is nil: the first table train reads sets the model's.
func DecodeTable(name string, b []byte, features []string) (*Table, error) {
	st, err := schemas.ReadScaled(b)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", name, err)
	}
	if features != nil && !slices.Equal(st.Features, features) {
		return nil, fmt.Errorf("input %s: its features [%s] differ from the model's [%s]",
			name, strings.Join(st.Features, ", "), strings.Join(features, ", "))
	}
	d := len(st.Features)
	t := &Table{Features: st.Features, Rows: st.Rows, X: make([]float32, 0, len(st.Rows)*d)}
	for i, r := range st.Rows {
		if len(r.X) != d {
			return nil, fmt.Errorf("input %s row %d (borehole %s bin %d): %d features, want %d",
				name, i+1, r.Borehole, r.Bin, len(r.X), d)
		}
		t.X = append(t.X, r.X...)
	}
	return t, nil
}

// Boreholes lists the borehole of each row, in row order.
func (t *Table) Boreholes() []string {
	b := make([]string, len(t.Rows))
	for i, r := range t.Rows {
		b[i] = r.Borehole
	}
	return b
}
