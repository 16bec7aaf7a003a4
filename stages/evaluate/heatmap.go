package evaluate

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// seqControls is ColorBrewer's sequential YlGnBu (9 classes), light to
// dark, starting from white so that empty cells stay blank: a share reads
// as lightness, in colour and in grey print alike.
var seqControls = []color.RGBA{
	{255, 255, 255, 255}, {237, 248, 177, 255}, {199, 233, 180, 255}, {127, 205, 187, 255}, {65, 182, 196, 255},
	{29, 145, 192, 255}, {34, 94, 168, 255}, {37, 52, 148, 255}, {8, 29, 88, 255},
}

// seqColour maps v in [0, 1] onto seqControls, linearly in sRGB.
func seqColour(v float64) color.RGBA {
	v = math.Max(0, math.Min(1, v)) * float64(len(seqControls)-1)
	i := min(int(v), len(seqControls)-2)
	f := v - float64(i)
	a, b := seqControls[i], seqControls[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}

// seqPalette is n steps of seqColour, for plotter.HeatMap.
type seqPalette int

func (n seqPalette) Colors() []color.Color {
	out := make([]color.Color, n)
	for i := range out {
		out[i] = seqColour(float64(i) / float64(max(1, n-1)))
	}
	return out
}

// HeatmapPlot draws the share of each cluster's rows (rows of the
// table) falling in each of the first nLith lithologies (columns), with
// a colour bar. Clusters are ordered toward the diagonal: by the column
// of their largest share, then by that share, largest first; each is
// labelled with its size.
func HeatmapPlot(title string, table [][]int, liths []string, nLith int) (figure, error) {
	nLith = min(nLith, len(liths))
	order := diagonalOrder(table, nLith)
	g := shareGrid{rows: make([][]float64, len(order)), cols: nLith}
	names := make([]string, len(order))
	// Row 0 of the grid is drawn at the bottom, so the first cluster of
	// the order goes last.
	for i, c := range order {
		r := len(order) - 1 - i
		size := rowSum(table[c])
		names[r] = fmt.Sprintf("cluster %d (%d bins)", c, size)
		g.rows[r] = make([]float64, nLith)
		for l := range nLith {
			if size > 0 {
				g.rows[r][l] = float64(table[c][l]) / float64(size)
			}
		}
	}
	const steps = 64
	hm := plotter.NewHeatMap(g, seqPalette(steps))
	hm.Min, hm.Max = 0, 1
	p := plot.New()
	p.Title.Text = title
	p.Add(hm)
	var cells plotter.XYLabels
	var dark []bool
	for r, row := range g.rows {
		for l, v := range row {
			if v >= 0.005 {
				cells.XYs = append(cells.XYs, plotter.XY{X: float64(l), Y: float64(r)})
				cells.Labels = append(cells.Labels, fmt.Sprintf("%.0f", 100*v))
				dark = append(dark, v > 0.5)
			}
		}
	}
	if len(cells.XYs) > 0 {
		labels, err := plotter.NewLabels(cells)
		if err != nil {
			return figure{}, fmt.Errorf("heatmap labels: %w", err)
		}
		for i := range labels.TextStyle {
			labels.TextStyle[i].Color = color.Black
			if dark[i] {
				labels.TextStyle[i].Color = color.White
			}
			labels.TextStyle[i].XAlign, labels.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
			labels.TextStyle[i].Font.Size = vg.Points(8)
		}
		p.Add(labels)
	}
	p.NominalX(liths[:nLith]...)
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YTop
	p.NominalY(names...)
	p.X.Label.Text = "described lithology (cell: % of the cluster's bins)"
	w := vg.Length(min(3.2+0.5*float64(nLith), 9.9)) * vg.Inch // with the bar at most 11 in, the report's width
	h := vg.Length(2.6+0.28*float64(len(order))) * vg.Inch
	bar := colourBar("% of the cluster's bins", steps)
	return figure{grid: [][]*plot.Plot{{p}}, side: []*plot.Plot{bar}, sideW: 1.1 * vg.Inch, w: w + 1.1*vg.Inch, h: h}, nil
}

// diagonalOrder orders the clusters by the first nLith column of their
// largest share, then by that share (largest first), then by number;
// clusters with no row in those columns come last.
func diagonalOrder(table [][]int, nLith int) []int {
	type key struct {
		col   int
		share float64
	}
	keys := make([]key, len(table))
	order := make([]int, len(table))
	for c, row := range table {
		order[c] = c
		keys[c] = key{col: nLith}
		size := rowSum(row)
		for l := range min(nLith, len(row)) {
			if size > 0 && row[l] > 0 && float64(row[l])/float64(size) > keys[c].share {
				keys[c] = key{l, float64(row[l]) / float64(size)}
			}
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(keys[a].col, keys[b].col), cmp.Compare(keys[b].share, keys[a].share))
	})
	return order
}

func rowSum(row []int) int {
	n := 0
	for _, v := range row {
		n += v
	}
	return n
}

// colourBar is a vertical bar of the heatmap's colours, 0 to 100 %.
func colourBar(label string, steps int) *plot.Plot {
	p := plot.New()
	p.HideX()
	p.Y.Label.Text = label
	p.Y.Min, p.Y.Max = 0, 100
	p.Y.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 25, Label: "25"},
		{Value: 50, Label: "50"}, {Value: 75, Label: "75"}, {Value: 100, Label: "100"}})
	p.Add(bar{steps})
	return p
}

// bar fills the colour bar with one rectangle per palette step, drawn as
// vectors (the SVG holds no raster image).
type bar struct{ steps int }

func (b bar) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i := range b.steps {
		lo, hi := 100*float64(i)/float64(b.steps), 100*float64(i+1)/float64(b.steps)
		r := vg.Rectangle{Min: vg.Point{X: trX(0), Y: trY(lo)}, Max: vg.Point{X: trX(1), Y: trY(hi) + vg.Points(0.3)}}
		c.SetColor(seqColour((float64(i) + 0.5) / float64(b.steps)))
		c.Fill(r.Path())
	}
}

func (b bar) DataRange() (xmin, xmax, ymin, ymax float64) { return 0, 1, 0, 100 }

// shareGrid is a cluster × lithology grid for plotter.HeatMap.
type shareGrid struct {
	rows [][]float64
	cols int
}

func (g shareGrid) Dims() (c, r int)   { return g.cols, len(g.rows) }
func (g shareGrid) Z(c, r int) float64 { return g.rows[r][c] }
func (g shareGrid) X(c int) float64    { return float64(c) }
func (g shareGrid) Y(r int) float64    { return float64(r) }
