package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"litho/schemas"
	"litho/stages/synth"
)

func (e *Env) synthCommand() *cli.Command {
	return &cli.Command{
		Name:  "synth",
		Usage: "write generated LILY-format CSV files (all nine instruments: GRA, MS, NGR, RGB, RSC, MSP, MAD, PWC, TCON) into a directory",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "directory to write the CSV files into; required"},
			&cli.IntFlag{Name: "boreholes", Value: 60, Usage: "number of boreholes"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "random seed; equal seeds give byte-identical files"},
		},
		Action: func(c *cli.Context) error {
			if c.String("out") == "" {
				return usagef("synth needs --out DIR")
			}
			if c.Int("boreholes") < 1 {
				return usagef("--boreholes %d: want at least 1", c.Int("boreholes"))
			}
			if err := synth.WriteDir(c.Context, c.String("out"), c.Int("boreholes"), c.Int64("seed")); err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "wrote %d LILY files for %d boreholes to %s\n", len(schemas.LILYFiles), c.Int("boreholes"), c.String("out"))
			return nil
		},
	}
}
