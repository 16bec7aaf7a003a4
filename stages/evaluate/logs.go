package evaluate

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"litho/schemas"
)

// binHalf is half a depth bin (bins are 0.20 m, centred on Bin × 0.20).
const binHalf = 0.1

// BoreholeLog is what the down-hole picture shows of one borehole: its
// binned measurements and the cluster of each evaluated bin.
type BoreholeLog struct {
	Borehole string
	Bins     []schemas.BinRow
	Clusters map[int64]int // bin → cluster
}

// LogsPlot draws, for each borehole side by side, GRA, MS and NGR
// against depth, a colour strip from R, G, B, the described lithology
// and the cluster, plus a legend of the lithology colours. lithIndex
// maps a lithology to its Data.Liths index (absent: "other").
func LogsPlot(logs []BoreholeLog, liths []string, lithIndex map[string]int, title string) ([]byte, error) {
	if len(logs) == 0 {
		return nil, fmt.Errorf("logs plot: no boreholes")
	}
	var row []*plot.Plot
	for _, lg := range logs {
		tracks, err := boreholeTracks(lg, lithIndex)
		if err != nil {
			return nil, fmt.Errorf("logs plot %s: %w", lg.Borehole, err)
		}
		row = append(row, tracks...)
	}
	legendW := 2.2 * vg.Inch
	w := vg.Length(float64(len(row))*1.1)*vg.Inch + legendW
	return renderPNGWithSide([][]*plot.Plot{row}, lithLegend(liths, title), legendW, w, 9*vg.Inch)
}

// boreholeTracks makes the six tracks of one borehole; its bins are
// sorted by depth.
func boreholeTracks(lg BoreholeLog, lithIndex map[string]int) ([]*plot.Plot, error) {
	if len(lg.Bins) == 0 {
		return nil, fmt.Errorf("no bins")
	}
	var gra, ms, ngr plotter.XYs
	var top, bottom []float64
	var rgb, lith, clus []color.Color
	for _, b := range lg.Bins {
		gra = append(gra, plotter.XY{X: b.GRA, Y: b.Depth})
		ms = append(ms, plotter.XY{X: b.MS, Y: b.Depth})
		ngr = append(ngr, plotter.XY{X: b.NGR, Y: b.Depth})
		top, bottom = append(top, b.Depth-binHalf), append(bottom, b.Depth+binHalf)
		rgb = append(rgb, color.RGBA{clampByte(b.R), clampByte(b.G), clampByte(b.B), 255})
		l, ok := lithIndex[b.Principal]
		if !ok {
			l = colourLiths
		}
		lith = append(lith, lithColour(l))
		if c, ok := lg.Clusters[b.Bin]; ok {
			clus = append(clus, clusterColour(c))
		} else {
			clus = append(clus, color.White)
		}
	}
	var tracks []*plot.Plot
	for _, t := range []struct {
		name string
		xys  plotter.XYs
	}{{"GRA g/cm³", gra}, {"MS", ms}, {"NGR cps", ngr}} {
		p := track(t.name)
		line, err := plotter.NewLine(t.xys)
		if err != nil {
			return nil, err
		}
		line.Width = vg.Points(0.6)
		p.Add(line)
		// Spikes (MS near basalt, blemished NGR) would squash the rest of
		// the log: the axis spans the central 99 % and the line is clipped.
		if lo, hi, ok := robustRange(t.xys); ok {
			p.X.Min, p.X.Max = lo, hi
		}
		tracks = append(tracks, p)
	}
	for _, s := range []struct {
		name   string
		colors []color.Color
	}{{"colour", rgb}, {"lithology", lith}, {"cluster", clus}} {
		p := track(s.name)
		p.Add(strip{top: top, bottom: bottom, colors: s.colors})
		p.HideX()
		tracks = append(tracks, p)
	}
	for _, p := range tracks {
		p.Y.Min, p.Y.Max = top[0], bottom[len(bottom)-1]
	}
	tracks[0].Title.Text = lg.Borehole + "\n" + tracks[0].Title.Text
	tracks[0].Y.Label.Text = "depth CSF-A (m)"
	for _, p := range tracks[1:] {
		p.Title.Text = "\n" + p.Title.Text
		p.Y.Tick.Label.Font.Size = 0
	}
	return tracks, nil
}

// track is an empty plot with depth increasing downwards.
func track(name string) *plot.Plot {
	p := plot.New()
	p.Title.Text = name
	p.Title.TextStyle.Font.Size = vg.Points(9)
	p.Y.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
	p.X.Tick.Label.Font.Size = vg.Points(7)
	p.X.Tick.Label.Rotation = math.Pi / 2
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	return p
}

func lithLegend(liths []string, title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title + "\nlithology colours"
	p.Title.TextStyle.Font.Size = vg.Points(9)
	p.HideAxes()
	p.Legend.Top, p.Legend.Left = true, true
	for l := range min(colourLiths, len(liths)) {
		p.Legend.Add(liths[l], swatch{lithColour(l)})
	}
	p.Legend.Add("other", swatch{otherColour})
	return p
}

// robustRange is the 0.5–99.5 % quantile range of the x values, padded
// by 5 %; ok is false when it is empty.
func robustRange(xys plotter.XYs) (lo, hi float64, ok bool) {
	xs := make([]float64, len(xys))
	for i, p := range xys {
		xs[i] = p.X
	}
	slices.Sort(xs)
	lo, hi = xs[int(0.005*float64(len(xs)-1))], xs[int(0.995*float64(len(xs)-1)+0.5)]
	if !(hi > lo) {
		return 0, 0, false
	}
	pad := 0.05 * (hi - lo)
	return lo - pad, hi + pad, true
}

func clampByte(v float64) uint8 {
	if math.IsNaN(v) {
		return 0
	}
	return uint8(math.Round(math.Max(0, math.Min(255, v))))
}

// strip fills one rectangle per depth interval across the track.
type strip struct {
	top, bottom []float64
	colors      []color.Color
}

func (s strip) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	// Neighbouring bins overlap by a hair so antialiasing leaves no seams.
	seam := vg.Points(0.4)
	for i, col := range s.colors {
		y0, y1 := trY(s.top[i]), trY(s.bottom[i])
		r := vg.Rectangle{Min: vg.Point{X: trX(0), Y: min(y0, y1) - seam}, Max: vg.Point{X: trX(1), Y: max(y0, y1) + seam}}
		c.SetColor(col)
		c.Fill(r.Path())
	}
}

func (s strip) DataRange() (xmin, xmax, ymin, ymax float64) {
	ymin, ymax = math.Inf(1), math.Inf(-1)
	for i := range s.top {
		ymin, ymax = min(ymin, s.top[i]), max(ymax, s.bottom[i])
	}
	return 0, 1, ymin, ymax
}
