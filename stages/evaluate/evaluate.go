// Package evaluate is the "evaluate" stage kind: how well the clusters of
// every method and k agree with the described lithology, as metrics, PNG
// pictures and one self-contained HTML report.
//
// Inputs: latent (schemas.LatentRow Parquet), assignments
// (schemas.AssignmentRow Parquet from the cluster stage), bins (the
// partitioned schemas.BinTable Parquet of the bin stage, one partition
// per borehole, read only for the down-hole pictures) and, optionally,
// stats (embed's JSON, read for the model's size and inputs), history
// (train's schemas.Epoch Parquet, for the training curve) and models
// (the cluster stage's JSON, for BIC and AIC against k).
//
// Every picture is written twice: <name> as PNG (embedded in the report)
// and <name>_svg as SVG.
//
// # metrics.json (schema "litho.metrics/1")
//
//	{
//	  "schema": "litho.metrics/1",
//	  "split": "test",              rows evaluated: train, val, test or all
//	  "rows": 35000,                evaluated depth bins
//	  "boreholes": 44,
//	  "lithologies": 90,            distinct Principal values among them
//	  "silhouette_sample": 10000,   rows in the seeded silhouette sample
//	  "latent": {"dim": 10, "std": [...], "active_dims": 4, "collapse_threshold": 0.1},
//	  "model": {"parameters": 2202, "features": ["gra", ...],    with the stats input only
//	            "recon_r2": {"gra": 0.89, ...},   reconstruction R² per feature, test split
//	            "impute_r2": {"ngr": -1.4, ...}}, imputation R² per feature, masked models only
//	  "methods": {                  method → "k<k>" → score
//	    "gmm": {"k18": {
//	      "k": 18,
//	      "ari": 0.286,             adjusted Rand index vs Principal, exact
//	      "silhouette": 0.12,       mean silhouette on the sample (Euclidean)
//	      "purity": 0.41,           Σ_c max_l n_cl / n
//	      "entropy": 2.3,           size-weighted mean cluster entropy of lithology, bits
//	      "clusters": 18,           non-empty clusters
//	      "composition": [{"cluster": 0, "size": 1200, "share": 0.034, "entropy": 1.9,
//	                       "top": [{"lithology": "clay", "share": 0.41}, ...]}, ...]}}},
//	  "best": {"gmm": {"k": 18, "ari": 0.286, "silhouette": 0.12}}   highest ARI, ties to smaller k
//	}
//
// Flatten turns it into the flat keys that `litho check` gates and
// `litho metrics` print: rows, boreholes, lithologies, silhouette_sample,
// latent.dim, latent.active_dims, model.parameters, model.inputs,
// recon.<feature>.r2 and impute.<feature>.r2 (with the stats input),
// <method>.k<k>.{ari,silhouette,purity,
// entropy,clusters} (e.g. gmm.k18.ari) and best.<method>.{k,ari,silhouette}
// (e.g. best.gmm.k).
package evaluate

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"litho/dag"
	"litho/schemas"
	"litho/stages/cluster"
)

// heatmapLiths is how many lithologies (most frequent first) the
// heatmap shows.
const heatmapLiths = 15

// Pictures are the picture outputs (PNG; SVG as <Output>_svg), in
// report order.
var Pictures = []struct{ Output, Title, Caption string }{
	{"training_plot", "Training curve", "Training and validation loss per epoch (on a log scale when they span a factor of three), the lowest validation loss ringed, and β, the weight of the KL term, from the train stage's history."},
	{"scores_plot", "Scores against k", "Adjusted Rand index against the described Principal lithology, and silhouette on the seeded sample, for every method and k; each method's best k (highest ARI) is ringed. " +
		"With the cluster stage's models: BIC and AIC on the rows it fitted, relative to each method's lowest (ringed)."},
	{"latent_lithology_plot", "Latent space by described lithology", "The silhouette sample projected on its first two principal components (share of variance on the axes), coloured by the ten most frequent lithologies."},
	{"latent_cluster_plot", "Latent space by cluster", "The same projection coloured by the clusters of the focus model."},
	{"heatmap_plot", "Cluster × lithology", "Share of each cluster's bins described as each of the most frequent lithologies; clusters ordered by the lithology they hold most of, with their size in bins."},
	{"logs_plot", "Down-hole logs", "Each binned feature against depth (R, G, B as the colour), the described lithology and the cluster of the focus model, for the evaluated boreholes with most bins. Cluster colours are chosen apart from the lithology colours."},
}

