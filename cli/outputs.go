package cli

import (
	"context"
	"fmt"
	"strings"

	"litho/artifacts"
	"litho/dag"
	"litho/schemas"
)

// A role is a kind of output the CLI reads (metrics, the report), known
// by its media type, never by a stage kind's or output's name.
type role struct {
	what  string // in messages: "metrics", "report"
	media string
}

var (
	metricsRole = role{"metrics", schemas.MediaMetrics}
	reportRole  = role{"report", schemas.MediaReport}
)

// outputFor names the output of k that plays the role, if any.
func (r role) outputFor(k *dag.Kind) (string, bool) {
	for _, o := range k.Outputs {
		if o.MediaType == r.media {
			return o.Name, true
		}
	}
	return "", false
}

// find returns stage (checking it has such an output) when given, else
// the last stage in run order with one, and the output's name.
func (r role) find(p *dag.Pipeline, stage string) (string, string, error) {
	if stage != "" {
		n, ok := p.Node(stage)
		if !ok {
			return "", "", usagef("no stage named %q; stages: %s", stage, strings.Join(p.NodeNames(), ", "))
		}
		out, ok := r.outputFor(n.Kind)
		if !ok {
			return "", "", usagef("stage %s (%s) has no %s output", stage, n.Kind.Name, r.what)
		}
		return stage, out, nil
	}
	for i := len(p.Nodes) - 1; i >= 0; i-- {
		if out, ok := r.outputFor(p.Nodes[i].Kind); ok {
			return p.Nodes[i].Name, out, nil
		}
	}
	return "", "", usagef("no stage of the pipeline has a %s output", r.what)
}

// currentOutput reads an output of the stage's record for the pipeline
// as it stands (with --set and --data). Unlike `litho show` it does not
// fall back to an older run: a gate must never pass on stale metrics.
func (p *project) currentOutput(ctx context.Context, stage, output string) ([]byte, artifacts.Digest, error) {
	rec, ok, err := p.currentRecord(ctx, stage)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "", usagef("%s has no result for the pipeline as it stands (its parameters, inputs or code changed "+
			"since it last ran): run `litho run` first, or name a past run as run~0", stage)
	}
	o, ok := rec.Outputs[output]
	if !ok {
		return nil, "", fmt.Errorf("the record of %s has no %s output", stage, output)
	}
	if o.MediaType == dag.MediaManifest {
		// Per fold (or seed): one page or file would pick one at random.
		return nil, "", usagef("%s.%s is partitioned (%d partitions, e.g. folds): copy them with `litho export --out DIR %s %s`",
			stage, output, len(o.Parts), stage, output)
	}
	b, err := p.Store.ReadAll(ctx, o.Digest)
	if err != nil {
		return nil, "", fmt.Errorf("%s.%s: %w", stage, output, err)
	}
	return b, o.Digest, nil
}
