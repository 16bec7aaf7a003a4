package evaluate

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"litho/stages/cluster"
)

// colourLiths is how many lithologies get their own colour; the rest
// are drawn grey as "other".
const colourLiths = 10

// palette20 is a qualitative palette (Tableau 20) for clusters and
// lithologies; colours repeat beyond 20.
var palette20 = []color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}, {148, 103, 189, 255},
	{140, 86, 75, 255}, {227, 119, 194, 255}, {188, 189, 34, 255}, {23, 190, 207, 255}, {127, 127, 127, 255},
	{174, 199, 232, 255}, {255, 187, 120, 255}, {152, 223, 138, 255}, {255, 152, 150, 255}, {197, 176, 213, 255},
	{196, 156, 148, 255}, {247, 182, 210, 255}, {219, 219, 141, 255}, {158, 218, 229, 255}, {199, 199, 199, 255},
}

var otherColour = color.RGBA{200, 200, 200, 255}

func clusterColour(c int) color.Color { return palette20[c%len(palette20)] }

// lithColour colours the colourLiths most frequent lithologies (index
// into Data.Liths); the Tableau grey is skipped so "other" stays distinct.
func lithColour(l int) color.Color {
	if l >= colourLiths {
		return otherColour
	}
	if l >= 9 {
		l++ // skip Tableau's grey (index 9)
	}
	return palette20[l]
}

// renderPNG draws a grid of plots (rows of columns) into one PNG.
func renderPNG(grid [][]*plot.Plot, w, h vg.Length) ([]byte, error) {
	return renderPNGWithSide(grid, nil, 0, w, h)
}

// renderPNGWithSide draws the grid aligned in the left part and, when
// side is not nil, that plot in a strip of width sideW on the right.
func renderPNGWithSide(grid [][]*plot.Plot, side *plot.Plot, sideW, w, h vg.Length) ([]byte, error) {
	img := vgimg.New(w, h)
	dc := draw.New(img)
	pad := vg.Millimeter * 2
	tiles := draw.Tiles{Rows: len(grid), Cols: len(grid[0]), PadX: pad, PadY: pad,
		PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: pad}
	canvases := plot.Align(grid, tiles, draw.Crop(dc, 0, -sideW, 0, 0))
	for r, row := range grid {
		for c, p := range row {
			p.Draw(canvases[r][c])
		}
	}
	if side != nil {
		side.Draw(draw.Crop(dc, w-sideW+pad, -pad, pad, -pad))
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// ScoresPlot draws ARI and silhouette against k, one line per method.
func ScoresPlot(m *Metrics) ([]byte, error) {
	ari, sil := plot.New(), plot.New()
	ari.Title.Text, sil.Title.Text = "ARI vs described lithology", "Silhouette (sample)"
	for _, p := range []*plot.Plot{ari, sil} {
		p.X.Label.Text = "k"
		p.Add(plotter.NewGrid())
		p.Legend.Top = true
	}
	ari.Y.Label.Text, sil.Y.Label.Text = "ARI", "silhouette"
	for i, method := range sortedMethods(m) {
		var a, s plotter.XYs
		for _, sc := range sortedScores(m.Methods[method]) {
			a = append(a, plotter.XY{X: float64(sc.K), Y: sc.ARI})
			s = append(s, plotter.XY{X: float64(sc.K), Y: sc.Silhouette})
		}
		for _, pair := range []struct {
			p   *plot.Plot
			xys plotter.XYs
		}{{ari, a}, {sil, s}} {
			line, points, err := plotter.NewLinePoints(pair.xys)
			if err != nil {
				return nil, fmt.Errorf("scores plot: %w", err)
			}
			line.Color, points.Color = palette20[i], palette20[i]
			points.Shape = draw.CircleGlyph{}
			pair.p.Add(line, points)
			pair.p.Legend.Add(method, line, points)
		}
	}
	return renderPNG([][]*plot.Plot{{ari, sil}}, 10*vg.Inch, 4*vg.Inch)
}

func sortedMethods(m *Metrics) []string {
	out := make([]string, 0, len(m.Methods))
	for method := range m.Methods {
		out = append(out, method)
	}
	slices.Sort(out)
	return out
}

func sortedScores(scores map[string]Score) []Score {
	out := make([]Score, 0, len(scores))
	for _, s := range scores {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Score) int { return a.K - b.K })
	return out
}

// Project2D projects points onto their first two principal components
// (gonum's PCA), each component's sign fixed so that its largest
// loading is positive.
func Project2D(p cluster.Points) ([]plotter.XY, error) {
	if p.N < 2 {
		return nil, fmt.Errorf("pca: %d points, want at least 2", p.N)
	}
	x := mat.NewDense(p.N, p.D, slices.Clone(p.X))
	var pc stat.PC
	if !pc.PrincipalComponents(x, nil) {
		return nil, fmt.Errorf("pca: decomposition failed")
	}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	ncomp := min(2, p.D)
	mean := make([]float64, p.D)
	for j := range p.D {
		mean[j] = stat.Mean(mat.Col(nil, j, x), nil)
	}
	w := make([][]float64, ncomp)
	for c := range ncomp {
		w[c] = mat.Col(nil, c, &vecs)
		big := 0
		for j := range w[c] {
			if math.Abs(w[c][j]) > math.Abs(w[c][big]) {
				big = j
			}
		}
		if w[c][big] < 0 {
			for j := range w[c] {
				w[c][j] = -w[c][j]
			}
		}
	}
	out := make([]plotter.XY, p.N)
	for i := range p.N {
		var xy [2]float64
		for c := range ncomp {
			for j, v := range p.Row(i) {
				xy[c] += (v - mean[j]) * w[c][j]
			}
		}
		out[i] = plotter.XY{X: xy[0], Y: xy[1]}
	}
	return out, nil
}

// ScatterPlot draws projected points grouped by category: names[g] is
// the legend entry of group g and colour(g) its colour. Groups are drawn
// in reverse so the first (most frequent) ends on top.
func ScatterPlot(title string, xy []plotter.XY, group []int, names []string, colour func(int) color.Color) ([]byte, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = "PC 1", "PC 2"
	p.Legend.Top, p.Legend.Left = true, false
	byGroup := make([]plotter.XYs, len(names))
	for i, g := range group {
		byGroup[g] = append(byGroup[g], xy[i])
	}
	for g := len(names) - 1; g >= 0; g-- {
		if len(byGroup[g]) == 0 {
			continue
		}
		s, err := plotter.NewScatter(byGroup[g])
		if err != nil {
			return nil, fmt.Errorf("scatter %s: %w", names[g], err)
		}
		s.GlyphStyle.Color = colour(g)
		s.GlyphStyle.Radius = vg.Points(1.2)
		s.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(s)
	}
	for g, name := range names {
		if len(byGroup[g]) > 0 {
			p.Legend.Add(name, swatch{colour(g)})
		}
	}
	return renderPNG([][]*plot.Plot{{p}}, 8*vg.Inch, 7*vg.Inch)
}

// swatch is a legend thumbnail filled with one colour.
type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	c.SetColor(s.c)
	c.Fill(c.Rectangle.Path())
}

