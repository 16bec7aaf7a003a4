package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

func (e *Env) reportCommand() *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "write the evaluation report: one self-contained HTML page with the metrics and every picture",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "report.html", Usage: "file to write"},
			forceFlag, stageFlag, setFlag, dataFlag,
		},
		Action: e.report,
	}
}

func (e *Env) report(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("report takes no arguments (got %q); use --out FILE", c.Args().First())
	}
	out := c.String("out")
	if err := replaceable(out, c.Bool("force")); err != nil {
		return err
	}
	p, err := e.open(c, readOnly)
	if err != nil {
		return err
	}
	defer p.Close()
	stage, output, err := reportRole.find(p.Pipeline, c.String("stage"))
	if err != nil {
		return err
	}
	b, d, err := p.currentOutput(c.Context, stage, output)
	if err != nil {
		return err
	}
	if err := writeOutput(out, b, c.Bool("force")); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintf(e.Stdout, "wrote %s (%d KiB, %s.%s %s)\n", out, (len(b)+1023)/1024, stage, output, d.Short())
	return nil
}
