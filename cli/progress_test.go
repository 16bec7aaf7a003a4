package cli

import (
	"strings"
	"testing"
	"time"

	"litho/dag"
)

// TestLineProgress: off a terminal, short work prints nothing; long work
// prints its latest description and count, and says at the end whether it
// finished or stopped (an early stop, Ctrl-C) rather than claiming 100 %.
func TestLineProgress(t *testing.T) {
	var b strings.Builder
	p := newProgress(&b, false)("train epochs", 10, dag.Steps)
	p.Add(1)
	p.Done()
	if b.String() != "" {
		t.Errorf("short work printed %q", b.String())
	}
	lp := &lineProgress{w: &b, desc: "train epochs", total: 10, unit: dag.Steps, last: time.Now().Add(-lineEvery)}
	lp.Describe("train epoch 3 · loss 0.5 · β 1")
	lp.Add(3)
	lp.Done()
	want := "train epoch 3 · loss 0.5 · β 1  3/10\ntrain epoch 3 · loss 0.5 · β 1  3/10 stopped\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	if newProgress(&b, true) != nil {
		t.Error("--quiet still reports progress")
	}
}
