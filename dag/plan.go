package dag

import (
	"context"
	"fmt"
	"strings"
)

// PlanEntry says whether a stage is up to date and, if not, why it would run.
type PlanEntry struct {
	Stage  string      `json:"stage"`
	Kind   string      `json:"kind"`
	Key    string      `json:"key,omitempty"` // empty while an upstream stage must run first
	Status string      `json:"status"`        // "cached" or "run"
	Reason string      `json:"reason"`
	Diffs  []FieldDiff `json:"diffs,omitempty"`
	// Nearest is the key of the closest earlier record of this stage.
	Nearest string `json:"nearest,omitempty"`
}

// Plan reports, without running anything but volatile source stages
// (which only fingerprint files), what a run would do.
func (r *Runner) Plan(ctx context.Context, p *Pipeline, opts Options) ([]PlanEntry, error) {
	nodes, err := Select(p, opts.To)
	if err != nil {
		return nil, err
	}
	known := map[string]map[string]OutputRecord{}
	var out []PlanEntry
	for _, n := range nodes {
		e := PlanEntry{Stage: n.Name, Kind: n.Kind.Name, Status: "run"}
		inputs := map[string]OutputRecord{}
		var waiting []string
		for slot, ref := range n.Inputs {
			outs, ok := known[ref.Stage]
			if !ok {
				waiting = appendUnique(waiting, ref.Stage)
				continue
			}
			inputs[slot] = outs[ref.Output]
		}
		if len(waiting) > 0 {
			e.Reason = fmt.Sprintf("upstream %s will run first; if its outputs change, this stage reruns", strings.Join(waiting, ", "))
			out = append(out, e)
			continue
		}
		fields := Fields(n, inputs)
		e.Key = fields.Key()
		switch {
		case n.Kind.Volatile:
			sr := &stageRun{r: r, n: n}
			rec, err := sr.execute(ctx, fields, e.Key, "", resolveInputs(n, inputs, ""))
			if err != nil {
				return nil, &StageError{Stage: n.Name, Err: err}
			}
			known[n.Name] = rec.Outputs
			e.Status, e.Reason = "cached", "input files fingerprinted; they decide what runs downstream"
		case contains(opts.Force, n.Name):
			e.Reason = "forced with --force"
		default:
			rec, ok, err := LoadRecord(ctx, r.Store, e.Key)
			if err != nil {
				return nil, err
			}
			if ok {
				if full, err := complete(ctx, r.Store, rec); err != nil {
					return nil, err
				} else if full {
					known[n.Name] = rec.Outputs
					e.Status, e.Reason = "cached", "a record for this key exists"
					break
				}
				e.Reason = "its record exists but some outputs are missing from the store"
				break
			}
			near, diffs, err := r.Nearest(ctx, n, fields)
			if err != nil {
				return nil, err
			}
			if near == nil {
				e.Reason = "no earlier run of this stage"
				break
			}
			e.Nearest, e.Diffs = near.Key, diffs
			e.Reason = describeDiffs(diffs)
		}
		out = append(out, e)
	}
	return out, nil
}

func appendUnique(s []string, v string) []string {
	if contains(s, v) {
		return s
	}
	return append(s, v)
}

func describeDiffs(diffs []FieldDiff) string {
	if len(diffs) == 0 {
		return "same key fields as an earlier run, but its record is gone"
	}
	parts := make([]string, len(diffs))
	for i, d := range diffs {
		parts[i] = fmt.Sprintf("%s %s → %s", d.Field, d.Was, d.Now)
	}
	return "changed: " + strings.Join(parts, "; ")
}

// Nearest finds the earlier record of stage n whose key fields differ
// least from fields, among the records of recent runs.
func (r *Runner) Nearest(ctx context.Context, n *Node, fields KeyFields) (*Record, []FieldDiff, error) {
	logs, err := RecentRuns(ctx, r.Store, 200)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	var best *Record
	var bestDiffs []FieldDiff
	for _, l := range logs {
		s, ok := l.Stages[n.Name]
		if !ok || seen[s.Key] {
			continue
		}
		seen[s.Key] = true
		rec, ok, err := LoadRecord(ctx, r.Store, s.Key)
		if err != nil || !ok {
			continue
		}
		d := Diff(rec.Fields, fields)
		if best == nil || len(d) < len(bestDiffs) {
			best, bestDiffs = rec, d
		}
	}
	return best, bestDiffs, nil
}
