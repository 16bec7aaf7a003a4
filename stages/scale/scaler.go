package scale

import (
	"encoding/json"
	"fmt"
	"math"

	"litho/schemas"
)

// Transforms applied before the z-score (DESIGN.md §1).
const (
	Identity   = "identity"     // GRA
	SignedLog  = "signed_log1p" // MS, NGR: sign(x)·ln(1+|x|)
	Log1p      = "log1p"        // R, G, B: ln(1+x)
	scalerForm = "litho-scaler/1"
)

// transform is a feature transform, named as in the scaler JSON, with its
// inverse beside it so that the two cannot drift apart.
type transform struct {
	name             string
	forward, inverse func(float64) float64
}

var (
	identity  = transform{Identity, unchanged, unchanged}
	signedLog = transform{SignedLog, signed(math.Log1p), signed(math.Expm1)}
	log1p     = transform{Log1p, math.Log1p, math.Expm1}
)

func unchanged(x float64) float64 { return x }

// signed applies f to |x| and gives the result x's sign.
func signed(f func(float64) float64) func(float64) float64 {
	return func(x float64) float64 { return math.Copysign(f(math.Abs(x)), x) }
}

// featureTransforms lists the transform of each feature in schemas.Features order.
var featureTransforms = []transform{identity, signedLog, signedLog, log1p, log1p, log1p}

// Feature is the fitted scaling of one measurement.
type Feature struct {
	Name      string  `json:"name"`
	Transform string  `json:"transform"`
	Mean      float64 `json:"mean"`
	Std       float64 `json:"std"`
}

// Scaler maps raw bin means to model inputs and back.
type Scaler struct {
	Format    string    `json:"format"`
	Features  []Feature `json:"features"`
	Boreholes int       `json:"train_boreholes"`
	Rows      int       `json:"train_rows"`
}

// raw returns the six measurements of a bin in schemas.Features order.
func raw(r schemas.BinRow) [6]float64 {
	return [6]float64{r.GRA, r.MS, r.NGR, r.R, r.G, r.B}
}

// transformed applies the per-feature transforms and rejects values the
// scaler cannot represent (NaN, or ln of a number ≤ 0).
func transformed(r schemas.BinRow) ([6]float64, error) {
	var out [6]float64
	for i, x := range raw(r) {
		y := featureTransforms[i].forward(x)
		if math.IsNaN(y) || math.IsInf(y, 0) {
			return out, fmt.Errorf("borehole %s bin %d: %s = %g cannot be scaled with %s",
				r.Borehole, r.Bin, schemas.Features[i], x, featureTransforms[i].name)
		}
		out[i] = y
	}
	return out, nil
}

// Fit computes the transform means and standard deviations (population,
// as numpy and scikit-learn do) over rows, which must be the training rows
// in canonical order so the sums, and so the bytes, are reproducible.
func Fit(rows []schemas.BinRow, boreholes int) (*Scaler, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("fit scaler: no training rows (check train_frac and the number of boreholes)")
	}
	var sum, sq [6]float64
	ts := make([][6]float64, len(rows))
	for i, r := range rows {
		t, err := transformed(r)
		if err != nil {
			return nil, fmt.Errorf("fit scaler: %w", err)
		}
		ts[i] = t
		for j, v := range t {
			sum[j] += v
		}
	}
	n := float64(len(rows))
	var mean [6]float64
	for j := range mean {
		mean[j] = sum[j] / n
	}
	for _, t := range ts {
		for j, v := range t {
			d := v - mean[j]
			sq[j] += d * d
		}
	}
	s := &Scaler{Format: scalerForm, Boreholes: boreholes, Rows: len(rows)}
	for j, name := range schemas.Features {
		std := math.Sqrt(sq[j] / n)
		if std == 0 {
			std = 1 // a constant feature: centre it, do not divide by zero
		}
		s.Features = append(s.Features, Feature{Name: name, Transform: featureTransforms[j].name, Mean: mean[j], Std: std})
	}
	return s, nil
}

// Transform scales one bin.
func (s *Scaler) Transform(r schemas.BinRow) ([]float32, error) {
	t, err := transformed(r)
	if err != nil {
		return nil, err
	}
	x := make([]float32, len(t))
	for j, v := range t {
		x[j] = float32((v - s.Features[j].Mean) / s.Features[j].Std)
	}
	return x, nil
}

// Inverse maps scaled features back to measurement units.
func (s *Scaler) Inverse(x []float64) []float64 {
	out := make([]float64, len(x))
	for j, v := range x {
		f := s.Features[j]
		out[j] = featureTransforms[j].inverse(v*f.Std + f.Mean)
	}
	return out
}

// Encode is the scaler's canonical JSON.
func (s *Scaler) Encode() ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode scaler: %w", err)
	}
	return append(b, '\n'), nil
}

// Decode reads a scaler written by Encode.
func Decode(b []byte) (*Scaler, error) {
	var s Scaler
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("decode scaler: %w", err)
	}
	if s.Format != scalerForm || len(s.Features) != len(schemas.Features) {
		return nil, fmt.Errorf("decode scaler: format %q with %d features, want %q with %d",
			s.Format, len(s.Features), scalerForm, len(schemas.Features))
	}
	return &s, nil
}
