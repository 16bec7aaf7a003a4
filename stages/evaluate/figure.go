package evaluate

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// figure is a picture laid out once and drawn twice: as PNG for the
// report and as SVG for print. Sizes are chosen so that at 96 dpi the PNG
// is at most the report's 1100 px wide, shown unscaled.
type figure struct {
	grid  [][]*plot.Plot // rows of columns, aligned
	side  []*plot.Plot   // stacked from the top in a strip of width sideW on the right
	sideW vg.Length
	// sideH are the side plots' heights; nil shares the height equally.
	sideH []vg.Length
	w, h  vg.Length
}

// single is a figure of one plot.
func single(p *plot.Plot, w, h vg.Length) figure {
	return figure{grid: [][]*plot.Plot{{p}}, w: w, h: h}
}

func (f figure) draw(dc draw.Canvas) {
	pad := vg.Millimeter * 2
	tiles := draw.Tiles{Rows: len(f.grid), Cols: len(f.grid[0]), PadX: pad, PadY: pad,
		PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: pad}
	canvases := plot.Align(f.grid, tiles, draw.Crop(dc, 0, -f.sideW, 0, 0))
	for r, row := range f.grid {
		for c, p := range row {
			p.Draw(canvases[r][c])
		}
	}
	top := pad // above the current side plot
	for i, p := range f.side {
		h := (f.h - 2*pad) / vg.Length(len(f.side))
		if f.sideH != nil {
			h = f.sideH[i]
		}
		p.Draw(draw.Crop(dc, f.w-f.sideW+pad, -pad, f.h-top-h, -top))
		top += h
	}
}

// render draws the figure as PNG and as SVG. Neither holds a time or
// anything else that differs between equal runs.
func (f figure) render() (pngBytes, svgBytes []byte, err error) {
	img := vgimg.New(f.w, f.h)
	f.draw(draw.New(img))
	var pb bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&pb); err != nil {
		return nil, nil, fmt.Errorf("encode png: %w", err)
	}
	sc := vgsvg.New(f.w, f.h)
	f.draw(draw.New(sc))
	var sb bytes.Buffer
	if _, err := sc.WriteTo(&sb); err != nil {
		return nil, nil, fmt.Errorf("encode svg: %w", err)
	}
	return pb.Bytes(), sb.Bytes(), nil
}

// palette20 is a qualitative palette (Tableau 20) for methods and
// lithologies.
var palette20 = []color.RGBA{
	{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}, {148, 103, 189, 255},
	{140, 86, 75, 255}, {227, 119, 194, 255}, {188, 189, 34, 255}, {23, 190, 207, 255}, {127, 127, 127, 255},
	{174, 199, 232, 255}, {255, 187, 120, 255}, {152, 223, 138, 255}, {255, 152, 150, 255}, {197, 176, 213, 255},
	{196, 156, 148, 255}, {247, 182, 210, 255}, {219, 219, 141, 255}, {158, 218, 229, 255}, {199, 199, 199, 255},
}

// clusterPalette colours clusters so that none can pass for a lithology:
// picked greedily from sRGB colours of CIELAB lightness 30–85 and chroma
// ≥ 35, each as far (CIEDE2000) from the lithology colours, "other",
// white, grey and the colours picked before as possible. Every one is at
// least 15 ΔE00 (19 ΔE*ab) from a lithology colour. Colours repeat beyond
// 20 clusters.
var clusterPalette = []color.RGBA{
	{85, 85, 0, 255}, {17, 0, 238, 255}, {68, 238, 187, 255}, {153, 0, 102, 255}, {0, 102, 68, 255},
	{255, 136, 136, 255}, {85, 238, 0, 255}, {153, 102, 17, 255}, {255, 187, 68, 255}, {136, 136, 68, 255},
	{238, 0, 119, 255}, {34, 68, 136, 255}, {0, 153, 136, 255}, {119, 136, 255, 255}, {0, 170, 255, 255},
	{187, 221, 153, 255}, {238, 187, 255, 255}, {119, 51, 0, 255}, {187, 119, 85, 255}, {153, 17, 187, 255},
}

// colourLiths is how many lithologies get their own colour; the rest
// are drawn grey as "other".
const colourLiths = 10

var otherColour = color.RGBA{200, 200, 200, 255}

func clusterColour(c int) color.Color { return clusterPalette[c%len(clusterPalette)] }

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

// swatch is a legend thumbnail filled with one colour.
type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	r.Min.Y, r.Max.Y = r.Min.Y+vg.Points(1), r.Max.Y-vg.Points(1) // a gap between entries
	c.SetColor(s.c)
	c.Fill(r.Path())
}
