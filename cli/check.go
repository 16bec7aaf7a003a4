package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"litho/dag"
)

func (e *Env) checkCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "check the pipeline's gates against the current run's metrics; exit 1 when one fails",
		Description: "Gates are declared in pipeline.hcl, e.g.\n" +
			"  gate \"ari\"  { metric = \"gmm.k18.ari\" min = 0.20 }\n" +
			"  gate \"drop\" { metric = \"gmm.k18.ari\" max_drop = 0.02 }\n" +
			"min is a floor; max_drop is the largest allowed fall below the --baseline metrics file\n" +
			"(without --baseline, max_drop is reported as not checked).\n" +
			"A metric missing from the metrics (or, for max_drop, the baseline) fails its gate.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "baseline", Usage: "metrics JSON file that max_drop gates compare against"},
			stageFlag, setFlag, dataFlag, jsonFlag,
		},
		Action: e.check,
	}
}

// gateResult is one gate's verdict.
type gateResult struct {
	Gate     string   `json:"gate"`
	Metric   string   `json:"metric"`
	Value    *float64 `json:"value"`
	Baseline *float64 `json:"baseline,omitempty"`
	Bound    string   `json:"bound"`
	Pass     bool     `json:"pass"`
	Reason   string   `json:"reason,omitempty"`
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
	} else if failed > 0 {
		fmt.Fprintf(e.Stdout, "failed gates (metrics: %s)\n", name)
		if err := writeGateTable(e.Stdout, results, false); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.Stdout, "all %d gates pass (metrics: %s)\n", len(results), name)
		if err := writeGateTable(e.Stdout, results, true); err != nil {
			return err
		}
	}
	if failed > 0 {
		return exitError{code: ExitFailed, err: fmt.Errorf("%d of %d gates failed", failed, len(results))}
	}
	return nil
}

// evalGates checks every gate: min is a floor on the current value;
// max_drop bounds baseline − current.
func evalGates(gates []dag.Gate, cur, base map[string]float64) []gateResult {
	out := make([]gateResult, 0, len(gates))
	for _, g := range gates {
		r := gateResult{Gate: g.Name, Metric: g.Metric, Pass: true}
		v, ok := cur[g.Metric]
		if ok {
			r.Value = &v
		}
		if g.Min != nil {
			r.Bound = fmt.Sprintf("≥ %s", formatMetric(*g.Min))
			if ok && v < *g.Min {
				r.Pass = false
			}
		}
		if g.MaxDrop != nil {
			b, inBase := base[g.Metric]
			if r.Bound != "" {
				r.Bound += ", "
			}
			switch {
			case base == nil:
				// Without a baseline there is nothing to drop from; the
				// table says so rather than failing a local check.
				r.Bound += fmt.Sprintf("drop ≤ %s", formatMetric(*g.MaxDrop))
				r.Reason = "drop not checked: no --baseline"
			case !inBase:
				r.Bound += fmt.Sprintf("drop ≤ %s", formatMetric(*g.MaxDrop))
				r.Pass, r.Reason = false, "not in the baseline"
			default:
				r.Baseline = &b
				r.Bound += fmt.Sprintf("≥ %s (baseline %s − %s)", formatMetric(b-*g.MaxDrop), formatMetric(b), formatMetric(*g.MaxDrop))
				if ok && b-v > *g.MaxDrop {
					r.Pass = false
				}
			}
		}
		if !ok {
			r.Pass, r.Reason = false, "not in the metrics"
		}
		out = append(out, r)
	}
	return out
}

// writeGateTable prints gate, metric, value and bound of the failing
// gates, or of all when all is set.
func writeGateTable(w io.Writer, results []gateResult, all bool) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "gate\tmetric\tvalue\tbound\t")
	for _, r := range results {
		if r.Pass && !all {
			continue
		}
		value := formatOpt(r.Value)
		if r.Reason != "" {
			value += " (" + r.Reason + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", r.Gate, r.Metric, value, r.Bound)
	}
	return tw.Flush()
}
