package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

func (e *Env) initCommand() *cli.Command {
	return &cli.Command{
		Name:   "init",
		Usage:  "write the default pipeline.hcl into the current directory, to edit",
		Flags:  []cli.Flag{&cli.BoolFlag{Name: "force", Usage: "overwrite an existing pipeline.hcl"}},
		Action: e.init,
	}
}

func (e *Env) init(c *cli.Context) error {
	const name = "pipeline.hcl"
	if err := writeOutput(name, e.DefaultPipeline, c.Bool("force")); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "wrote %s; `litho run` now uses it\n", name)
	return nil
}