// SVGOutput names the SVG output of a picture.
func SVGOutput(output string) string { return output + "_svg" }

// Kind returns the evaluate stage kind.
func Kind() *dag.Kind {
	outputs := []dag.OutputSpec{{Name: "metrics", MediaType: schemas.MediaMetrics}}
	for _, p := range Pictures {
		outputs = append(outputs, dag.OutputSpec{Name: p.Output, MediaType: schemas.MediaPNG},
			dag.OutputSpec{Name: SVGOutput(p.Output), MediaType: schemas.MediaSVG})
	}
	outputs = append(outputs, dag.OutputSpec{Name: "report", MediaType: schemas.MediaReport})
	return &dag.Kind{
		Name: "evaluate",
		// 6: the training curve, BIC and AIC, SVG beside PNG, reworked figures.
		Version: "evaluate/6+" + schemas.LatentVersion + "+" + schemas.AssignmentVersion + "+" + schemas.BinVersion + "+" + cluster.ModelsSchema,
		Doc:     "ARI, silhouette and lithology composition of the clusters; pictures and an HTML report",
		Params:  DefaultParams(),
		// Mapped per fold and seed when partitioned; bins are per borehole, read whole.
		Inputs: []dag.InputSpec{{Name: "latent", Map: true}, {Name: "assignments", Map: true}, {Name: "bins"},
			{Name: "stats", Optional: true, Map: true}, {Name: "history", Optional: true, Map: true}, {Name: "models", Optional: true, Map: true}},
		Outputs: outputs,
		Run:     run,
	}
}

// Params are the evaluate stage's parameters.
type Params struct {
	Split            string `param:"split" doc:"rows to evaluate: train, val, test or all"`
	SilhouetteSample int    `param:"silhouette_sample" doc:"rows in the seeded silhouette sample"`
	Seed             int    `param:"seed" doc:"seed of the silhouette sample"`
	LogBoreholes     int    `param:"log_boreholes" doc:"boreholes in the down-hole picture"`
	PlotMethod       string `param:"plot_method" doc:"method of the cluster pictures and composition table (falls back to the first present)"`
	PlotK            int    `param:"plot_k" doc:"k of the cluster pictures; 0 = the method's best"`
}

// DefaultParams are the kind's defaults.
func DefaultParams() Params {
	return Params{Split: "test", SilhouetteSample: 10000, Seed: 1, LogBoreholes: 3, PlotMethod: "gmm"}
}

// Check reports every parameter that cannot work.
func (p Params) Check() error {
	return errors.Join(dag.OneOf("split", p.Split, cluster.Splits...), dag.AtLeast("silhouette_sample", p.SilhouetteSample, 2),
		dag.AtLeast("log_boreholes", p.LogBoreholes, 0), dag.AtLeast("plot_k", p.PlotK, 0))
}

// BinsFunc returns the bins of a borehole; ok is false when the bins
// input has no partition for it.
type BinsFunc func(ctx context.Context, borehole string) (bins *schemas.BinTable, ok bool, err error)

// Inputs are what Evaluate reads. Model, History and Models may be
// empty: the stage's optional inputs.
type Inputs struct {
	Latent      []schemas.LatentRow
	Assignments []schemas.AssignmentRow
	Bins        BinsFunc
	Model       *schemas.ModelInfo // embed's stats
	History     []schemas.Epoch    // train's history
	Models      *cluster.Models    // the cluster stage's models
}

// Outputs are the evaluate stage's artifacts.
type Outputs struct {
	Metrics  *Metrics
	JSON     []byte
	Pictures []Picture
	Report   []byte
	Focus    Labeling
}

