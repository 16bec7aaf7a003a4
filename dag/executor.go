package dag

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"

	"litho/artifacts"
)

// Executor runs units of work the runner decided must run, outside this
// process: a worker (`litho exec`) produces each unit from its work spec
// and publishes the unit's record in the shared store, which is how the
// runner learns the outcome. The runner decides everything else (keys,
// records, early cutoff, partitions) as it does without one. Without an
// executor (Runner.Executor nil) units run in-process: the local executor.
type Executor interface {
	// Run returns when every unit of b has finished or failed, one
	// outcome per unit, in order.
	Run(ctx context.Context, b *Batch) []Outcome
}

// Batch is what a run sends out at once: one stage, or those partitions
// of a mapped stage that missed the cache.
type Batch struct {
	Stage     string
	Kind      string
	Spec      artifacts.Digest // the stored WorkSpec
	Units     []WorkUnit
	Resources Resources
	// Published reports whether unit i's record is complete in the store:
	// how an executor tells a unit that finished from one that failed,
	// without asking the scheduler's accounting.
	Published func(ctx context.Context, i int) (bool, error)
}

// Outcome is what the executor knows of one unit: the job that ran it
// last, and why it failed (nil when the job ended without error).
type Outcome struct {
	Job string
	Err error
}

// Resources is what a stage's jobs ask the scheduler for. It is not part
// of any key: where a stage runs does not change what it computes.
type Resources struct {
	CPUs      int    // cores per task
	Mem       string // e.g. "4G"
	Time      string // wall-time limit, e.g. "1:00:00"
	Partition string // the scheduler's partition (queue)
	GPUs      int
	// Batch is how many partitions one array task runs (0: the
	// executor's default): many for partitions that take milliseconds,
	// since every task pays the scheduler's fixed cost.
	Batch int
}

// WorkSpec is a batch as a worker reads it: everything that rebuilds the
// stage instance, so the worker computes each unit's key itself and runs
// only what the runner asked for.
type WorkSpec struct {
	Stage   string `json:"stage"`
	Kind    string `json:"kind"`
	Version string `json:"version"`
	// Params holds every parameter, presentation ones included, by name
	// in its canonical JSON.
	Params   map[string]json.RawMessage `json:"params"`
	Inputs   map[string]OutputRecord    `json:"inputs"`
	Consumed []string                   `json:"consumed,omitempty"`
	Units    []WorkUnit                 `json:"units"`
}

// WorkUnit is one stage run in a spec: the whole stage (no partition) or
// one partition of a mapped stage, with the key the runner computed.
type WorkUnit struct {
	Partition string `json:"partition,omitempty"`
	Key       string `json:"key"`
}

// remote reports whether the stage's misses go to the executor. A
// volatile source fingerprints this host's files and a stage reading
// external files needs those files, so both run here.
func (s *stageRun) remote(inputs map[string]OutputRecord) bool {
	if s.r.Executor == nil || s.plan || s.n.Kind.Volatile {
		return false
	}
	for _, o := range inputs {
		if o.External != "" {
			return false
		}
	}
	return true
}

// dispatched is one unit's result as the store shows it after its job.
type dispatched struct {
	rec *Record
	job string
	err error
}

// dispatch sends units to the executor as one batch and reads back each
// unit's record: a unit without a complete record failed, whatever its
// job said.
func (s *stageRun) dispatch(ctx context.Context, inputs map[string]OutputRecord, units []WorkUnit) []dispatched {
	res := make([]dispatched, len(units))
	spec, err := s.storeSpec(ctx, inputs, units)
	if err != nil {
		for i := range res {
			res[i].err = err
		}
		return res
	}
	// The records the executor found published are kept, so each is
	// read once; the others are looked up once more after the batch.
	var mu sync.Mutex
	found := make([]*Record, len(units))
	b := &Batch{Stage: s.n.Name, Kind: s.n.Kind.Name, Spec: spec, Units: units, Resources: s.n.Resources,
		Published: func(ctx context.Context, i int) (bool, error) {
			rec, full, err := s.r.lookup(ctx, s.n.Kind, units[i].Key)
			if full {
				mu.Lock()
				found[i] = rec
				mu.Unlock()
			}
			return full, err
		}}
	outs := s.r.Executor.Run(ctx, b)
	for i, u := range units {
		res[i].job = outs[i].Job
		rec, full, err := found[i], found[i] != nil, error(nil)
		if rec == nil {
			rec, full, err = s.r.lookup(context.WithoutCancel(ctx), s.n.Kind, u.Key)
		}
		switch {
		case err != nil:
			res[i].err = err
		case full:
			res[i].rec = rec
		case outs[i].Err != nil:
			res[i].err = outs[i].Err
		default:
			res[i].err = fmt.Errorf("job %s ended without publishing a record", outs[i].Job)
		}
	}
	return res
}

// storeSpec stores the work spec of units, content-addressed.
func (s *stageRun) storeSpec(ctx context.Context, inputs map[string]OutputRecord, units []WorkUnit) (artifacts.Digest, error) {
	spec := WorkSpec{Stage: s.n.Name, Kind: s.n.Kind.Name, Version: s.n.Kind.Version, Params: map[string]json.RawMessage{},
		Inputs: inputs, Consumed: slices.Sorted(maps.Keys(s.consumed)), Units: units}
	for _, ps := range s.n.Kind.specs {
		b, err := json.Marshal(ps.get(s.n.Params))
		if err != nil {
			return "", fmt.Errorf("work spec of %s: parameter %s: %w", s.n.Name, ps.Name, err)
		}
		spec.Params[ps.Name] = b
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return "", fmt.Errorf("work spec of %s: %w", s.n.Name, err)
	}
	return s.r.Store.PutBytes(ctx, b)
}
