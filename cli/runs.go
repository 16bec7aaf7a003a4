package cli

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"litho/dag"
)

func (e *Env) runsCommand() *cli.Command {
	return &cli.Command{
		Name: "runs",
		Usage: "list the recorded runs, newest first: run~N is the N-th (metrics REFs count only " +
			"runs that recorded metrics)",
		Flags:  []cli.Flag{jsonFlag, &cli.IntFlag{Name: "last", Value: 20, Usage: "show at most N runs (-1: all)"}},
		Action: e.runs,
	}
}

// runSummary is one line of `litho runs`.
type runSummary struct {
	Ref    string `json:"ref"`
	Time   string `json:"time"`
	Host   string `json:"host"`
	File   string `json:"file"`
	Ran    int    `json:"ran"`
	Cached int    `json:"cached"`
	Failed int    `json:"failed"`
}

func (e *Env) runs(c *cli.Context) error {
	p, err := e.open(c, readOnly)
	if err != nil {
		return err
	}
	defer p.Close()
	logs, err := dag.RecentRuns(c.Context, p.Store, c.Int("last"))
	if err != nil {
		return storeError{err}
	}
	for i, l := range logs {
		s := summarizeRun(i, l)
		if c.Bool("json") {
			b, _ := json.Marshal(s)
			fmt.Fprintln(e.Stdout, string(b))
			continue
		}
		fmt.Fprintf(e.Stdout, "%-7s %s  %-16s ran %-3d cached %-3d", s.Ref, s.Time, s.Host, s.Ran, s.Cached)
		if s.Failed > 0 {
			fmt.Fprintf(e.Stdout, " failed %d", s.Failed)
		}
		fmt.Fprintf(e.Stdout, "  %s\n", s.File)
	}
	return nil
}

func summarizeRun(i int, l *dag.RunLog) runSummary {
	s := runSummary{Ref: fmt.Sprintf("run~%d", i), Time: l.Time.UTC().Format("2006-01-02 15:04:05Z"), Host: l.Host, File: l.File}
	for _, st := range l.Stages {
		switch st.Status {
		case dag.StatusRan, dag.StatusCutoff:
			s.Ran++
		case dag.StatusCached:
			s.Cached++
		default:
			s.Failed++
		}
	}
	return s
}
