package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

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
	if _, err := os.Stat(name); err == nil && !c.Bool("force") {
		return usagef("%s already exists; use --force to overwrite it", name)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.WriteFile(name, e.DefaultPipeline, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "wrote %s; `litho run` now uses it\n", name)
	return nil
}
