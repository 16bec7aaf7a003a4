package cli

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"litho/dag"
)

func (e *Env) whyCommand() *cli.Command {
	return &cli.Command{
		Name:         "why",
		Usage:        "why STAGE would rerun: its key fields against its nearest cached record",
		ArgsUsage:    "STAGE",
		Flags:        []cli.Flag{setFlag, dataFlag, jsonFlag},
		Action:       e.why,
		BashComplete: e.completeArgs(e.stageNames),
	}
}

func (e *Env) why(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("why needs one STAGE")
	}
	stage := c.Args().First()
	p, err := e.openForStage(c, stage)
	if err != nil {
		return err
	}
	defer p.Close()
	plan, err := p.runner(1).Plan(c.Context, p.Pipeline, dag.Options{To: stage})
	if err != nil {
		return err
	}
	entry := plan[len(plan)-1]
	if c.Bool("json") {
		b, _ := json.MarshalIndent(entry, "", "  ")
		fmt.Fprintln(e.Stdout, string(b))
		return nil
	}
	switch {
	case entry.Status == "cached":
		fmt.Fprintf(e.Stdout, "%s is up to date (key %s)\n", stage, shortKey(entry.Key))
	case len(entry.Diffs) > 0:
		fmt.Fprintf(e.Stdout, "%s would run: its key %s differs from the nearest record %s in:\n", stage, shortKey(entry.Key), shortKey(entry.Nearest))
		for _, d := range entry.Diffs {
			fmt.Fprintf(e.Stdout, "  %-24s %s → %s\n", d.Field, d.Was, d.Now)
		}
	default:
		fmt.Fprintf(e.Stdout, "%s would run: %s\n", stage, entry.Reason)
	}
	for _, pe := range plan[:len(plan)-1] {
		if pe.Status != "cached" {
			fmt.Fprintf(e.Stdout, "  upstream %s would run: %s\n", pe.Stage, pe.Reason)
		}
	}
	return nil
}
