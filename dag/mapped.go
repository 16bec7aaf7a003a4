package dag

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"litho/artifacts"
)

// partResult is one partition's outcome in a mapped stage.
type partResult struct {
	key      string
	outputs  map[string]OutputRecord
	ran      bool
	miss     bool // no complete record: a run produces it
	wouldRun bool // a plan found no complete record
	err      error
}

// doMapped runs a stage once per partition of its mapped inputs, each
// partition with its own key, so a changed partition reruns alone; then it
// assembles the stage's manifests and record. With an executor the
// partitions that miss the cache go out together, as one batch.
func (s *stageRun) doMapped(ctx context.Context, inputs map[string]OutputRecord, fields KeyFields, key string) nodeResult {
	start := time.Now()
	parts := s.partitions(inputs)
	results := make([]partResult, len(parts))
	remote := s.remote(inputs)
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Go(func() {
			results[i] = s.lookupPartition(ctx, inputs, p)
			if results[i].miss && !remote {
				results[i] = s.producePartition(ctx, inputs, p, results[i].key)
			}
		})
	}
	wg.Wait()
	if remote {
		s.dispatchPartitions(ctx, inputs, parts, results)
	}
	return s.assemble(ctx, fields, key, parts, results, start)
}

// mapped reports whether the stage runs per partition: some mapped input
// is partitioned, or the kind replicates.
func (s *stageRun) mapped(inputs map[string]OutputRecord) bool {
	if len(s.replicates()) > 0 {
		return true
	}
	for slot, o := range inputs {
		if spec, _ := s.n.Kind.Input(slot); spec.Map && o.MediaType == MediaManifest {
			return true
		}
	}
	return false
}

// replicates are the kind's replicate names for the node's parameters.
func (s *stageRun) replicates() []string {
	if s.n.Kind.Replicates == nil {
		return nil
	}
	return s.n.Kind.Replicates(s.n.Params)
}

// partitions are the finest partitions of the mapped inputs (the root
// when none is partitioned), each once per replicate, sorted.
func (s *stageRun) partitions(inputs map[string]OutputRecord) []string {
	names := map[string]bool{}
	partitioned := false
	for slot, o := range inputs {
		if spec, _ := s.n.Kind.Input(slot); spec.Map && o.MediaType == MediaManifest {
			partitioned = true
			for p := range o.Parts {
				names[p] = true
			}
		}
	}
	parts := leafParts(names)
	if !partitioned {
		parts = []string{""}
	}
	reps := s.replicates()
	if len(reps) == 0 {
		return parts
	}
	var out []string
	for _, p := range parts {
		for _, r := range reps {
			out = append(out, JoinPart(p, r))
		}
	}
	slices.Sort(out)
	return out
}

// replicateOf is the replicate a partition runs ("" when the kind has
// none): its last segment.
func (s *stageRun) replicateOf(part string) string {
	if len(s.replicates()) == 0 {
		return ""
	}
	return part[strings.LastIndex(part, PartSep)+1:]
}

// lookupPartition looks one partition's key up: cached, or a miss that
// a run produces (a plan stops there).
func (s *stageRun) lookupPartition(ctx context.Context, inputs map[string]OutputRecord, part string) partResult {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	pk := PartitionFields(s.n, inputs, part).Key()
	if err := ctx.Err(); err != nil {
		return partResult{key: pk, err: err}
	}
	if !s.force {
		rec, full, err := s.r.lookup(ctx, s.n.Kind, pk)
		if err != nil {
			return partResult{key: pk, err: fmt.Errorf("partition %s: %w", part, err)}
		}
		if full {
			s.emitCached(part, pk, rec)
			return partResult{key: pk, outputs: rec.Outputs}
		}
	}
	return partResult{key: pk, wouldRun: s.plan, miss: !s.plan}
}

// producePartition produces and commits one partition in this process.
func (s *stageRun) producePartition(ctx context.Context, inputs map[string]OutputRecord, part, pk string) partResult {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	start := time.Now()
	if err := ctx.Err(); err != nil {
		return partResult{key: pk, err: err}
	}
	rec, shared, err := s.produceOnce(ctx, PartitionFields(s.n, inputs, part), pk, part, resolveInputs(s.n, inputs, part))
	if err != nil {
		s.fail(part, pk, start, err)
		return partResult{key: pk, err: fmt.Errorf("partition %s: %w", part, err)}
	}
	if shared {
		s.emitCached(part, pk, rec)
		return partResult{key: pk, outputs: rec.Outputs}
	}
	s.emitRan(part, pk, "", start, rec)
	return partResult{key: pk, outputs: rec.Outputs, ran: true}
}

