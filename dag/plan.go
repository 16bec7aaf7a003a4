package dag

import (
	"context"
	"fmt"
	"slices"
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

// Plan reports what a run would do: the run's walk with producing
// suppressed, except for volatile sources (which only fingerprint files,
// into no store) and committing suppressed entirely. It writes nothing.
func (r *Runner) Plan(ctx context.Context, p *Pipeline, opts Options) ([]PlanEntry, error) {
	nodes, err := r.selectNodes(p, opts)
	if err != nil {
		return nil, err
	}
	results := r.walk(ctx, p, nodes, opts, true)
	out := make([]PlanEntry, 0, len(nodes))
	for _, n := range nodes {
		nr := results[n.Name]
		if nr.err != nil {
			return nil, &StageError{Stage: n.Name, Err: nr.err}
		}
		out = append(out, PlanEntry{Stage: n.Name, Kind: n.Kind.Name, Key: nr.key, Status: nr.status,
			Reason: nr.reason, Diffs: nr.diffs, Nearest: nr.nearest})
	}
	return out, nil
}

// CurrentKeys are the keys of the stages of p that are cached now, as a
// run would find them.
func (r *Runner) CurrentKeys(ctx context.Context, p *Pipeline) ([]string, error) {
	plan, err := r.Plan(ctx, p, Options{})
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, e := range plan {
		if e.Key != "" {
			keys = append(keys, e.Key)
		}
	}
	return keys, nil
}

// wouldRun is a plan's result for a stage a run would execute.
func wouldRun(key, reason string) nodeResult {
	return nodeResult{key: key, status: StatusWouldRun, reason: reason}
}

// waiting lists, in a plan, the upstream stages that would run first and
// whose outputs are therefore not known, so neither is this stage's key.
func (s *stageRun) waiting(up map[string]*nodeResult) []string {
	var out []string
	for _, ref := range s.n.Inputs {
		if up[ref.Stage].outputs == nil && !slices.Contains(out, ref.Stage) {
			out = append(out, ref.Stage)
		}
	}
	slices.Sort(out)
	return out
}

func upstreamReason(waiting []string) string {
	return fmt.Sprintf("upstream %s will run first; if its outputs change, this stage reruns", strings.Join(waiting, ", "))
}

// whyRun is a plan's result for a stage whose key has no complete record:
// how its key fields differ from the nearest earlier record's.
func (s *stageRun) whyRun(ctx context.Context, fields KeyFields, key, detail string) nodeResult {
	near, diffs, err := s.r.Nearest(ctx, s.n, fields)
	if err != nil {
		return nodeResult{key: key, err: err}
	}
	res := wouldRun(key, "no earlier run of this stage")
	if near != nil {
		res.nearest, res.diffs, res.reason = near.Key, diffs, describeDiffs(diffs)
	}
	if detail != "" {
		res.reason += " (" + detail + ")"
	}
	return res
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
		rec, ok, err := LoadRecord(ctx, r.Store, s.Key, r.log())
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
