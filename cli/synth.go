package cli

import (
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"litho/schemas"
	"litho/stages/synth"
)

func (e *Env) synthCommand() *cli.Command {
	return &cli.Command{
		Name:  "synth",
		Usage: "write generated LILY-format CSV files (all nine instruments: GRA, MS, NGR, RGB, RSC, MSP, MAD, PWC, TCON) into a directory",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", TakesFile: true, Usage: "directory to write the CSV files into; required"},
			&cli.IntFlag{Name: "boreholes", Value: 60, Usage: "number of boreholes"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "random seed; equal seeds give byte-identical files"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite existing LILY files in DIR (regular files only)"},
		},
		Action: func(c *cli.Context) error {
			if c.String("out") == "" {
				return usagef("synth needs --out DIR")
			}
			if c.Int("boreholes") < 1 {
				return usagef("--boreholes %d: want at least 1", c.Int("boreholes"))
			}
			if err := synthTargets(c.String("out"), c.Bool("force")); err != nil {
				return err
			}
			if err := synth.WriteDir(c.Context, c.String("out"), c.Int("boreholes"), c.Int64("seed")); err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "wrote %d LILY files for %d boreholes to %s\n", len(schemas.LILYFiles), c.Int("boreholes"), c.String("out"))
			return nil
		},
	}
}

// synthTargets refuses to overwrite LILY files in dir without force: they
// carry the names of the real database's files, which may be there. A
// symlink or anything else not a regular file is never written through.
func synthTargets(dir string, force bool) error {
	if err := outputDir(dir); err != nil {
		return err
	}
	for _, f := range schemas.LILYFiles {
		if err := replaceable(filepath.Join(dir, f.FileName), force); err != nil {
			return err
		}
	}
	return nil
}
