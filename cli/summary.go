package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"litho/artifacts"
	"litho/dag"
	"litho/stages/evaluate"
)

// afterRun ends a readable run with what it means: for every stage with
// metrics that finished, ARI and silhouette per method and k, the best of
// each, and where its HTML report is.
func (e *Env) afterRun(c *cli.Context, p *project, res *dag.Result) {
	for _, ev := range res.Events {
		n, ok := p.Pipeline.Node(ev.Stage)
		if !ok || ev.Status == dag.StatusFailed {
			continue
		}
		metrics, ok := metricsRole.outputFor(n.Kind)
		if !ok {
			continue
		}
		if err := e.printEvaluation(c.Context, p, ev, metrics); err != nil {
			p.Log.Warn("cannot summarise evaluation", "stage", ev.Stage, "err", err)
			continue
		}
		if report, ok := reportRole.outputFor(n.Kind); ok {
			e.printReportPath(p, artifacts.Digest(ev.Outputs[report]))
		}
	}
}

func (e *Env) printEvaluation(ctx context.Context, p *project, ev dag.Event, output string) error {
	b, err := p.Store.ReadAll(ctx, artifacts.Digest(ev.Outputs[output]))
	if err != nil {
		return err
	}
	if s, err := evaluate.ParseSummary(b); err == nil {
		fmt.Fprintf(e.Stdout, "\n%s: agreement with the described lithology over %s\n", ev.Stage, s.Shape())
		return writeSpread(e.Stdout, onlyScores(s))
	}
	var man dag.Manifest
	if json.Unmarshal(b, &man) == nil && man.Parts != nil {
		return nil // per fold: the summarise stage speaks for them
	}
	m, err := evaluate.ParseMetrics(b)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "\n%s: agreement with the described lithology (%s split)\n", ev.Stage, m.Split)
	return WriteScoreTable(e.Stdout, m)
}

// printReportPath says where the run's report lies, as a file:// URL of
// its blob in the local store: absolute, so a terminal or a browser opens
// it from any directory, and a store path, so it stays the run's exact
// bytes rather than a copy that a later run could leave stale.
func (e *Env) printReportPath(p *project, report artifacts.Digest) {
	fmt.Fprintf(e.Stdout, "report: %s (copy it with `litho report --out report.html`)\n",
		fileURL(p.Local.Path(artifacts.Blobs, string(report))))
}

// fileURL turns a path into a file:// URL, escaping what a URL must.
func fileURL(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// onlyScores keeps a summary's ARI and silhouette lines: the run's
// closing table, not every count.
func onlyScores(s *evaluate.Summary) *evaluate.Summary {
	out := *s
	out.Stats = map[string]evaluate.Stat{}
	for k, st := range s.Stats {
		if strings.HasSuffix(k, ".ari") || strings.HasSuffix(k, ".silhouette") {
			out.Stats[k] = st
		}
	}
	return &out
}
