package evaluate

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"litho/stages/cluster"
)

// ScoresPlot draws ARI and silhouette against k, one line per method,
// with each method's best k (highest ARI) ringed and the legend in a
// strip beside the panels. With the cluster
// stage's models (nil: none), a second row draws BIC and AIC against k,
// each relative to the method's lowest, which is ringed: K-Means' and the
// mixture's likelihoods differ by orders of magnitude, their shapes are
// what compares.
func ScoresPlot(m *Metrics, models *cluster.Models) (figure, error) {
	ari, sil := kPanel("ARI vs described lithology", "ARI"), kPanel("Silhouette (sample)", "silhouette")
	grid := [][]*plot.Plot{{ari, sil}}
	var bic, aic *plot.Plot
	if models != nil {
		bic, aic = kPanel("BIC − lowest BIC (lower is better)", "ΔBIC"), kPanel("AIC − lowest AIC (lower is better)", "ΔAIC")
		grid = append(grid, []*plot.Plot{bic, aic})
	}
	legend := legendPlot("")
	for i, method := range sortedMethods(m) {
		col := palette20[i]
		if err := addLine(legend, method, nil, col, nil); err != nil {
			return figure{}, fmt.Errorf("scores plot: %w", err)
		}
		var a, s plotter.XYs
		for _, sc := range sortedScores(m.Methods[method]) {
			a = append(a, plotter.XY{X: float64(sc.K), Y: sc.ARI})
			s = append(s, plotter.XY{X: float64(sc.K), Y: sc.Silhouette})
		}
		best := m.Best[method]
		if err := addLine(ari, "", a, col, &plotter.XY{X: float64(best.K), Y: best.ARI}); err != nil {
			return figure{}, fmt.Errorf("scores plot: %w", err)
		}
		if err := addLine(sil, "", s, col, nil); err != nil {
			return figure{}, fmt.Errorf("scores plot: %w", err)
		}
		if models == nil {
			continue
		}
		b, c := criteria(models, method)
		for _, pc := range []struct {
			p   *plot.Plot
			xys plotter.XYs
		}{{bic, b}, {aic, c}} {
			if len(pc.xys) == 0 {
				continue
			}
			low := relativeToLowest(pc.xys)
			if err := addLine(pc.p, "", pc.xys, col, &low); err != nil {
				return figure{}, fmt.Errorf("scores plot: %w", err)
			}
		}
	}
	legend.Legend.Add("best k (highest ARI)", ring{})
	h := 4 * vg.Inch
	if models != nil {
		legend.Legend.Add("lowest BIC, AIC", ring{})
		h = 7.5 * vg.Inch
	}
	return figure{grid: grid, side: []*plot.Plot{legend}, sideW: 1.9 * vg.Inch, w: 11 * vg.Inch, h: h}, nil
}

// kPanel is an empty panel of a score against k.
func kPanel(title, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = "k (clusters)", y
	p.Add(plotter.NewGrid())
	return p
}

// addLine draws a series as a line with points (none: only the legend
// entry), names it in the legend (unless name is empty) and rings mark,
// if not nil.
func addLine(p *plot.Plot, name string, xys plotter.XYs, col color.Color, mark *plotter.XY) error {
	line, points, err := plotter.NewLinePoints(xys)
	if err != nil {
		return fmt.Errorf("line: %w", err)
	}
	line.Color, points.Color = col, col
	line.Width = vg.Points(1.5)
	points.Shape, points.Radius = draw.CircleGlyph{}, vg.Points(2.5)
	if len(xys) > 0 {
		p.Add(line, points)
	}
	if name != "" {
		p.Legend.Add(name, line, points)
	}
	if mark != nil {
		r, err := plotter.NewScatter(plotter.XYs{*mark})
		if err != nil {
			return fmt.Errorf("line: %w", err)
		}
		r.GlyphStyle = ringStyle(col)
		p.Add(r)
	}
	return nil
}

func ringStyle(col color.Color) draw.GlyphStyle {
	return draw.GlyphStyle{Color: col, Radius: vg.Points(6), Shape: draw.RingGlyph{}}
}

// ring is the legend thumbnail of a ringed point.
type ring struct{}

func (ring) Thumbnail(c *draw.Canvas) {
	st := ringStyle(color.Black)
	st.Radius = vg.Points(4) // fits a legend row
	c.DrawGlyph(st, c.Center())
}

