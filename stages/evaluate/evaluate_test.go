package evaluate

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"litho/schemas"
	"litho/stages/cluster"
)

// lithology of the fixture: typical GRA, MS, NGR and grey level.
type lithology struct {
	name               string
	gra, ms, ngr, grey float64
}

var fixtureLiths = []lithology{
	{"nannofossil ooze", 1.63, 4, 18, 100},
	{"clay", 1.72, 20, 38, 40},
	{"silty clay", 1.75, 32, 50, 45},
	{"sand", 1.94, 68, 42, 42},
	{"basalt", 2.71, 423, 3.9, 30},
	{"diatom ooze", 1.37, 5, 15, 90},
}

// fixture builds the bins and latent rows of four boreholes: layers of
// 10–30 bins of one lithology, measurements noisy around its typical
// values, a 4-D latent vector derived from them. Boreholes 1–2 are
// test, 3 val, 4 train.
func fixture(seed uint64) (map[string]*schemas.BinTable, []schemas.LatentRow) {
	rng := rand.New(rand.NewPCG(seed, 1))
	bins := map[string]*schemas.BinTable{}
	var latent []schemas.LatentRow
	for h := 1; h <= 4; h++ {
		bh := fmt.Sprintf("U10%02d-A", h)
		split := map[int]string{1: "test", 2: "test", 3: "val", 4: "train"}[h]
		t := &schemas.BinTable{Features: []string{"gra", "ms", "ngr", "r", "g", "b"}, Instruments: []string{"gra", "ms", "ngr", "rgb"}}
		bins[bh] = t
		bin := int64(10 * h)
		for range 8 {
			l := fixtureLiths[rng.IntN(len(fixtureLiths))]
			for range 10 + rng.IntN(20) {
				gra, ms, ngr := l.gra+0.05*rng.NormFloat64(), l.ms*(1+0.2*rng.NormFloat64()), l.ngr+3*rng.NormFloat64()
				r, g, b := l.grey+5*rng.NormFloat64(), l.grey+5*rng.NormFloat64(), l.grey+5*rng.NormFloat64()
				t.Rows = append(t.Rows, schemas.BinRow{Borehole: bh, Bin: bin, Depth: float64(bin) * 0.2, Principal: l.name,
					Values: []float64{gra, ms, ngr, r, g, b}, Counts: []int32{8, 8, 2, 40}})
				z := []float32{float32((gra - 1.7) / 0.25), float32((ngr - 30) / 15), float32((r - 60) / 30), float32(0.01 * rng.NormFloat64())}
				latent = append(latent, schemas.LatentRow{Borehole: bh, Bin: bin, Depth: float64(bin) * 0.2, Split: split, Principal: l.name, Z: z})
				bin++
			}
		}
	}
	return bins, latent
}

// fixtureHistory is a short training history: losses falling, β rising.
var fixtureHistory = []schemas.Epoch{{Epoch: 1, TrainLoss: 9, ValLoss: 7, Beta: 0.001}, {Epoch: 2, TrainLoss: 4, ValLoss: 3.5, Beta: 0.01},
	{Epoch: 3, TrainLoss: 3, ValLoss: 3.2, Beta: 0.02}, {Epoch: 4, TrainLoss: 2.5, ValLoss: 3.3, Beta: 0.03}}

