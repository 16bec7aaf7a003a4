package cli

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"litho/dag"
)

func (e *Env) statusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "which stages are up to date and which would run, and why",
		Flags: []cli.Flag{setFlag, dataFlag, jsonFlag,
			&cli.BoolFlag{Name: "exit-code", Usage: "exit 1 when some stage would run (for scripts and CI)"}},
		Action: e.status,
	}
}

func (e *Env) status(c *cli.Context) error {
	p, err := e.open(c, readOnly)
	if err != nil {
		return err
	}
	defer p.Close()
	stale, err := e.printPlan(c, p, dag.Options{})
	if err == nil && stale && c.Bool("exit-code") {
		return errWouldRun
	}
	return err
}

// printPlan prints what a run would do (status and run --dry-run) and
// reports whether any stage would run.
func (e *Env) printPlan(c *cli.Context, p *project, opts dag.Options) (stale bool, err error) {
	plan, err := p.runner(1).Plan(c.Context, p.Pipeline, opts)
	if err != nil {
		return false, err
	}
	for _, pe := range plan {
		stale = stale || pe.Status != "cached"
	}
	if c.Bool("json") {
		for _, pe := range plan {
			b, _ := json.Marshal(pe)
			fmt.Fprintln(e.Stdout, string(b))
		}
		return stale, nil
	}
	for _, pe := range plan {
		state := "up to date"
		if pe.Status != "cached" {
			state = "would run"
		}
		fmt.Fprintf(e.Stdout, "  %-10s %-10s %-12s %s\n", pe.Stage, state, shortKey(pe.Key), pe.Reason)
	}
	return stale, nil
}
