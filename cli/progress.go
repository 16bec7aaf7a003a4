package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"litho/dag"
)

// lineEvery is how often progress off a terminal prints a line: often
// enough to show a CI log is alive, rarely enough to keep it readable.
const lineEvery = 5 * time.Second

// newProgress draws bars when w is a terminal and prints a line every few
// seconds otherwise, so logs show long work without drowning in it;
// quiet turns progress off.
func newProgress(w io.Writer, quiet bool) dag.ProgressFactory {
	if quiet {
		return nil
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return func(desc string, total int64, unit dag.ProgressUnit) dag.Progress {
			return barProgress{newBar(w, desc, total, unit)}
		}
	}
	return func(desc string, total int64, unit dag.ProgressUnit) dag.Progress {
		return &lineProgress{w: w, desc: desc, total: total, unit: unit, last: time.Now()}
	}
}

func newBar(w io.Writer, desc string, total int64, unit dag.ProgressUnit) *progressbar.ProgressBar {
	if unit == dag.Bytes {
		return progressbar.DefaultBytes(total, desc)
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(20),
		progressbar.OptionShowCount(),
		// No throttle: steps such as epochs are slow, and a throttled last
		// render would leave an early stop's bar one step behind.
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		progressbar.OptionSetRenderBlankState(true),
	)
}

type barProgress struct{ b *progressbar.ProgressBar }

func (p barProgress) Add(n int64)          { _ = p.b.Add64(n) }
func (p barProgress) Describe(desc string) { p.b.Describe(desc) }

// Done fills the bar only when the work is complete: an early stop or a
// Ctrl-C leaves it where it stopped.
func (p barProgress) Done() {
	if p.b.State().CurrentNum >= p.b.GetMax64() {
		_ = p.b.Finish()
		return
	}
	_ = p.b.Exit()
}

// lineProgress prints "desc  done/total" at most every lineEvery, and a
// last line at Done when it printed any, so short work prints nothing.
type lineProgress struct {
	mu      sync.Mutex
	w       io.Writer
	desc    string
	n       int64
	total   int64
	unit    dag.ProgressUnit
	last    time.Time
	printed bool
}

func (p *lineProgress) Add(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n += n
	if time.Since(p.last) >= lineEvery {
		p.print("")
	}
}

func (p *lineProgress) Describe(desc string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.desc = desc
}

func (p *lineProgress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case !p.printed:
	case p.n >= p.total:
		p.print(" done")
	default:
		p.print(" stopped")
	}
}

func (p *lineProgress) print(suffix string) {
	fmt.Fprintf(p.w, "%s  %s%s\n", p.desc, p.count(), suffix)
	p.last, p.printed = time.Now(), true
}

func (p *lineProgress) count() string {
	if p.unit == dag.Bytes {
		return humanBytes(p.n) + " / " + humanBytes(p.total)
	}
	return fmt.Sprintf("%d/%d", p.n, p.total)
}
