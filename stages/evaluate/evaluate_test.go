package evaluate

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
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
func fixture(seed uint64) (map[string][]schemas.BinRow, []schemas.LatentRow) {
	rng := rand.New(rand.NewPCG(seed, 1))
	bins := map[string][]schemas.BinRow{}
	var latent []schemas.LatentRow
	for h := 1; h <= 4; h++ {
		bh := fmt.Sprintf("U10%02d-A", h)
		split := map[int]string{1: "test", 2: "test", 3: "val", 4: "train"}[h]
		bin := int64(10 * h)
		for range 8 {
			l := fixtureLiths[rng.IntN(len(fixtureLiths))]
			for range 10 + rng.IntN(20) {
				r := schemas.BinRow{Borehole: bh, Bin: bin, Depth: float64(bin) * 0.2,
					GRA: l.gra + 0.05*rng.NormFloat64(), MS: l.ms * (1 + 0.2*rng.NormFloat64()), NGR: l.ngr + 3*rng.NormFloat64(),
					R: l.grey + 5*rng.NormFloat64(), G: l.grey + 5*rng.NormFloat64(), B: l.grey + 5*rng.NormFloat64(), Principal: l.name,
					NGRA: 8, NMS: 8, NNGR: 2, NRGB: 40}
				bins[bh] = append(bins[bh], r)
				z := []float32{float32((r.GRA - 1.7) / 0.25), float32((r.NGR - 30) / 15), float32((r.R - 60) / 30), float32(0.01 * rng.NormFloat64())}
				latent = append(latent, schemas.LatentRow{Borehole: bh, Bin: bin, Depth: r.Depth, Split: split, Principal: l.name, Z: z})
				bin++
			}
		}
	}
	return bins, latent
}

// pipeline runs the fixture through cluster and real Parquet files.
func pipeline(t *testing.T, seed uint64) (BinsFunc, []schemas.LatentRow, []schemas.AssignmentRow) {
	t.Helper()
	binsByHole, latent := fixture(seed)
	dir := t.TempDir()
	for bh, rows := range binsByHole {
		writeParquet(t, filepath.Join(dir, bh+".parquet"), rows)
	}
	cp := cluster.DefaultParams()
	cp.Ks, cp.NInit = []int{3, 5, 6}, 3
	res, err := cluster.Fit(context.Background(), latent, cp)
	if err != nil {
		t.Fatal(err)
	}
	ab, _, err := res.Encode()
	if err != nil {
		t.Fatal(err)
	}
	assign, err := schemas.ReadParquet[schemas.AssignmentRow](ab)
	if err != nil {
		t.Fatal(err)
	}
	bins := func(_ context.Context, bh string) ([]schemas.BinRow, bool, error) {
		b, err := os.ReadFile(filepath.Join(dir, bh+".parquet"))
		if os.IsNotExist(err) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		rows, err := schemas.ReadParquet[schemas.BinRow](b)
		return rows, err == nil, err
	}
	return bins, latent, assign
}

func writeParquet[T any](t *testing.T, path string, rows []T) {
	t.Helper()
	b, err := schemas.WriteParquet(rows)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEvaluateMetrics(t *testing.T) {
	bins, latent, assign := pipeline(t, 1)
	out, err := Evaluate(context.Background(), latent, assign, bins, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	flat, err := Flatten(out.JSON)
	if err != nil {
		t.Fatal(err)
	}
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
}

func TestEvaluateDeterministic(t *testing.T) {
	bins, latent, assign := pipeline(t, 2)
	a, err := Evaluate(context.Background(), latent, assign, bins, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Evaluate(context.Background(), latent, assign, bins, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.JSON, b.JSON) || !bytes.Equal(a.Report, b.Report) {
		t.Error("metrics or report bytes differ between runs")
	}
	for i := range a.Pictures {
		if !bytes.Equal(a.Pictures[i].PNG, b.Pictures[i].PNG) {
			t.Errorf("%s bytes differ between runs", a.Pictures[i].Output)
		}
	}
}

var (
	imgTag     = regexp.MustCompile(`<img [^>]*src="([^"]*)"`)
	externalRe = regexp.MustCompile(`(?i)https?:|src="//|<link|<script|url\(|@import`)
)

func TestReportEmbedsEveryImage(t *testing.T) {
	bins, latent, assign := pipeline(t, 3)
	out, err := Evaluate(context.Background(), latent, assign, bins, DefaultParams())
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
	bins, latent, assign := pipeline(t, 4)
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
			p, a := DefaultParams(), assign
			if tt.p != nil {
				tt.p(&p)
			}
			if tt.assign != nil {
				a = tt.assign(a)
			}
			_, err := Evaluate(context.Background(), latent, a, bins, p)
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
