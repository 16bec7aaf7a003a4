package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"litho/artifacts"
	"litho/dag"
	"litho/stages/evaluate"
)

// afterRun ends a readable run with what it means: for every evaluate
// stage that finished, ARI and silhouette per method and k, the best of
// each, and where the HTML report is.
func (e *Env) afterRun(c *cli.Context, p *project, res *dag.Result) {
	for _, ev := range res.Events {
		if ev.Kind != "evaluate" || ev.Status == dag.StatusFailed {
			continue
		}
		if err := e.printEvaluation(c.Context, p, ev); err != nil {
			p.Log.Warn("cannot summarise evaluation", "stage", ev.Stage, "err", err)
		}
	}
}

func (e *Env) printEvaluation(ctx context.Context, p *project, ev dag.Event) error {
	b, err := p.Store.ReadAll(ctx, artifacts.Digest(ev.Outputs["metrics"]))
	if err != nil {
		return err
	}
	m, err := evaluate.ParseMetrics(b)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "\n%s: agreement with the described lithology (%s split)\n", ev.Stage, m.Split)
	if err := WriteScoreTable(e.Stdout, m); err != nil {
		return err
	}
	report := artifacts.Digest(ev.Outputs["report"])
	path := p.Local.Path(artifacts.Blobs, string(report))
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, path); err == nil {
			path = rel
		}
	}
	fmt.Fprintf(e.Stdout, "report: %s (copy it with `litho report --out report.html`)\n", path)
	return nil
}