// dispatchPartitions sends the partitions that missed to the executor as
// one batch and fills in their results.
func (s *stageRun) dispatchPartitions(ctx context.Context, inputs map[string]OutputRecord, parts []string, results []partResult) {
	var units []WorkUnit
	var idx []int
	for i, pr := range results {
		if pr.miss {
			units = append(units, WorkUnit{Partition: parts[i], Key: pr.key})
			idx = append(idx, i)
		}
	}
	if len(units) == 0 {
		return
	}
	start := time.Now()
	for j, d := range s.dispatch(ctx, inputs, units) {
		i, part, pk := idx[j], units[j].Partition, units[j].Key
		if d.err != nil {
			s.failJob(part, pk, d.job, start, d.err)
			results[i] = partResult{key: pk, err: fmt.Errorf("partition %s: %w", part, d.err)}
			continue
		}
		s.emitRan(part, pk, d.job, start, d.rec)
		results[i] = partResult{key: pk, outputs: d.rec.Outputs, ran: true}
	}
}

// emitRan reports a partition that was produced.
func (s *stageRun) emitRan(part, pk, job string, start time.Time, rec *Record) {
	ev := s.event(part, pk, StatusRan)
	ev.Seconds, ev.Outputs, ev.Summary, ev.Job = time.Since(start).Seconds(), rec.OutputDigests(), rec.Summary, job
	s.emit(ev)
}

// assemble stores the manifests of the partitions' outputs and commits
// the stage-level record that maps partitions to their keys.
func (s *stageRun) assemble(ctx context.Context, fields KeyFields, key string, parts []string, results []partResult, start time.Time) nodeResult {
	var errs []error
	anyRan, pending := false, 0
	partKeys := map[string]string{}
	perOutput := map[string]map[string]artifacts.Digest{}
	for _, spec := range s.n.Kind.Outputs {
		perOutput[spec.Name] = map[string]artifacts.Digest{}
	}
	for i, p := range parts {
		pr := results[i]
		switch {
		case pr.err != nil:
			errs = append(errs, pr.err)
			continue
		case pr.wouldRun:
			pending++
		}
		anyRan = anyRan || pr.ran
		partKeys[p] = pr.key
		for name, o := range pr.outputs {
			perOutput[name][p] = o.Digest
		}
	}
	if err := errors.Join(errs...); err != nil {
		return s.fail("", key, start, err)
	}
	if pending > 0 {
		return s.whyRun(ctx, fields, key, fmt.Sprintf("%d of %d partitions would run", pending, len(parts)))
	}
	outs := map[string]OutputRecord{}
	for _, spec := range s.n.Kind.Outputs {
		o, err := storeManifest(ctx, s.sink(), spec.MediaType, perOutput[spec.Name])
		if err != nil {
			return s.fail("", key, start, err)
		}
		outs[spec.Name] = o
	}
	if s.plan {
		// The run would only record the stage; its outputs are known.
		return nodeResult{key: key, outputs: outs, parts: partKeys, status: StatusWouldRun,
			reason: "every partition is cached; a run only records the stage"}
	}
	rec := &Record{Key: key, Stage: s.n.Name, Fields: fields, Outputs: outs, Host: s.r.Host, Litho: s.r.Version,
		Start: start.UTC(), Seconds: time.Since(start).Seconds(), Partitions: partKeys}
	if err := s.commit(ctx, rec); err != nil {
		return s.fail("", key, start, err)
	}
	// A mapped stage whose partitions were all cached can still have new
	// outputs (a partition disappeared): then it counts as ran.
	status := s.status(outs)
	if !anyRan && status == StatusCutoff {
		status = StatusCached
	}
	ev := s.event("", key, status)
	ev.Seconds, ev.Outputs = time.Since(start).Seconds(), rec.OutputDigests()
	s.emit(ev)
	return nodeResult{key: key, outputs: outs, parts: partKeys, status: status}
}