func run(ctx context.Context, x *dag.Exec) error {
	var in Inputs
	var err error
	if in.Latent, err = readTable[schemas.LatentRow](ctx, x, "latent"); err != nil {
		return err
	}
	if in.Assignments, err = readTable[schemas.AssignmentRow](ctx, x, "assignments"); err != nil {
		return err
	}
	parts, err := x.Parts("bins")
	if err != nil {
		return err
	}
	in.Bins = func(ctx context.Context, borehole string) (*schemas.BinTable, bool, error) {
		if _, found := slices.BinarySearch(parts, borehole); !found {
			return nil, false, nil
		}
		b, err := x.ReadPart(ctx, "bins", borehole)
		if err != nil {
			return nil, false, err
		}
		t, err := schemas.ReadBins(b)
		if err != nil {
			return nil, false, fmt.Errorf("bins %s: %w", borehole, err)
		}
		return t, true, nil
	}
	if in.Model, err = readOptional(ctx, x, "stats", ParseModel); err != nil {
		return err
	}
	if in.History, err = readOptional(ctx, x, "history", parseTable[schemas.Epoch]("history")); err != nil {
		return err
	}
	if in.Models, err = readOptional(ctx, x, "models", parseModels); err != nil {
		return err
	}
	out, err := Evaluate(ctx, in, dag.ParamsOf[Params](x))
	if err != nil {
		return err
	}
	if err := x.Put(ctx, "metrics", out.JSON); err != nil {
		return err
	}
	for _, pic := range out.Pictures {
		if err := x.Put(ctx, pic.Output, pic.PNG); err != nil {
			return err
		}
		if err := x.Put(ctx, SVGOutput(pic.Output), pic.SVG); err != nil {
			return err
		}
	}
	if err := x.Put(ctx, "report", out.Report); err != nil {
		return err
	}
	for _, method := range sortedMethods(out.Metrics) {
		b := out.Metrics.Best[method]
		x.Summary("best %s: k=%d ARI %.3f silhouette %.3f", method, b.K, b.ARI, b.Silhouette)
	}
	return nil
}

// readOptional parses an optional input with parse: the zero value when
// the input is not connected.
func readOptional[T any](ctx context.Context, x *dag.Exec, name string, parse func([]byte) (T, error)) (T, error) {
	if !x.HasInput(name) {
		var zero T
		return zero, nil
	}
	return readInput(ctx, x, name, parse)
}

func readInput[T any](ctx context.Context, x *dag.Exec, name string, parse func([]byte) (T, error)) (T, error) {
	b, err := x.Read(ctx, name)
	if err != nil {
		var zero T
		return zero, err
	}
	return parse(b)
}

func readTable[T any](ctx context.Context, x *dag.Exec, name string) ([]T, error) {
	return readInput(ctx, x, name, parseTable[T](name))
}

