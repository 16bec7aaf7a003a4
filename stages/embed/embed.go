// Package embed maps every bin to the encoder mean μ of a trained VAE, in
// inference mode, and summarises the latent space.
package embed

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"litho/dag"
	"litho/schemas"
	"litho/stages/train"
)

// splits are the scaled tables embed reads, in the order it reads them.
var splits = []string{"train", "val", "test"}

// Kind is the embed stage.
func Kind() *dag.Kind {
	return &dag.Kind{
		Name: "embed",
		// 4: the latent table names its z elements (schemas.LatentKey).
		Version: "4/" + train.Version + "/" + schemas.LatentVersion,
		Doc:     "encode every bin to its latent mean μ (inference mode) and summarise the latent space",
		// Mapped: per fold and seed when train and scale are partitioned.
		Inputs: []dag.InputSpec{{Name: "model", Map: true}, {Name: "train", Map: true}, {Name: "val", Map: true}, {Name: "test", Map: true}},
		Outputs: []dag.OutputSpec{
			{Name: "latent", MediaType: schemas.MediaParquet},
			{Name: "stats", MediaType: schemas.MediaJSON},
		},
		Run: run,
	}
}

func run(ctx context.Context, x *dag.Exec) error {
	ckpt, err := x.Read(ctx, "model")
	if err != nil {
		return err
	}
	tables := map[string][]byte{}
	for _, s := range splits {
		if tables[s], err = x.Read(ctx, s); err != nil {
			return err
		}
	}
	latent, stats, err := Embed(ckpt, tables)
	if err != nil {
		return err
	}
	lb, err := schemas.WriteLatent(latent, len(stats.Std))
	if err != nil {
		return fmt.Errorf("latent table: %w", err)
	}
	sb, err := stats.Encode()
	if err != nil {
		return err
	}
	if err := x.Put(ctx, "latent", lb); err != nil {
		return err
	}
	if err := x.Put(ctx, "stats", sb); err != nil {
		return err
	}
	x.Note("backend", "go")
	x.Summary("%d bins embedded; %d of %d latent dimensions active (std ≥ %.1f), effective dimension %.2f",
		stats.Rows, stats.Active, len(stats.Std), schemas.CollapsedStd, stats.EffectiveDim)
	x.Summary("model: %d parameters, %d inputs", stats.Model.Parameters, len(stats.Model.Features))
	return nil
}

// Embed encodes the rows of the scaled tables (Parquet bytes by split
// name) with the checkpointed model on the pure-Go backend, so the latent
// table is bit-reproducible whatever trained the model. A table whose
// features are not the model's is refused. Rows come out sorted by
// (borehole, bin).
func Embed(checkpoint []byte, tables map[string][]byte) ([]schemas.LatentRow, *Stats, error) {
	backend, err := train.NewBackend("go")
	if err != nil {
		return nil, nil, err
	}
	defer backend.Engine.Finalize()
	model, err := train.Load(backend.Engine, checkpoint)
	if err != nil {
		return nil, nil, fmt.Errorf("input model: %w", err)
	}
	var out []schemas.LatentRow
	var recon, impute map[string]float64
	for _, s := range splits {
		t, err := train.DecodeTable(s, tables[s], model.Config.Features)
		if err != nil {
			return nil, nil, err
		}
		inf, err := model.Infer(t.X)
		if err != nil {
			return nil, nil, fmt.Errorf("embed %s: %w", s, err)
		}
		if s == R2Split {
			if recon, impute, err = reconstruction(model, t.X); err != nil {
				return nil, nil, err
			}
		}
		L := model.Config.LatentDim
		for i, r := range t.Rows {
			out = append(out, schemas.LatentRow{
				Borehole: r.Borehole, Bin: r.Bin, Depth: r.Depth, Split: r.Split, Principal: r.Principal,
				Z: slices.Clone(inf.Mu[i*L : (i+1)*L]),
			})
		}
	}
	slices.SortStableFunc(out, func(a, b schemas.LatentRow) int {
		return cmp.Or(cmp.Compare(a.Borehole, b.Borehole), cmp.Compare(a.Bin, b.Bin))
	})
	stats := Summarise(out, model.Config.LatentDim)
	stats.Model = schemas.ModelInfo{Parameters: model.Parameters(), Features: model.Config.Features, ReconR2: recon, ImputeR2: impute}
	return out, stats, nil
}

// Stats summarises the latent space over all embedded bins.
type Stats struct {
	Rows int       `json:"rows"`
	Std  []float64 `json:"std"` // per latent dimension
	// Collapsed lists the dimensions (0-based) with std < 0.1.
	Collapsed []int `json:"collapsed"`
	Active    int   `json:"active"`
	// EffectiveDim is the participation ratio (Σσ²)² / Σσ⁴ of the
	// per-dimension variances: the number of equally used dimensions
	// that would spread the variance the same way.
	EffectiveDim float64           `json:"effective_dim"`
	Model        schemas.ModelInfo `json:"model"`
}

// Summarise computes Stats of rows with dim-dimensional Z.
func Summarise(rows []schemas.LatentRow, dim int) *Stats {
	s := &Stats{Rows: len(rows), Std: make([]float64, dim), Collapsed: []int{}}
	if len(rows) == 0 {
		return s
	}
	n := float64(len(rows))
	var sumVar, sumVar2 float64
	for j := range dim {
		var sum float64
		for _, r := range rows {
			sum += float64(r.Z[j])
		}
		mean := sum / n
		var sq float64
		for _, r := range rows {
			d := float64(r.Z[j]) - mean
			sq += d * d
		}
		v := sq / n
		s.Std[j] = math.Sqrt(v)
		sumVar += v
		sumVar2 += v * v
		if s.Std[j] < schemas.CollapsedStd {
			s.Collapsed = append(s.Collapsed, j)
		}
	}
	s.Active = dim - len(s.Collapsed)
	if sumVar2 > 0 {
		s.EffectiveDim = sumVar * sumVar / sumVar2
	}
	return s
}

// Encode is the stats' canonical JSON.
func (s *Stats) Encode() ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode stats: %w", err)
	}
	return append(b, '\n'), nil
}
