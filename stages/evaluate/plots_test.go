package evaluate

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"image/color"
	"image/png"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"

	"litho/schemas"
)

func TestLithologyColoursDistinctFromOther(t *testing.T) {
	seen := map[any]int{}
	for l := range colourLiths {
		c := lithColour(l)
		if c == palette20[9] || c == otherColour {
			t.Errorf("lithology %d is drawn grey, like \"other\"", l)
		}
		if prev, ok := seen[c]; ok {
			t.Errorf("lithologies %d and %d share a colour", prev, l)
		}
		seen[c] = l
	}
	if lithColour(colourLiths) != otherColour {
		t.Error("the eleventh lithology is not \"other\"")
	}
}

// cieLab converts an sRGB colour to CIELAB (D65).
func cieLab(c color.Color) [3]float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	R, G, B := lin(r), lin(g), lin(b)
	x := (0.4124*R + 0.3576*G + 0.1805*B) / 0.95047
	y := 0.2126*R + 0.7152*G + 0.0722*B
	z := (0.0193*R + 0.1192*G + 0.9505*B) / 1.08883
	f := func(t float64) float64 {
		if t > 0.008856 {
			return math.Cbrt(t)
		}
		return 7.787*t + 16.0/116
	}
	return [3]float64{116*f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))}
}

func deltaE(a, b color.Color) float64 {
	p, q := cieLab(a), cieLab(b)
	return math.Sqrt((p[0]-q[0])*(p[0]-q[0]) + (p[1]-q[1])*(p[1]-q[1]) + (p[2]-q[2])*(p[2]-q[2]))
}

// No cluster colour can be mistaken for a lithology colour, "other", or
// the white of a bin without a cluster, nor two clusters for each other.
func TestClusterColoursApartFromLithologies(t *testing.T) {
	reserved := []color.Color{otherColour, color.White, palette20[9]}
	for l := range colourLiths {
		reserved = append(reserved, lithColour(l))
	}
	for c := range len(clusterPalette) {
		for _, r := range reserved {
			if d := deltaE(clusterColour(c), r); d < 19 {
				t.Errorf("cluster %d %v is %.1f ΔE*ab from reserved colour %v", c, clusterColour(c), d, r)
			}
		}
		for o := range c {
			if d := deltaE(clusterColour(c), clusterColour(o)); d < 20 {
				t.Errorf("clusters %d and %d are %.1f ΔE*ab apart", o, c, d)
			}
		}
	}
}

func TestDiagonalOrder(t *testing.T) {
	tests := []struct {
		name  string
		table [][]int
		n     int
		want  []int
	}{
		{"by dominant column", [][]int{{0, 9, 1}, {8, 1, 0}, {0, 0, 5}}, 3, []int{1, 0, 2}},
		{"larger share first within a column", [][]int{{6, 4}, {9, 1}, {0, 3}}, 2, []int{1, 0, 2}},
		{"clusters only in columns not shown go last", [][]int{{0, 0, 7}, {1, 0, 0}}, 2, []int{1, 0}},
		{"ties keep cluster order", [][]int{{2, 0}, {4, 0}, {0, 1}}, 2, []int{0, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := diagonalOrder(tt.table, tt.n); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// svgText parses an SVG document as XML and returns its text.
func svgText(t *testing.T, b []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var text strings.Builder
	root := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
		case xml.CharData:
			text.Write(tok)
			text.WriteByte('\n')
		}
	}
	if root != "svg" {
		t.Fatalf("SVG root element %q", root)
	}
	return text.String()
}

// Every picture comes as a PNG that the report shows unscaled (at most
// 1100 px wide) and as an SVG that parses, with the texts that explain
// it: legends, colour bar, units, explained variance, criteria.
func TestPicturesAsPNGAndSVG(t *testing.T) {
	out, err := Evaluate(context.Background(), pipeline(t, 5), DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"training_plot":         {"VAE training: 4 epochs", "validation", "β", "lowest validation loss", "(epoch 3)"},
		"scores_plot":           {"ARI", "silhouette", "ΔBIC", "ΔAIC", "best k (highest ARI)", "lowest BIC, AIC", "gmm", "kmeans"},
		"latent_lithology_plot": {"PC1 (", "% of variance)", "PC2 (", "nannofossil ooze ("},
		"latent_cluster_plot":   {"% of variance)", "cluster 0 ("},
		"heatmap_plot":          {"% of the cluster's bins", "100", "bins)", "basalt"},
		"logs_plot":             {"lithology (described)", "cluster, gmm k=", "cluster 0", "GRA", "(g/cm³)", "MS", "(instr. units)", "NGR", "(counts/s)", "colour", "(RGB)", "depth CSF-A (m)"},
	}
	if len(out.Pictures) != len(want) {
		t.Fatalf("%d pictures, want %d", len(out.Pictures), len(want))
	}
	for _, pic := range out.Pictures {
		cfg, err := png.DecodeConfig(bytes.NewReader(pic.PNG))
		if err != nil || cfg.Width < 500 || cfg.Width > 1100 || cfg.Height < 300 {
			t.Errorf("%s: PNG %v, %d×%d px, want 500–1100 wide", pic.Output, err, cfg.Width, cfg.Height)
		}
		text := svgText(t, pic.SVG)
		for _, w := range want[pic.Output] {
			if !strings.Contains(text, w) {
				t.Errorf("%s: SVG text lacks %q", pic.Output, w)
			}
		}
	}
}

// Without the optional inputs the training picture says what to connect
// and the scores carry no criteria.
func TestPicturesWithoutHistoryOrModels(t *testing.T) {
	in := pipeline(t, 5)
	in.History, in.Models = nil, nil
	out, err := Evaluate(context.Background(), in, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if text := svgText(t, out.Pictures[0].SVG); !strings.Contains(text, "connect inputs.history") {
		t.Errorf("training picture without history: %q", text)
	}
	if text := svgText(t, out.Pictures[1].SVG); strings.Contains(text, "BIC") {
		t.Error("scores picture has BIC without the cluster models")
	}
}

func TestTickLabels(t *testing.T) {
	tests := []struct {
		ticker plot.Ticker
		lo, hi float64
		want   []string
	}{
		{readableTicks{}, 2.68, 2.70, []string{"2.68", "2.69", "2.70"}},
		{readableTicks{}, 0, 160, []string{"0", "50", "100", "150"}},
		{readableTicks{}, 1.5, 2.25, []string{"1.50", "1.75", "2.00", "2.25"}},
		{logTicks{}, 0.03, 24, []string{"0.05", "0.1", "0.2", "0.5", "1", "2", "5", "10", "20"}},
		{logTicks{}, 2.3, 24, []string{"3", "5", "10", "20"}},
	}
	for _, tt := range tests {
		var got []string
		for _, tk := range tt.ticker.Ticks(tt.lo, tt.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%T %v–%v: labels %v, want %v", tt.ticker, tt.lo, tt.hi, got, tt.want)
		}
	}
}

// TestCurveSkipsNonFiniteLosses: a diverged epoch (+Inf) or one without
// validation rows (NaN) is left out of the curve instead of failing the
// stage.
func TestCurveSkipsNonFiniteLosses(t *testing.T) {
	history := []schemas.Epoch{
		{Epoch: 1, TrainLoss: 9, ValLoss: math.Inf(1), Beta: 0.1},
		{Epoch: 2, TrainLoss: math.Inf(1), ValLoss: math.NaN(), Beta: 0.2},
		{Epoch: 3, TrainLoss: 4, ValLoss: 3, Beta: 0.3},
	}
	if _, err := CurvePlot(history); err != nil {
		t.Fatal(err)
	}
}
