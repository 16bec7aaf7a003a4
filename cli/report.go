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
	page, err := e.supplement(c, p, stage, b)
	if err != nil {
		return err
	}
	if err := writeOutput(out, page, c.Bool("force")); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintf(e.Stdout, "wrote %s (%d KiB, %s.%s %s)\n", out, (len(page)+1023)/1024, stage, output, d.Short())
	return nil
}

// supplement adds to the exported page what the stored one cannot hold,
// read from the records now: the comparison with the pipeline's other
// models (when it has several) and where the numbers came from. The
// stored report stays byte-identical, so its key and digest depend on
// neither host, time nor the rest of the pipeline.
func (e *Env) supplement(c *cli.Context, p *project, stage string, page []byte) ([]byte, error) {
	sections := [][]byte{[]byte(sectionStyle)}
	rows, _, err := p.comparison(c.Context)
	if err != nil {
		return nil, err
	}
	if len(rows) > 1 {
		sections = append(sections, comparisonSection(rows))
	}
	stages, err := p.provenance(c.Context, stage)
	if err != nil {
		return nil, err
	}
	prov, err := provenanceSection(provenance{Litho: c.App.Version, Now: time.Now(), Pipeline: p.Pipeline.File,
		PipelineDigest: p.Pipeline.Digest(), Stages: stages})
	if err != nil {
		return nil, err
	}
	return withSections(page, append(sections, prov)...), nil
}

// comparisonSection is the table of `litho compare` over every model of
// the pipeline that has a current result.
func comparisonSection(rows []modelRow) []byte {
	return []byte("<section id=\"comparison\">\n<h2>Method comparison</h2>\n<div class=\"wide\">" + htmlTable(compareTable(rows)) + "</div>\n</section>\n")
}
