package embed

import (
	"fmt"

	"litho/stages/train"
)

// R2Split is the split whose rows the reconstruction and imputation R²
// are computed on, evaluate's default split.
const R2Split = "test"

// reconstruction computes, on the test rows x (rows × inputs, scaled),
// the R² of each feature's reconstruction at z = μ with nothing masked,
// and for a masked model the imputation R² of each feature: the
// reconstruction of that feature masked in every row, from the others.
// R² is 1 − Σ(x − x̂)² / Σ(x − x̄)² in the scaled space the model sees; a
// feature without spread on the test rows gets none, so do the features
// of a table without rows.
func reconstruction(model *train.Model, x []float32) (recon, impute map[string]float64, err error) {
	cfg := model.Config
	inf, err := model.Infer(x)
	if err != nil {
		return nil, nil, fmt.Errorf("reconstruction: %w", err)
	}
	recon = map[string]float64{}
	for j, f := range cfg.Features {
		if r2, ok := r2Column(x, inf.Recon, cfg.Inputs(), j); ok {
			recon[f] = r2
		}
	}
	if cfg.Masking == train.NoMasking {
		return recon, nil, nil
	}
	impute = map[string]float64{}
	d := cfg.Inputs()
	for j, f := range cfg.Features {
		missing := make([]float32, len(x))
		for i := j; i < len(missing); i += d {
			missing[i] = 1
		}
		inf, err := model.InferMasked(x, missing)
		if err != nil {
			return nil, nil, fmt.Errorf("imputation of %s: %w", f, err)
		}
		if r2, ok := r2Column(x, inf.Recon, d, j); ok {
			impute[f] = r2
		}
	}
	return recon, impute, nil
}

// r2Column is the R² of column j of pred against x, both rows × d; false
// when the column has no spread.
func r2Column(x, pred []float32, d, j int) (float64, bool) {
	rows := len(x) / d
	if rows == 0 {
		return 0, false
	}
	var mean float64
	for i := range rows {
		mean += float64(x[i*d+j])
	}
	mean /= float64(rows)
	var res, tot float64
	for i := range rows {
		v := float64(x[i*d+j])
		e := v - float64(pred[i*d+j])
		res += e * e
		tot += (v - mean) * (v - mean)
	}
	if tot == 0 {
		return 0, false
	}
	return 1 - res/tot, true
}
