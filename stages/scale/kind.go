package scale

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"litho/dag"
	"litho/schemas"
)

// Kind is the scale stage: split by borehole, fit the scaler on the
// training boreholes, write one scaled table per split.
func Kind() *dag.Kind {
	return &dag.Kind{
		Name:    "scale",
		Version: "2/" + schemas.BinVersion + "/" + schemas.ScaledVersion,
		Doc:     "split boreholes into train/val/test, pick and scale features (fitted on train only), stack neighbouring bins",
		Params:  DefaultParams(),
		Inputs:  []dag.InputSpec{{Name: "bins"}},
		Outputs: []dag.OutputSpec{
			{Name: "scaler", MediaType: schemas.MediaJSON},
			{Name: Train, MediaType: schemas.MediaParquet},
			{Name: Val, MediaType: schemas.MediaParquet},
			{Name: Test, MediaType: schemas.MediaParquet},
		},
		Run:         run,
		CheckWiring: checkWiring,
	}
}

// checkWiring checks the features against the columns the bins will have,
// when their stage can tell: a feature of an instrument the bins do not
// join is a diagnostic before anything runs.
func checkWiring(n *dag.Node, up map[string]*dag.Node) error {
	bins := up["bins"]
	if bins == nil || bins.Kind.Columns == nil {
		return nil
	}
	return CheckFeatures(dag.NodeParams[Params](n).Features, bins.Kind.Columns(bins, n.Inputs["bins"].Output))
}

// Scalings: how a feature is mapped before its z-score.
const (
	Distribution = "distribution" // the transform its instrument declares (v2.1 and later)
	Standard     = "standard"     // none: a plain z-score (v2)
)

// DefaultFeatures are the production model's inputs (DESIGN.md §1).
var DefaultFeatures = []string{"gra", "ms", "ngr", "r", "g", "b"}

// Params are the scale stage's parameters.
type Params struct {
	Seed int64 `param:"seed" doc:"seed of the borehole split"`
	// Folds is a dimension: with folds = 1 (the default) the outputs are
	// single artifacts and the key is what it was before folds existed.
	Folds int `param:"folds,dimension" doc:"cross-validation folds: 1 is one train/val/test split; K > 1 writes one partition per fold (fold1 … foldK), whose test set is that fold"`
	Fractions
	Features   []string          `param:"features" doc:"bin-table features the model sees, in input order"`
	Scaling    string            `param:"scaling" doc:"\"distribution\": each feature's declared transform, then z-score; \"standard\": z-score only"`
	Transforms map[string]string `param:"transforms" doc:"per-feature transform overriding scaling, e.g. { ms = \"identity\" }: identity, signed_log1p or log1p"`
	Context    int               `param:"context" doc:"bins above and below stacked beside each bin (v2.2: 1)"`
}

// DefaultParams are the production model's: six features, distribution
// scaling, no context.
func DefaultParams() Params {
	return Params{Seed: 1, Folds: 1, Fractions: Fractions{Train: 0.70, Val: 0.15},
		Features: slices.Clone(DefaultFeatures), Scaling: Distribution, Transforms: map[string]string{}}
}

// Check reports every parameter that cannot work.
func (p Params) Check() error {
	return errors.Join(p.Fractions.Check(), dag.AtLeast("folds", p.Folds, 1), CheckFeatures(p.Features, schemas.FeatureNames()),
		dag.OneOf("scaling", p.Scaling, Distribution, Standard), p.checkTransforms(), dag.AtLeast("context", p.Context, 0))
}

// CheckFeatures reports features that are listed twice or not among
// available: at parse time every declared feature, and, once the
// pipeline is wired, the columns of the bin table upstream. A known
// feature that is not available names the instrument to connect.
func CheckFeatures(features []string, available []string) error {
	if len(features) == 0 {
		return dag.ParamErrorf("features", "must list at least one feature; valid: %s", strings.Join(available, ", "))
	}
	var errs []error
	for i, f := range features {
		switch _, file, known := schemas.Feature(f); {
		case slices.Contains(features[:i], f):
			errs = append(errs, dag.ParamErrorf("features", "%q is listed twice", f))
		case slices.Contains(available, f):
		case known:
			errs = append(errs, dag.ParamErrorf("features", "%q needs instrument %s, which the bins do not join; available: %s",
				f, file.Instrument, strings.Join(available, ", ")))
		default:
			errs = append(errs, dag.ParamErrorf("features", "unknown feature %q; valid: %s", f, strings.Join(available, ", ")))
		}
	}
	return errors.Join(errs...)
}

