package train

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Curve draws the training and validation loss per epoch as a PNG, on a
// log scale: early training losses can be orders of magnitude above the
// rest. Equal histories give equal images. Losses that are not positive
// are left out.
func Curve(history []Epoch) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "VAE training"
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "loss (reconstruction + β·KL)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	trainPts, valPts := make(plotter.XYs, 0, len(history)), make(plotter.XYs, 0, len(history))
	for _, e := range history {
		if e.TrainLoss > 0 {
			trainPts = append(trainPts, plotter.XY{X: float64(e.Epoch), Y: e.TrainLoss})
		}
		if e.ValLoss > 0 { // NaN without validation data
			valPts = append(valPts, plotter.XY{X: float64(e.Epoch), Y: e.ValLoss})
		}
	}
	for _, s := range []struct {
		name string
		pts  plotter.XYs
		c    color.RGBA
	}{{"train", trainPts, color.RGBA{R: 31, G: 119, B: 180, A: 255}}, {"validation", valPts, color.RGBA{R: 255, G: 127, B: 14, A: 255}}} {
		if len(s.pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(s.pts)
		if err != nil {
			return nil, fmt.Errorf("curve %s: %w", s.name, err)
		}
		l.Color = s.c
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(s.name, l)
	}
	p.Legend.Top = true
	w, err := p.WriterTo(6*vg.Inch, 4*vg.Inch, "png")
	if err != nil {
		return nil, fmt.Errorf("curve: %w", err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("curve: %w", err)
	}
	return buf.Bytes(), nil
}