// pipeline runs the fixture through cluster and real Parquet files; the
// inputs have no model description.
func pipeline(t *testing.T, seed uint64) Inputs {
	t.Helper()
	binsByHole, latent := fixture(seed)
	dir := t.TempDir()
	for bh, tab := range binsByHole {
		b, err := schemas.WriteBins(tab)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, bh+".parquet"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cp := cluster.DefaultParams()
	cp.Ks, cp.NInit = []int{3, 5, 6}, 3
	res, err := cluster.Fit(context.Background(), latent, cp)
	if err != nil {
		t.Fatal(err)
	}
	ab, mb, err := res.Encode()
	if err != nil {
		t.Fatal(err)
	}
	assign, err := schemas.ReadParquet[schemas.AssignmentRow](ab)
	if err != nil {
		t.Fatal(err)
	}
	var models cluster.Models
	if err := json.Unmarshal(mb, &models); err != nil {
		t.Fatal(err)
	}
	bins := func(_ context.Context, bh string) (*schemas.BinTable, bool, error) {
		b, err := os.ReadFile(filepath.Join(dir, bh+".parquet"))
		if os.IsNotExist(err) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		tab, err := schemas.ReadBins(b)
		return tab, err == nil, err
	}
	return Inputs{Latent: latent, Assignments: assign, Bins: bins, History: fixtureHistory, Models: &models}
}

// evaluateWith evaluates the one-fold fixture with model (nil for none)
// and flattens its metrics.
func evaluateWith(t *testing.T, model *schemas.ModelInfo) (*Outputs, map[string]float64) {
	t.Helper()
	in := pipeline(t, 1)
	in.Model = model
	out, err := Evaluate(context.Background(), in, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	flat, err := Flatten(out.JSON)
	if err != nil {
		t.Fatal(err)
	}
	return out, flat
}

func TestEvaluateMetrics(t *testing.T) {
	out, flat := evaluateWith(t, nil)
	for _, key := range []string{"gmm.k5.ari", "kmeans.k3.silhouette", "gmm.k6.purity", "kmeans.k5.entropy",
		"gmm.k3.clusters", "best.gmm.k", "best.kmeans.ari", "latent.active_dims", "rows"} {
		if _, ok := flat[key]; !ok {
			t.Errorf("flattened metrics lack %s", key)
		}
	}
	if n := flat["latent.active_dims"]; n != 3 {
		t.Errorf("active latent dims %v, want 3 (the fourth has std 0.01)", n)
	}
	if flat["best.gmm.ari"] < 0.3 {
		t.Errorf("best gmm ARI %v: lithologies are well separated in the fixture", flat["best.gmm.ari"])
	}
	for _, method := range []string{"gmm", "kmeans"} {
		b := out.Metrics.Best[method]
		for _, s := range out.Metrics.Methods[method] {
			if s.ARI > b.ARI || s.ARI == b.ARI && s.K < b.K {
				t.Errorf("%s: k=%d (ARI %v) beats best k=%d (ARI %v)", method, s.K, s.ARI, b.K, b.ARI)
			}
			total := 0
			for _, c := range s.Composition {
				total += c.Size
			}
			if total != out.Metrics.Rows {
				t.Errorf("%s k=%d: composition covers %d of %d rows", method, s.K, total, out.Metrics.Rows)
			}
		}
	}
	// Only the two test boreholes are evaluated.
	if out.Metrics.Boreholes != 2 {
		t.Errorf("evaluated %d boreholes, want 2", out.Metrics.Boreholes)
	}
	if _, ok := flat["model.parameters"]; ok {
		t.Error("metrics describe a model that no input described")
	}
}

// With embed's stats, the metrics and the report name the model's size
// and inputs.
func TestEvaluateReportsModel(t *testing.T) {
	model, err := ParseModel([]byte(`{"rows": 3, "model": {"parameters": 2102, "features": ["gra", "ms", "ngr", "r", "g", "b"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	out, flat := evaluateWith(t, model)
	if flat["model.parameters"] != 2102 || flat["model.inputs"] != 6 {
		t.Errorf("model.parameters %v, model.inputs %v, want 2102 and 6", flat["model.parameters"], flat["model.inputs"])
	}
	if want := "Model: 2102 parameters on 6 inputs (gra, ms, ngr, r, g, b)."; !strings.Contains(string(out.Report), want) {
		t.Errorf("report lacks %q", want)
	}
	if strings.Contains(string(out.Report), "Reconstruction R²") {
		t.Error("report has an R² table without R² in the stats")
	}
	for _, bad := range []string{`{"rows": 3}`, `{"model": {"parameters": 0, "features": []}}`, `nope`} {
		if _, err := ParseModel([]byte(bad)); err == nil || !strings.Contains(err.Error(), "stats") {
			t.Errorf("%s: error %v, want one naming the stats", bad, err)
		}
	}
}

// Embed's per-feature R² reach the metrics as recon.<feature>.r2 and
// impute.<feature>.r2, and the report as a table.
func TestEvaluateReportsR2(t *testing.T) {
	model, err := ParseModel([]byte(`{"model": {"parameters": 2294, "features": ["gra", "ngr"],
		"recon_r2": {"gra": 0.89, "ngr": 0.85}, "impute_r2": {"ngr": -1.4}}}`))
	if err != nil {
		t.Fatal(err)
	}
	out, flat := evaluateWith(t, model)
	for key, want := range map[string]float64{"recon.gra.r2": 0.89, "recon.ngr.r2": 0.85, "impute.ngr.r2": -1.4} {
		if got, ok := flat[key]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", key, got, ok, want)
		}
	}
	if _, ok := flat["impute.gra.r2"]; ok {
		t.Error("impute.gra.r2 without an imputation R² for gra")
	}
	for _, want := range []string{"Reconstruction R²", "<td>0.890</td><td>0.850</td>", "<td>–</td><td>-1.400</td>"} {
		if !strings.Contains(string(out.Report), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// The down-hole picture draws the features a bin table has: a curve per
// feature, R, G and B as a colour strip when all three are there, then
// lithology and cluster.
func TestLogsPlotOfAnyFeatures(t *testing.T) {
	tables, _ := fixture(1)
	full := tables["U1001-A"]
	tests := []struct {
		name     string
		features []string
		tracks   []string
	}{
		{"production", full.Features, []string{"GRA (g/cm³)", "MS (instr. units)", "NGR (counts/s)", "colour (RGB)", "lithology", "cluster"}},
		{"v1", []string{"gra", "ms", "ngr"}, []string{"GRA (g/cm³)", "MS (instr. units)", "NGR (counts/s)", "lithology", "cluster"}},
		{"RGB only", []string{"r", "g", "b"}, []string{"colour (RGB)", "lithology", "cluster"}},
		{"R without G, B", []string{"ngr", "r"}, []string{"NGR (counts/s)", "R", "lithology", "cluster"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sub := &schemas.BinTable{Features: tc.features, Rows: slices.Clone(full.Rows)}
			for i, r := range sub.Rows {
				sub.Rows[i].Values = nil
				for _, f := range tc.features {
					j, _ := full.Column(f)
					sub.Rows[i].Values = append(sub.Rows[i].Values, r.Values[j])
				}
			}
			lg := BoreholeLog{Borehole: "U1001-A", Bins: sub}
			tracks, err := boreholeTracks(lg, map[string]int{})
			if err != nil {
				t.Fatal(err)
			}
			var titles []string
			for _, p := range tracks {
				_, title, _ := strings.Cut(p.Title.Text, "\n")
				titles = append(titles, strings.Join(strings.Fields(title), " "))
			}
			if !slices.Equal(titles, tc.tracks) {
				t.Errorf("tracks %q, want %q", titles, tc.tracks)
			}
			f, err := LogsPlot([]BoreholeLog{lg}, []string{"clay"}, map[string]int{"clay": 0}, 3, "test")
			if err == nil {
				var b []byte
				if b, _, err = f.render(); err == nil {
					_, err = png.DecodeConfig(bytes.NewReader(b))
				}
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
}

func TestEvaluateDeterministic(t *testing.T) {
	in := pipeline(t, 2)
	a, err := Evaluate(context.Background(), in, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Evaluate(context.Background(), in, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.JSON, b.JSON) || !bytes.Equal(a.Report, b.Report) {
		t.Error("metrics or report bytes differ between runs")
	}
	for i := range a.Pictures {
		if !bytes.Equal(a.Pictures[i].PNG, b.Pictures[i].PNG) || !bytes.Equal(a.Pictures[i].SVG, b.Pictures[i].SVG) {
			t.Errorf("%s bytes differ between runs", a.Pictures[i].Output)
		}
	}
}

var (
	imgTag     = regexp.MustCompile(`<img [^>]*src="([^"]*)"`)
	externalRe = regexp.MustCompile(`(?i)https?:|src="//|<link|<script|url\(|@import`)
)

func TestReportEmbedsEveryImage(t *testing.T) {
	out, err := Evaluate(context.Background(), pipeline(t, 3), DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	html := string(out.Report)
	srcs := imgTag.FindAllStringSubmatch(html, -1)
	if len(srcs) != len(Pictures) {
		t.Fatalf("report has %d images, want %d", len(srcs), len(Pictures))
	}
	for i, m := range srcs {
		data, ok := strings.CutPrefix(m[1], "data:image/png;base64,")
		if !ok {
			t.Fatalf("image %d is not an embedded PNG: %.40s", i, m[1])
		}
		b, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			t.Fatalf("image %d: %v", i, err)
		}
		if !bytes.Equal(b, out.Pictures[i].PNG) {
			t.Errorf("image %d is not the %s output", i, out.Pictures[i].Output)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil || cfg.Width < 100 || cfg.Height < 50 {
			t.Errorf("image %d: %v, %dx%d", i, err, cfg.Width, cfg.Height)
		}
	}
	if loc := externalRe.FindStringIndex(html); loc != nil {
		t.Errorf("report refers outside itself: %q", html[loc[0]:min(loc[1]+30, len(html))])
	}
	for _, want := range []string{"gmm", "kmeans", "Cluster composition", "nannofossil ooze"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestEvaluateBadInput(t *testing.T) {
	in := pipeline(t, 4)
	tests := []struct {
		name   string
		p      func(*Params)
		assign func([]schemas.AssignmentRow) []schemas.AssignmentRow
		want   string
	}{
		{"split that cluster did not see", func(p *Params) { p.Split = "val" }, nil, `no rows of split "val"`},
		{"unknown plot k", func(p *Params) { p.PlotK = 4 }, nil, "plot_k: the assignments have no gmm k=4"},
		{"missing assignment", nil, func(a []schemas.AssignmentRow) []schemas.AssignmentRow { return a[1:] }, "has no cluster for"},
		{"cluster out of range", nil, func(a []schemas.AssignmentRow) []schemas.AssignmentRow {
			a = append([]schemas.AssignmentRow(nil), a...)
			a[0].Cluster = 9
			return a
		}, "cluster 9, outside 0..2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, in := DefaultParams(), in
			if tt.p != nil {
				tt.p(&p)
			}
			if tt.assign != nil {
				in.Assignments = tt.assign(in.Assignments)
			}
			_, err := Evaluate(context.Background(), in, p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestFlattenRejectsOtherSchemas(t *testing.T) {
	for _, in := range []string{`{"schema": "litho.metrics/0"}`, `not json`} {
		if _, err := Flatten([]byte(in)); err == nil {
			t.Errorf("Flatten(%s): no error", in)
		}
	}
}

func TestSortedKeysOrdersKNumerically(t *testing.T) {
	got := SortedKeys(map[string]float64{"gmm.k18.ari": 0, "gmm.k5.ari": 0, "best.gmm.k": 0, "gmm.k10.ari": 0})
	want := []string{"best.gmm.k", "gmm.k5.ari", "gmm.k10.ari", "gmm.k18.ari"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v", got, want)
	}
}
