package scale

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"

	"litho/schemas"
)

const scalerForm = "litho-scaler/2"

// transform is a feature transform, named as in the scaler JSON, with its
// inverse beside it so that the two cannot drift apart.
type transform struct {
	name             string
	forward, inverse func(float64) float64
}

// transforms are the maps applied before the z-score (DESIGN.md §1), by
// the names schemas declares them with.
var transforms = map[string]transform{
	schemas.Identity:  {schemas.Identity, unchanged, unchanged},
	schemas.SignedLog: {schemas.SignedLog, signed(math.Log1p), signed(math.Expm1)},
	schemas.Log1p:     {schemas.Log1p, math.Log1p, math.Expm1},
}

func transformNames() []string { return slices.Sorted(maps.Keys(transforms)) }

func unchanged(x float64) float64 { return x }

// signed applies f to |x| and gives the result x's sign.
func signed(f func(float64) float64) func(float64) float64 {
	return func(x float64) float64 { return math.Copysign(f(math.Abs(x)), x) }
}

// apply transforms the value x of a feature, rejecting what the scaler
// cannot represent (NaN, or ln of a number ≤ 0).
func (t transform) apply(feature string, x float64) (float64, error) {
	y := t.forward(x)
	if math.IsNaN(y) || math.IsInf(y, 0) {
		return 0, fmt.Errorf("%s = %g cannot be scaled with %s", feature, x, t.name)
	}
	return y, nil
}

// Feature is the fitted scaling of one model input.
type Feature struct {
	// Name is the input's name: the feature ("gra") or, with context, the
	// feature of a neighbour ("gra@-1" the bin above, "gra@+1" below).
	Name      string  `json:"name"`
	Offset    int     `json:"offset"` // of the neighbour, in bins; 0 for the bin itself
	Transform string  `json:"transform"`
	Mean      float64 `json:"mean"`
	Std       float64 `json:"std"`
}

// Scaler maps raw bin means to model inputs and back. Features lists
// every model input in X order: each feature's neighbours from −Context
// to +Context together, the features in Params order. A neighbour is
// scaled as its feature is.
type Scaler struct {
	Format    string    `json:"format"`
	Context   int       `json:"context"`
	Features  []Feature `json:"features"`
	Boreholes int       `json:"train_boreholes"`
	Rows      int       `json:"train_rows"`
}

// inputName names a feature of the bin offset bins away.
func inputName(feature string, offset int) string {
	if offset == 0 {
		return feature
	}
	return fmt.Sprintf("%s@%+d", feature, offset)
}

// fit computes the transform means and standard deviations (population,
// as numpy and scikit-learn do) of p's features over bins, which must be
// the training bins in canonical order so the sums, and so the bytes, are
// reproducible. Neighbours share their feature's fit: stacking moves
// values between rows, it does not make new quantities.
func fit(bins []bin, p Params, boreholes int) (*Scaler, error) {
	if len(bins) == 0 {
		return nil, fmt.Errorf("fit scaler: no training rows (check train_frac and the number of boreholes)")
	}
	d := len(p.Features)
	ts := make([]transform, d)
	for j, f := range p.Features {
		ts[j] = p.transformOf(f)
	}
	sum, sq, vals := make([]float64, d), make([]float64, d), make([]float64, len(bins)*d)
	for i, b := range bins {
		for j, v := range b.raw {
			y, err := ts[j].apply(p.Features[j], v)
			if err != nil {
				return nil, fmt.Errorf("fit scaler: borehole %s bin %d: %w", b.borehole, b.bin, err)
			}
			vals[i*d+j] = y
			sum[j] += y
		}
	}
	n := float64(len(bins))
	mean := make([]float64, d)
	for j := range mean {
		mean[j] = sum[j] / n
	}
	for i, y := range vals {
		dev := y - mean[i%d]
		sq[i%d] += dev * dev
	}
	s := &Scaler{Format: scalerForm, Context: p.Context, Boreholes: boreholes, Rows: len(bins)}
	for j, name := range p.Features {
		std := math.Sqrt(sq[j] / n)
		if std == 0 {
			std = 1 // a constant feature: centre it, do not divide by zero
		}
		for o := -p.Context; o <= p.Context; o++ {
			s.Features = append(s.Features, Feature{Name: inputName(name, o), Offset: o, Transform: ts[j].name, Mean: mean[j], Std: std})
		}
	}
	return s, nil
}

// Inputs names the model inputs, in X order.
func (s *Scaler) Inputs() []string {
	out := make([]string, len(s.Features))
	for i, f := range s.Features {
		out[i] = f.Name
	}
	return out
}

// Transform scales one bin's features (raw, in Params order); stacking
// its neighbours is Apply's work.
func (s *Scaler) Transform(raw []float64) ([]float32, error) {
	x := make([]float32, 0, len(raw))
	for _, f := range s.Features {
		if f.Offset != 0 {
			continue
		}
		if len(x) == len(raw) {
			return nil, fmt.Errorf("scaler: %d values for more features", len(raw))
		}
		y, err := transforms[f.Transform].apply(f.Name, raw[len(x)])
		if err != nil {
			return nil, err
		}
		x = append(x, float32((y-f.Mean)/f.Std))
	}
	if len(x) != len(raw) {
		return nil, fmt.Errorf("scaler: %d values for %d features", len(raw), len(x))
	}
	return x, nil
}

// Inverse maps model inputs (in X order) back to measurement units.
func (s *Scaler) Inverse(x []float64) []float64 {
	out := make([]float64, len(x))
	for j, v := range x {
		f := s.Features[j]
		out[j] = transforms[f.Transform].inverse(v*f.Std + f.Mean)
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
	if s.Format != scalerForm || len(s.Features) == 0 {
		return nil, fmt.Errorf("decode scaler: format %q with %d features, want %q with at least one", s.Format, len(s.Features), scalerForm)
	}
	for _, f := range s.Features {
		if _, ok := transforms[f.Transform]; !ok {
			return nil, fmt.Errorf("decode scaler: feature %s: unknown transform %q", f.Name, f.Transform)
		}
	}
	return &s, nil
}