// checkTransforms reports overrides of features the stage does not scale
// (a typo would otherwise be ignored) and unknown transforms.
func (p Params) checkTransforms() error {
	var errs []error
	for _, f := range slices.Sorted(maps.Keys(p.Transforms)) {
		t := p.Transforms[f]
		if !slices.Contains(p.Features, f) {
			errs = append(errs, dag.ParamErrorf("transforms", "%q is not among features [%s]", f, strings.Join(p.Features, ", ")))
		}
		if _, ok := transforms[t]; !ok {
			errs = append(errs, dag.ParamErrorf("transforms", "%s = %q: transform must be one of %s", f, t, strings.Join(transformNames(), ", ")))
		}
	}
	return errors.Join(errs...)
}

// transformOf is the transform a feature gets: its override, else none
// under standard scaling, else the one its instrument declares.
func (p Params) transformOf(feature string) transform {
	if t, ok := p.Transforms[feature]; ok {
		return transforms[t]
	}
	if p.Scaling == Standard {
		return transforms[schemas.Identity]
	}
	m, _, _ := schemas.Feature(feature)
	return transforms[m.Transform]
}

func run(ctx context.Context, x *dag.Exec) error {
	p := dag.ParamsOf[Params](x)
	boreholes, err := readBins(ctx, x)
	if err != nil {
		return err
	}
	if p.Folds == 1 {
		res, err := Apply(boreholes, p)
		if err != nil {
			return err
		}
		return write(x, "", res, func(name string, b []byte) error { return x.Put(ctx, name, b) })
	}
	for i := 1; i <= p.Folds; i++ {
		res, err := ApplyFold(boreholes, p, i)
		if err != nil {
			return fmt.Errorf("%s: %w", FoldName(i), err)
		}
		fold := FoldName(i)
		if err := write(x, fold+" ", res, func(name string, b []byte) error { return x.PutPart(ctx, name, fold, b) }); err != nil {
			return err
		}
	}
	return nil
}

// write puts the scaler and the three tables of one split (a fold's,
// through put) and summarises them, each line prefixed.
func write(x *dag.Exec, prefix string, res *Result, put func(name string, b []byte) error) error {
	b, err := res.Scaler.Encode()
	if err != nil {
		return err
	}
	if err := put("scaler", b); err != nil {
		return err
	}
	inputs := res.Scaler.Inputs()
	for _, s := range []string{Train, Val, Test} {
		b, err := schemas.WriteScaled(&schemas.ScaledTable{Features: inputs, Rows: res.Splits[s]})
		if err != nil {
			return fmt.Errorf("%s%s table: %w", prefix, s, err)
		}
		if err := put(s, b); err != nil {
			return err
		}
		x.Summary("%s%s: %d boreholes, %d bins", prefix, s, res.Count[s], len(res.Splits[s]))
		if res.Count[s] == 0 {
			x.Log().Warn("split is empty", "split", prefix+s)
		}
	}
	if prefix == "" {
		x.Summary("%d model inputs: %s", len(inputs), strings.Join(inputs, " "))
	}
	return nil
}

func readBins(ctx context.Context, x *dag.Exec) ([]Borehole, error) {
	parts, err := x.Parts("bins")
	if err != nil {
		return nil, err
	}
	out := make([]Borehole, 0, len(parts))
	for _, p := range parts {
		b, err := x.ReadPart(ctx, "bins", p)
		if err != nil {
			return nil, fmt.Errorf("bins %s: %w", p, err)
		}
		t, err := schemas.ReadBins(b)
		if err != nil {
			return nil, fmt.Errorf("bins %s: %w", p, err)
		}
		out = append(out, Borehole{ID: p, Bins: t})
	}
	return out, nil
}
