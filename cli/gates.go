package cli

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"litho/dag"
)

// gateResult is one gate's verdict, in numbers: the JSON of `check --json`.
type gateResult struct {
	Gate   string `json:"gate"`
	Metric string `json:"metric"`
	// Value is the metric, or its mean over folds × seeds; SD and SE its
	// spread over N partitions (0 and 1 for a single split).
	Value      *float64 `json:"value"`
	SD         float64  `json:"sd"`
	SE         float64  `json:"se"`
	N          int      `json:"n"`
	Baseline   *float64 `json:"baseline,omitempty"`
	BaselineSE *float64 `json:"baseline_se,omitempty"`
	// AllowedDrop is max(max_drop, 2·√(se² + baseline_se²)).
	AllowedDrop *float64 `json:"allowed_drop,omitempty"`
	// Bound is the lowest value that passes (the highest of the gate's floors).
	Bound  *float64 `json:"bound,omitempty"`
	Rule   string   `json:"rule"` // the bound in words
	Pass   bool     `json:"pass"`
	Reason string   `json:"reason,omitempty"`
}

// spreadOf finds a metric's mean and spread: KEY.mean, .sd, .se, .n in a
// summary, else the single-split KEY with n = 1 and no spread.
func spreadOf(flat map[string]float64, metric string) (mean, sd, se float64, n int, ok bool) {
	if m, ok := flat[metric+".mean"]; ok {
		return m, flat[metric+".sd"], flat[metric+".se"], int(flat[metric+".n"]), true
	}
	v, ok := flat[metric]
	return v, 0, 0, 1, ok
}

// evalGates checks every gate against the current metrics and the
// baseline (nil without --baseline).
func evalGates(gates []dag.Gate, cur, base map[string]float64) []gateResult {
	out := make([]gateResult, 0, len(gates))
	for _, g := range gates {
		out = append(out, evalGate(g, cur, base))
	}
	return out
}

// evalGate applies the gate's floors. min reads the metric as it is (a
// single split's value); min_mean and max_drop read the mean. max_drop
// fails only when the drop exceeds both max_drop and two standard errors
// of the difference of the means, so noise across folds is not a
// regression; with single splits (no spread) it is the plain drop bound.
func evalGate(g dag.Gate, cur, base map[string]float64) gateResult {
	r := gateResult{Gate: g.Name, Metric: g.Metric, Pass: true}
	raw, rawOK := cur[g.Metric]
	mean, sd, se, n, ok := spreadOf(cur, g.Metric)
	if ok {
		r.Value, r.SD, r.SE, r.N = &mean, sd, se, n
	}
	floor := func(b float64, rule string, v float64, have bool) {
		if r.Rule != "" {
			r.Rule += ", "
		}
		r.Rule += rule
		if r.Bound == nil || b > *r.Bound {
			r.Bound = &b
		}
		if have && v < b {
			r.Pass = false
		}
	}
	if g.Min != nil {
		if !rawOK {
			r.Pass, r.Reason = false, "not in the metrics (min needs a single split; use min_mean over folds)"
		}
		floor(*g.Min, "≥ "+formatMetric(*g.Min), raw, rawOK)
	}
	if g.MinMean != nil {
		floor(*g.MinMean, "mean ≥ "+formatMetric(*g.MinMean), mean, ok)
	}
	if g.MaxDrop != nil {
		r.dropGate(*g.MaxDrop, base, floor)
	}
	if !ok && r.Reason == "" {
		r.Pass, r.Reason = false, "not in the metrics"
	}
	return r
}

// dropGate adds the max_drop floor: baseline mean − max(max_drop, 2·se of
// the difference).
func (r *gateResult) dropGate(maxDrop float64, base map[string]float64, floor func(float64, string, float64, bool)) {
	b, _, bse, _, inBase := spreadOf(base, r.Metric)
	switch {
	case base == nil:
		// Without a baseline there is nothing to drop from; the table
		// says so rather than failing a local check.
		r.Rule = joinRule(r.Rule, "drop ≤ "+formatMetric(maxDrop))
		r.Reason = "drop not checked: no --baseline"
		return
	case !inBase:
		r.Rule = joinRule(r.Rule, "drop ≤ "+formatMetric(maxDrop))
		r.Pass, r.Reason = false, "not in the baseline"
		return
	}
	twoSE := 2 * math.Hypot(r.SE, bse)
	allowed := max(maxDrop, twoSE)
	r.Baseline, r.BaselineSE, r.AllowedDrop = &b, &bse, &allowed
	why := formatMetric(maxDrop)
	if twoSE > maxDrop {
		why = "2·se " + formatMetric(twoSE)
	}
	var v float64
	if r.Value != nil {
		v = *r.Value
	}
	floor(b-allowed, fmt.Sprintf("≥ %s (baseline %s − %s)", formatMetric(b-allowed), formatMetric(b), why), v, r.Value != nil)
}

func joinRule(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}

// writeGateTable prints every gate: value, spread, bound and verdict.
func writeGateTable(w io.Writer, results []gateResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "gate\tmetric\tvalue\tspread\tbound\tverdict\t")
	for _, r := range results {
		value := formatOpt(r.Value)
		if r.Reason != "" {
			value += " (" + r.Reason + ")"
		}
		spread := "-"
		if r.N > 1 {
			spread = fmt.Sprintf("± %s sd, se %s (n=%d)", formatMetric(r.SD), formatMetric(r.SE), r.N)
		}
		verdict := "pass"
		if !r.Pass {
			verdict = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Gate, r.Metric, value, spread, r.Rule, verdict)
	}
	return tw.Flush()
}
