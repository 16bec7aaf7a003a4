package evaluate

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"litho/schemas"
)

// drawable is a loss the log-scaled curve can show: NaN without
// validation rows, +Inf after a diverged epoch, neither of them a point.
func drawable(loss float64) bool { return loss > 0 && !math.IsInf(loss, 1) }

// CurvePlot draws the training history: train and validation loss per
// epoch, on a log scale when they span a factor of three or more (early
// losses can be orders of magnitude above the rest), the lowest
// validation loss ringed, and below it β, the KL weight the loss carried
// at each epoch.
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
	var mark *plotter.XY
	for _, e := range history {
		x := float64(e.Epoch)
		if drawable(e.TrainLoss) {
			train = append(train, plotter.XY{X: x, Y: e.TrainLoss})
		}
		if drawable(e.ValLoss) {
			val = append(val, plotter.XY{X: x, Y: e.ValLoss})
			if mark == nil || e.ValLoss < mark.Y {
				mark = &plotter.XY{X: x, Y: e.ValLoss}
			}
		}
		b = append(b, plotter.XY{X: x, Y: e.Beta})
	}
	if lo, hi := lossRange(train, val); hi >= 3*lo {
		loss.Y.Scale = plot.LogScale{}
		loss.Y.Tick.Marker = logTicks{}
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

// logTicks marks 1 to 9 times each power of ten and labels 1, 2 and 5
// (and 3 on an axis of under two decades), so that a log axis spanning
// less than a decade still reads.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	narrow := hi < 100*lo
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow(10, e)
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 || m == 3 && narrow {
				t.Label = strconv.FormatFloat(v, 'f', max(0, int(-e)), 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}