// criteria are a method's BIC and AIC against k from the cluster models.
func criteria(models *cluster.Models, method string) (bic, aic plotter.XYs) {
	for _, md := range models.Models {
		if md.Method == method {
			bic = append(bic, plotter.XY{X: float64(md.K), Y: md.BIC})
			aic = append(aic, plotter.XY{X: float64(md.K), Y: md.AIC})
		}
	}
	less := func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) }
	slices.SortFunc(bic, less)
	slices.SortFunc(aic, less)
	return bic, aic
}

// relativeToLowest subtracts the lowest Y from every point and returns
// the lowest point (the first on a tie), now at zero.
func relativeToLowest(xys plotter.XYs) plotter.XY {
	low := 0
	for i, p := range xys {
		if p.Y < xys[low].Y {
			low = i
		}
	}
	base := xys[low].Y
	for i := range xys {
		xys[i].Y -= base
	}
	return xys[low]
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

// Projection is points on their first two principal components and the
// share of the variance each component explains.
type Projection struct {
	XY        []plotter.XY
	Explained [2]float64
}

// Project2D projects points onto their first two principal components
// (gonum's PCA), each component's sign fixed so that its largest
// loading is positive.
func Project2D(p cluster.Points) (Projection, error) {
	if p.N < 2 {
		return Projection{}, fmt.Errorf("pca: %d points, want at least 2", p.N)
	}
	x := mat.NewDense(p.N, p.D, slices.Clone(p.X))
	var pc stat.PC
	if !pc.PrincipalComponents(x, nil) {
		return Projection{}, fmt.Errorf("pca: decomposition failed")
	}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	vars := pc.VarsTo(nil)
	total := 0.0
	for _, v := range vars {
		total += v
	}
	ncomp := min(2, p.D)
	var out Projection
	mean := make([]float64, p.D)
	for j := range p.D {
		mean[j] = stat.Mean(mat.Col(nil, j, x), nil)
	}
	w := make([][]float64, ncomp)
	for c := range ncomp {
		if total > 0 {
			out.Explained[c] = vars[c] / total
		}
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
	out.XY = make([]plotter.XY, p.N)
	for i := range p.N {
		var xy [2]float64
		for c := range ncomp {
			for j, v := range p.Row(i) {
				xy[c] += (v - mean[j]) * w[c][j]
			}
		}
		out.XY[i] = plotter.XY{X: xy[0], Y: xy[1]}
	}
	return out, nil
}

// pcLabel names a component with the share of variance it explains:
// "PC1 (34 %)".
func pcLabel(c int, share float64) string {
	return fmt.Sprintf("PC%d (%.0f %% of variance)", c+1, 100*share)
}

// ScatterPlot draws projected points grouped by category: names[g] is
// the legend entry of group g and colour(g) its colour. Groups are drawn
// in reverse so the first (most frequent) ends on top. The legend sits
// in a strip beside the plot, never over the points.
func ScatterPlot(title string, pr Projection, group []int, names []string, colour func(int) color.Color) (figure, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = pcLabel(0, pr.Explained[0]), pcLabel(1, pr.Explained[1])
	byGroup := make([]plotter.XYs, len(names))
	for i, g := range group {
		byGroup[g] = append(byGroup[g], pr.XY[i])
	}
	for g := len(names) - 1; g >= 0; g-- {
		if len(byGroup[g]) == 0 {
			continue
		}
		s, err := plotter.NewScatter(byGroup[g])
		if err != nil {
			return figure{}, fmt.Errorf("scatter %s: %w", names[g], err)
		}
		s.GlyphStyle.Color = colour(g)
		s.GlyphStyle.Radius = vg.Points(1.2)
		s.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(s)
	}
	legend := legendPlot("")
	for g, name := range names {
		if len(byGroup[g]) > 0 {
			legend.Legend.Add(fmt.Sprintf("%s (%d)", name, len(byGroup[g])), swatch{colour(g)})
		}
	}
	return figure{grid: [][]*plot.Plot{{p}}, side: []*plot.Plot{legend}, sideW: 2.6 * vg.Inch, w: 10 * vg.Inch, h: 7 * vg.Inch}, nil
}

// legendPlot is an axis-free plot that only holds a legend, top left.
func legendPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.HideAxes()
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Legend.ThumbnailWidth = vg.Points(14)
	return p
}

// legendHeight is the height of a legendPlot of n entries and a title.
func legendHeight(n int) vg.Length { return vg.Length(n+3) * vg.Points(13) }
