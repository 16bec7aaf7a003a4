package evaluate

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"litho/schemas"
)

// CurvePlot draws the training history: train and validation loss per
// epoch, on a log scale when they span a decade or more (early losses can
// be orders of magnitude above the rest), the lowest validation loss
// ringed, and below it β, the KL weight the loss carried at each epoch.
func CurvePlot(history []schemas.Epoch) (figure, error) {
	if len(history) == 0 {
		return figure{}, fmt.Errorf("training curve: empty history")
	}
	loss := plot.New()
	loss.Title.Text = fmt.Sprintf("VAE training: %d epochs", len(history))
	loss.Y.Label.Text = "loss (reconstruction + β·KL)"
	loss.Add(plotter.NewGrid())
	legend := legendPlot("")
	beta := plot.New()
	beta.X.Label.Text, beta.Y.Label.Text = "epoch", "β"
	beta.Add(plotter.NewGrid())
	var train, val, b plotter.XYs
	var low *plotter.XY
	for _, e := range history {
		x := float64(e.Epoch)
		if e.TrainLoss > 0 {
			train = append(train, plotter.XY{X: x, Y: e.TrainLoss})
		}
		if e.ValLoss > 0 { // NaN without validation rows
			val = append(val, plotter.XY{X: x, Y: e.ValLoss})
			if low == nil || e.ValLoss < low.Y {
				low = &val[len(val)-1]
			}
		}
		b = append(b, plotter.XY{X: x, Y: e.Beta})
	}
	if lo, hi := lossRange(train, val); hi >= 10*lo {
		loss.Y.Scale = plot.LogScale{}
		loss.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	var mark *plotter.XY
	if low != nil {
		mark = &plotter.XY{X: low.X, Y: low.Y}
	}
	for _, s := range []struct {
		p    *plot.Plot
		name string
		xys  plotter.XYs
		col  color.Color
		mark *plotter.XY
	}{{loss, "train", train, palette20[0], nil}, {loss, "validation", val, palette20[1], mark}, {beta, "β", b, palette20[2], nil}} {
		if len(s.xys) == 0 {
			continue
		}
		if err := addLine(s.p, "", s.xys, s.col, s.mark); err != nil {
			return figure{}, fmt.Errorf("training curve: %w", err)
		}
		if err := addLine(legend, s.name, nil, s.col, nil); err != nil {
			return figure{}, fmt.Errorf("training curve: %w", err)
		}
	}
	if mark != nil {
		legend.Legend.Add(fmt.Sprintf("lowest validation loss\n(epoch %d)", int(mark.X)), ring{})
	}
	// The panels share the epoch axis.
	last := float64(history[len(history)-1].Epoch)
	for _, p := range []*plot.Plot{loss, beta} {
		p.X.Min, p.X.Max = math.Min(1, last)-0.5, last+0.5
	}
	beta.Y.Min = 0
	return figure{grid: [][]*plot.Plot{{loss}, {beta}}, side: []*plot.Plot{legend}, sideW: 2.1 * vg.Inch, w: 10 * vg.Inch, h: 6 * vg.Inch}, nil
}

// lossRange is the smallest and largest loss drawn.
func lossRange(series ...plotter.XYs) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, xys := range series {
		for _, p := range xys {
			lo, hi = min(lo, p.Y), max(hi, p.Y)
		}
	}
	return lo, hi
}
