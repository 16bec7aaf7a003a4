package cli

import (
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"litho/dag"
)

// terminalProgress draws progress bars when w is a terminal and does
// nothing otherwise, so logs and pipes stay clean.
func terminalProgress(w io.Writer) dag.ProgressFactory {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(desc string, total int64) dag.Progress {
		return barProgress{progressbar.DefaultBytes(total, desc)}
	}
}

type barProgress struct{ b *progressbar.ProgressBar }

func (p barProgress) Add(n int64) { _ = p.b.Add64(n) }
func (p barProgress) Done()       { _ = p.b.Finish() }