// parseTable decodes input name's Parquet rows.
func parseTable[T any](name string) func([]byte) ([]T, error) {
	return func(b []byte) ([]T, error) {
		rows, err := schemas.ReadParquet[T](b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return rows, nil
	}
}

// parseModels decodes the cluster stage's models.
func parseModels(b []byte) (*cluster.Models, error) {
	var m cluster.Models
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	if m.Schema != cluster.ModelsSchema {
		return nil, fmt.Errorf("models: schema %q, want %q (connect the cluster stage's models output)", m.Schema, cluster.ModelsSchema)
	}
	return &m, nil
}

// Evaluate computes metrics, pictures and the report; in.Model, if not
// nil, describes the encoder in the metrics.
func Evaluate(ctx context.Context, in Inputs, p Params) (*Outputs, error) {
	d, err := Join(in.Latent, in.Assignments, p.Split)
	if err != nil {
		return nil, err
	}
	m := Compute(d, p.SilhouetteSample, uint64(p.Seed))
	m.Model = in.Model
	focus, err := focusLabeling(d, m, p)
	if err != nil {
		return nil, err
	}
	out := &Outputs{Metrics: m, Focus: focus}
	if out.JSON, err = m.Encode(); err != nil {
		return nil, err
	}
	logs, err := loadLogs(ctx, d, focus, in.Bins, p.LogBoreholes)
	if err != nil {
		return nil, err
	}
	if out.Pictures, err = pictures(d, m, focus, logs, in, p); err != nil {
		return nil, err
	}
	if out.Report, err = Report(m, focus, out.Pictures); err != nil {
		return nil, err
	}
	return out, nil
}

// focusLabeling picks the model the cluster pictures show: plot_method
// (or the first method present) at plot_k (or its best k).
func focusLabeling(d *Data, m *Metrics, p Params) (Labeling, error) {
	method := p.PlotMethod
	if _, ok := m.Methods[method]; !ok {
		method = d.Labelings[0].Method
	}
	k := p.PlotK
	if k == 0 {
		k = m.Best[method].K
	}
	l, ok := d.Labeling(method, k)
	if !ok {
		return Labeling{}, fmt.Errorf("parameter plot_k: the assignments have no %s k=%d", method, k)
	}
	return l, nil
}

// loadLogs reads the bins of the n evaluated boreholes with most rows
// that the bins input has.
func loadLogs(ctx context.Context, d *Data, focus Labeling, bins BinsFunc, n int) ([]BoreholeLog, error) {
	var logs []BoreholeLog
	for _, bh := range d.Boreholes() {
		if len(logs) == n {
			break
		}
		t, ok, err := bins(ctx, bh)
		if err != nil {
			return nil, fmt.Errorf("bins %s: %w", bh, err)
		}
		if !ok || len(t.Rows) == 0 {
			continue
		}
		slices.SortFunc(t.Rows, func(a, b schemas.BinRow) int { return cmp.Compare(a.Bin, b.Bin) })
		lg := BoreholeLog{Borehole: bh, Bins: t, Clusters: map[int64]int{}}
		for i, key := range d.Keys {
			if key.Borehole == bh {
				lg.Clusters[key.Bin] = focus.Labels[i]
			}
		}
		logs = append(logs, lg)
	}
	return logs, nil
}

func pictures(d *Data, m *Metrics, focus Labeling, logs []BoreholeLog, in Inputs, p Params) ([]Picture, error) {
	idx := SampleRows(d.Z.N, p.SilhouetteSample, uint64(p.Seed))
	pr, err := Project2D(subset(d.Z, idx))
	if err != nil {
		return nil, err
	}
	lithGroup, clusGroup := make([]int, len(idx)), make([]int, len(idx))
	for j, i := range idx {
		lithGroup[j] = min(d.Lith[i], colourLiths)
		clusGroup[j] = focus.Labels[i]
	}
	lithNames := append(slices.Clone(d.Liths[:min(colourLiths, len(d.Liths))]), "other")
	clusNames := make([]string, focus.K)
	for c := range clusNames {
		clusNames[c] = fmt.Sprintf("cluster %d", c)
	}
	focusName := fmt.Sprintf("%s k=%d", focus.Method, focus.K)
	lithIndex := map[string]int{}
	for i, l := range d.Liths {
		lithIndex[l] = i
	}
	layout := []func() (figure, error){
		func() (figure, error) {
			if len(in.History) == 0 {
				return emptyPicture("no training history: connect inputs.history to the train stage's history"), nil
			}
			return CurvePlot(in.History)
		},
		func() (figure, error) { return ScoresPlot(m, in.Models) },
		func() (figure, error) {
			return ScatterPlot("latent space (PCA) by lithology", pr, lithGroup, lithNames, lithColour)
		},
		func() (figure, error) {
			return ScatterPlot("latent space (PCA) by cluster, "+focusName, pr, clusGroup, clusNames, clusterColour)
		},
		func() (figure, error) {
			table := Contingency(focus.Labels, focus.K, d.Lith, len(d.Liths))
			return HeatmapPlot("cluster × lithology, "+focusName, table, d.Liths, heatmapLiths)
		},
		func() (figure, error) {
			if len(logs) == 0 {
				return emptyPicture("no down-hole logs: no evaluated borehole in the bins input"), nil
			}
			return LogsPlot(logs, d.Liths, lithIndex, focus.K, focusName)
		},
	}
	pics := make([]Picture, len(layout))
	for i, l := range layout {
		pics[i] = Picture{Output: Pictures[i].Output, Title: Pictures[i].Title, Caption: Pictures[i].Caption}
		f, err := l()
		if err == nil {
			pics[i].PNG, pics[i].SVG, err = f.render()
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", Pictures[i].Output, err)
		}
	}
	return pics, nil
}

func emptyPicture(msg string) figure {
	p := plot.New()
	p.Title.Text = msg
	p.HideAxes()
	return single(p, 8*vg.Inch, 1*vg.Inch)
}
