package cli

import (
	"context"

	"litho/dag"
)

// currentRecord is the record of stage for the pipeline as it stands
// (with --set and --data); ok is false when it has none.
func (p *project) currentRecord(ctx context.Context, stage string) (rec *dag.Record, ok bool, err error) {
	plan, err := p.runner(1).Plan(ctx, p.Pipeline, dag.Options{To: stage})
	if err != nil {
		return nil, false, err
	}
	if last := plan[len(plan)-1]; last.Status == dag.StatusCached {
		rec, ok, err = dag.LoadRecord(ctx, p.Store, last.Key, p.Log)
		if err != nil {
			return nil, false, storeError{err}
		}
	}
	return rec, ok, nil
}

// stageRecord finds the record of a stage as the pipeline stands now, or
// else from the most recent run that ran it.
func (p *project) stageRecord(ctx context.Context, stage string) (*dag.Record, error) {
	if rec, ok, err := p.currentRecord(ctx, stage); ok || err != nil {
		return rec, err
	}
	logs, err := dag.RecentRuns(ctx, p.Store, 200)
	if err != nil {
		return nil, err
	}
	for _, l := range logs {
		if s, ok := l.Stages[stage]; ok {
			rec, ok, err := dag.LoadRecord(ctx, p.Store, s.Key, p.Log)
			if err != nil {
				return nil, err
			}
			if ok {
				p.Log.Warn("stage is not up to date for the pipeline as it stands; using its most recent run (litho status says why)",
					"stage", stage, "key", rec.Key[:12], "ran", rec.Start.Format("2006-01-02 15:04:05Z"))
				return rec, nil
			}
		}
	}
	return nil, usagef("stage %s has not run yet; run `litho run --to %s`", stage, stage)
}