// HeatmapPlot draws the share of each cluster's rows (rows of the
// table) falling in each of the first nLith lithologies (columns).
func HeatmapPlot(title string, table [][]int, liths []string, nLith int) ([]byte, error) {
	nLith = min(nLith, len(liths))
	g := shareGrid{rows: make([][]float64, len(table)), cols: nLith}
	for c, row := range table {
		size := 0
		for _, v := range row {
			size += v
		}
		g.rows[c] = make([]float64, nLith)
		for l := range nLith {
			if size > 0 {
				g.rows[c][l] = float64(row[l]) / float64(size)
			}
		}
	}
	pal := moreland.SmoothBlueRed()
	pal.SetMin(0)
	pal.SetMax(1)
	hm := plotter.NewHeatMap(g, pal.Palette(64))
	hm.Min, hm.Max = 0, 1
	p := plot.New()
	p.Title.Text = title
	p.Add(hm)
	var cells plotter.XYLabels
	for c, row := range g.rows {
		for l, v := range row {
			if v >= 0.005 {
				cells.XYs = append(cells.XYs, plotter.XY{X: float64(l), Y: float64(c)})
				cells.Labels = append(cells.Labels, fmt.Sprintf("%.0f", 100*v))
			}
		}
	}
	if len(cells.XYs) > 0 {
		labels, err := plotter.NewLabels(cells)
		if err != nil {
			return nil, fmt.Errorf("heatmap labels: %w", err)
		}
		for i := range labels.TextStyle {
			labels.TextStyle[i].Color = color.White
			labels.TextStyle[i].XAlign, labels.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
			labels.TextStyle[i].Font.Size = vg.Points(8)
		}
		p.Add(labels)
	}
	p.NominalX(liths[:nLith]...)
	p.X.Tick.Label.Rotation = math.Pi / 3
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	names := make([]string, len(table))
	for c := range names {
		names[c] = fmt.Sprintf("cluster %d", c)
	}
	p.NominalY(names...)
	p.X.Label.Text = "described lithology (% of the cluster's rows; blue 0 → red 100)"
	return renderPNG([][]*plot.Plot{{p}}, vg.Length(3+0.45*float64(nLith))*vg.Inch, vg.Length(2.5+0.3*float64(len(table)))*vg.Inch)
}

// shareGrid is a cluster × lithology grid for plotter.HeatMap.
type shareGrid struct {
	rows [][]float64
	cols int
}

func (g shareGrid) Dims() (c, r int)   { return g.cols, len(g.rows) }
func (g shareGrid) Z(c, r int) float64 { return g.rows[r][c] }
func (g shareGrid) X(c int) float64    { return float64(c) }
func (g shareGrid) Y(r int) float64    { return float64(r) }
