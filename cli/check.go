package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

func (e *Env) checkCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "check the pipeline's gates against the current run's metrics; exit 1 when one fails",
		Description: "Gates are declared in pipeline.hcl, e.g.\n" +
			"  gate \"ari\"  { metric = \"gmm.k18.ari\" min = 0.20 }\n" +
			"  gate \"drop\" { metric = \"gmm.k18.ari\" max_drop = 0.02 }\n" +
			"min is a floor on the metric; min_mean a floor on its mean over folds × seeds (the metric\n" +
			"itself for one split); max_drop fails when the mean falls below the --baseline file's mean by\n" +
			"more than both max_drop and two standard errors of the difference (README: gates)\n" +
			"(without --baseline, max_drop is reported as not checked).\n" +
			"A metric missing from the metrics (or, for max_drop, the baseline) fails its gate.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "baseline", TakesFile: true, Usage: "metrics JSON file that max_drop gates compare against"},
			stageFlag, setFlag, dataFlag, jsonFlag,
		},
		Action: e.check,
	}
}

func (e *Env) check(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("check takes no arguments (got %q)", c.Args().First())
	}
	r := &metricsResolver{c: c, env: e}
	defer r.close()
	p, err := r.project()
	if err != nil {
		return err
	}
	gates := p.Pipeline.Gates
	var base map[string]float64
	if file := c.String("baseline"); file != "" {
		if !looksLikeFile(file) {
			file = "./" + file // --baseline is always a file, never a run or stage
		}
		if base, _, err = r.resolve(file); err != nil {
			return fmt.Errorf("--baseline: %w", err)
		}
	}
	if len(gates) == 0 {
		fmt.Fprintf(e.Stdout, "%s declares no gates\n", p.Pipeline.File)
		return nil
	}
	cur, name, err := r.resolve("current")
	if err != nil {
		return err
	}
	results := evalGates(gates, cur, base)
	failed := 0
	for _, res := range results {
		if !res.Pass {
			failed++
		}
	}
	if c.Bool("json") {
		if err := writeJSON(e.Stdout, results); err != nil {
			return err
		}
	} else {
		if failed > 0 {
			fmt.Fprintf(e.Stdout, "failed gates: %d of %d (metrics: %s)\n", failed, len(results), name)
		} else {
			fmt.Fprintf(e.Stdout, "all %d gates pass (metrics: %s)\n", len(results), name)
		}
		if err := writeGateTable(e.Stdout, results); err != nil {
			return err
		}
	}
	if failed > 0 {
		return exitError{code: ExitFailed, err: fmt.Errorf("%d of %d gates failed", failed, len(results))}
	}
	return nil
}
