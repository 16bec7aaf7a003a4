package train

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Curve draws the training and validation loss per epoch as a PNG. It
// plots only losses (never the seconds), so equal histories give equal
// images.
func Curve(history []Epoch) ([]byte, error) {
	p := plot.New()
	p.Title.Text = "VAE training"
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "loss (reconstruction + β·KL)"
	trainPts, valPts := make(plotter.XYs, 0, len(history)), make(plotter.XYs, 0, len(history))
	for _, e := range history {
		trainPts = append(trainPts, plotter.XY{X: float64(e.Epoch), Y: e.TrainLoss})
		if !math.IsNaN(e.ValLoss) {
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
