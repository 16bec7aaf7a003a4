package evaluate

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"litho/schemas"
)

// binHalf is half a depth bin (bins are 0.20 m, centred on Bin × 0.20).
const binHalf = 0.1

// BoreholeLog is what the down-hole picture shows of one borehole: its
// binned measurements, sorted by depth, and the cluster of each
// evaluated bin.
type BoreholeLog struct {
	Borehole string
	Bins     *schemas.BinTable
	Clusters map[int64]int // bin → cluster
}

// colourFeatures are the features the colour strip is drawn from, rather
// than as curves.
var colourFeatures = []string{"r", "g", "b"}

// LogsPlot draws one row per borehole: each binned feature against
// depth (R, G, B, when binned, as a colour strip instead), the described
// lithology and the cluster, with legends of the lithology colours and of
// the k cluster colours beside them. lithIndex maps a lithology to its
// Data.Liths index (absent: "other").
func LogsPlot(logs []BoreholeLog, liths []string, lithIndex map[string]int, k int, clusters string) (figure, error) {
	if len(logs) == 0 {
		return figure{}, fmt.Errorf("logs plot: no boreholes")
	}
	var grid [][]*plot.Plot
	cols := 0
	for _, lg := range logs {
		tracks, err := boreholeTracks(lg, lithIndex)
		if err != nil {
			return figure{}, fmt.Errorf("logs plot %s: %w", lg.Borehole, err)
		}
		grid = append(grid, tracks)
		cols = max(cols, len(tracks))
	}
	for i := range grid { // boreholes may lack an instrument; plot.Align wants a full grid
		for len(grid[i]) < cols {
			blank := plot.New()
			blank.HideAxes()
			grid[i] = append(grid[i], blank)
		}
	}
	lith := legendPlot("lithology (described)")
	nLith := min(colourLiths, len(liths))
	for l := range nLith {
		lith.Legend.Add(liths[l], swatch{lithColour(l)})
	}
	lith.Legend.Add("other", swatch{otherColour})
	clus := legendPlot("cluster, " + clusters)
	for c := range k {
		clus.Legend.Add(fmt.Sprintf("cluster %d", c), swatch{clusterColour(c)})
	}
	// A row of tracks needs about 4.5 in to read.
	lithH, clusH := legendHeight(nLith+1), legendHeight(k)
	h := max(4.5*vg.Inch*vg.Length(len(grid)), lithH+clusH)
	return figure{grid: grid, side: []*plot.Plot{lith, clus}, sideH: []vg.Length{lithH, clusH},
		sideW: 2.3 * vg.Inch, w: 11 * vg.Inch, h: h}, nil
}

// boreholeTracks makes the tracks of one borehole: a curve per feature,
// then the colour, lithology and cluster strips.
func boreholeTracks(lg BoreholeLog, lithIndex map[string]int) ([]*plot.Plot, error) {
	rows := lg.Bins.Rows
	if len(rows) == 0 {
		return nil, fmt.Errorf("no bins")
	}
	var top, bottom []float64
	var lith, clus []color.Color
	for _, b := range rows {
		top, bottom = append(top, b.Depth-binHalf), append(bottom, b.Depth+binHalf)
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
	tracks, err := curveTracks(lg.Bins)
	if err != nil {
		return nil, err
	}
	var strips []namedStrip
	if rgb, ok := colourStrip(lg.Bins); ok {
		strips = append(strips, namedStrip{"colour\n(RGB)", rgb})
	}
	strips = append(strips, namedStrip{"lithology\n", lith}, namedStrip{"cluster\n", clus})
	for _, s := range strips {
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

// namedStrip is a strip track's title and its colour per bin.
type namedStrip struct {
	name   string
	colors []color.Color
}

// curveTracks draws each feature of the table but the colour ones as a
// curve against depth, titled with its name and unit.
func curveTracks(t *schemas.BinTable) ([]*plot.Plot, error) {
	colour := hasColour(t)
	var tracks []*plot.Plot
	for j, f := range t.Features {
		if colour && slices.Contains(colourFeatures, f) {
			continue
		}
		xys := make(plotter.XYs, len(t.Rows))
		for i, b := range t.Rows {
			xys[i] = plotter.XY{X: b.Values[j], Y: b.Depth}
		}
		p := track(trackName(f))
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		line.Width = vg.Points(0.6)
		p.Add(line)
		// Spikes (MS near basalt, blemished NGR) would squash the rest of
		// the log: the axis spans the central 99 % and the line is clipped.
		if lo, hi, ok := robustRange(xys); ok {
			p.X.Min, p.X.Max = lo, hi
		}
		tracks = append(tracks, p)
	}
	return tracks, nil
}

// displayUnits spell out units that LILY abbreviates.
var displayUnits = map[string]string{"cps": "counts/s"}

// trackName is a feature's name in capitals over its unit, two lines so
// that long names fit a track: "GRA\n(g/cm³)".
func trackName(feature string) string {
	name := strings.ToUpper(strings.ReplaceAll(feature, "_", " ")) + "\n"
	if m, _, ok := schemas.Feature(feature); ok && m.Unit != "" {
		name += "(" + cmp.Or(displayUnits[m.Unit], m.Unit) + ")"
	}
	return name
}

// readableTicks are gonum's default ticks, every label with the fewest
// decimals (up to 6) that write all of them exactly, so that a narrow
// range reads 2.68, 2.69, 2.70 rather than 2.7, 2.7, 2.7.
type readableTicks struct{}

func (readableTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	decimals := 0
	for _, tk := range ticks {
		for tk.Label != "" && decimals < 6 && !exact(tk.Value, decimals) {
			decimals++
		}
	}
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', decimals, 64)
		}
	}
	return ticks
}

// exact reports whether v written with d decimals reads back as v, to
// within rounding.
func exact(v float64, d int) bool {
	scale := math.Pow(10, float64(d))
	return math.Abs(math.Round(v*scale)-v*scale) < 1e-6
}

// hasColour reports whether the table holds R, G and B.
func hasColour(t *schemas.BinTable) bool {
	for _, f := range colourFeatures {
		if _, ok := t.Column(f); !ok {
			return false
		}
	}
	return true
}

// colourStrip is each bin's colour from its R, G, B means; ok is false
// when the table lacks them.
func colourStrip(t *schemas.BinTable) (colors []color.Color, ok bool) {
	if !hasColour(t) {
		return nil, false
	}
	var col [3]int
	for i, f := range colourFeatures {
		col[i], _ = t.Column(f)
	}
	for _, b := range t.Rows {
		colors = append(colors, color.RGBA{clampByte(b.Values[col[0]]), clampByte(b.Values[col[1]]), clampByte(b.Values[col[2]]), 255})
	}
	return colors, true
}

// track is an empty plot with depth increasing downwards.
func track(name string) *plot.Plot {
	p := plot.New()
	p.Title.Text = name
	p.Title.TextStyle.Font.Size = vg.Points(10)
	p.Y.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
	p.Y.Tick.Label.Font.Size = vg.Points(9)
	p.X.Tick.Label.Font.Size = vg.Points(9)
	p.X.Tick.Marker = readableTicks{}
	p.X.Tick.Label.Rotation = math.Pi / 2
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
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
