package cli

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"
)

func (e *Env) reportCommand() *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "write the evaluation report: one self-contained HTML page with the metrics and every picture",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", TakesFile: true, Aliases: []string{"o"}, Value: "report.html", Usage: "file to write"},
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
	page, err := e.withProvenance(c, p, stage, b)
	if err != nil {
		return err
	}
	if err := writeOutput(out, page, c.Bool("force")); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintf(e.Stdout, "wrote %s (%d KiB, %s.%s %s)\n", out, (len(page)+1023)/1024, stage, output, d.Short())
	return nil
}

// withProvenance adds to the exported page where its numbers came from,
// read from the records now: the stored report stays byte-identical, so
// its key and digest do not depend on host or time.
func (e *Env) withProvenance(c *cli.Context, p *project, stage string, page []byte) ([]byte, error) {
	stages, err := p.provenance(c.Context, stage)
	if err != nil {
		return nil, err
	}
	return withProvenance(page, c.App.Version, time.Now(), stages)
}
