package dag

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"litho/artifacts"
)

// Statuses reported per stage and partition.
const (
	StatusRan    = "ran"    // executed; outputs differ from the previous run's
	StatusCached = "cached" // a record for the key exists; nothing executed
	StatusCutoff = "cutoff" // executed, outputs equal the previous run's: downstream stays cached
	StatusFailed = "failed"
	// StatusWouldRun is a plan's word for a stage a run would execute.
	StatusWouldRun = "run"
)

// Event is one stage's (or one partition's) outcome.
type Event struct {
	Stage     string            `json:"stage"`
	Kind      string            `json:"kind"`
	Partition string            `json:"partition,omitempty"`
	Key       string            `json:"key"`
	Status    string            `json:"status"`
	Seconds   float64           `json:"seconds"`
	Outputs   map[string]string `json:"outputs"`
	Summary   []string          `json:"summary,omitempty"`
	Error     string            `json:"error,omitempty"`
	// Job is the scheduler's job that ran it, when an executor did.
	Job string `json:"job,omitempty"`
}

// Runner executes pipelines against a store.
type Runner struct {
	Store        *artifacts.Store
	Fingerprints *artifacts.Fingerprinter
	Jobs         int
	Log          *slog.Logger
	Progress     ProgressFactory
	// OnEvent receives every stage and partition outcome, one at a time.
	OnEvent func(Event)
	Host    string
	Version string
	// TempBase holds stage scratch directories; it should be on the
	// store's filesystem so outputs can be renamed into place.
	TempBase string
	// Executor runs the stages that miss the cache elsewhere (a Slurm
	// cluster); nil runs them in this process.
	Executor Executor
	// Notes go into every record this runner commits beside the stage's
	// own (a worker's Slurm job); they are provenance, never part of a key.
	Notes map[string]string
}

// Options select what a run does.
type Options struct {
	To    string   // run only this stage and its ancestors
	Force []string // rerun these stages even when cached
}

// Result summarises a run.
type Result struct {
	Events []Event // stage-level, in pipeline order
	// Skipped lists stages not run because an upstream stage failed.
	Skipped []string
}

// Executed counts stages that ran (ran or cutoff), partitions included.
func (r *Result) Executed() int {
	n := 0
	for _, e := range r.Events {
		if e.Status == StatusRan || e.Status == StatusCutoff {
			n++
		}
	}
	return n
}

// StageError is a failed stage.
type StageError struct {
	Stage string
	Err   error
}

func (e *StageError) Error() string { return fmt.Sprintf("stage %s: %v", e.Stage, e.Err) }
func (e *StageError) Unwrap() error { return e.Err }

// nodeResult is what downstream stages read from a finished stage, and
// what a plan reports of it.
type nodeResult struct {
	outputs map[string]OutputRecord
	key     string
	parts   map[string]string
	status  string // empty: skipped
	err     error
	// Set by a plan: why the stage is cached or would run, and against
	// which earlier record its key fields differ.
	reason  string
	diffs   []FieldDiff
	nearest string
}

// maxRecoveries bounds how many corrupt artifacts one run recomputes.
const maxRecoveries = 8

// Run executes the pipeline. Stages whose key has a complete record are
// cached; the rest run, independent ones concurrently. A corrupted
// artifact found while reading has been removed by the store; the run
// then starts over, so the stage that made it recomputes it.
func (r *Runner) Run(ctx context.Context, p *Pipeline, opts Options) (*Result, error) {
	seen := map[artifacts.Digest]bool{}
	for {
		res, err := r.runOnce(ctx, p, opts)
		var ce *artifacts.CorruptError
		if err == nil || !errors.As(err, &ce) || ctx.Err() != nil || seen[ce.Digest] || len(seen) >= maxRecoveries {
			return res, err
		}
		seen[ce.Digest] = true
		r.log().Warn("corrupt artifact removed; recomputing", "digest", ce.Digest.Short())
		// Forced stages already reran in the first attempt; their records
		// now make them cached.
		opts.Force = nil
	}
}

func (r *Runner) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// Select returns the nodes a run with opts covers, in order.
func Select(p *Pipeline, to string) ([]*Node, error) {
	if to == "" {
		return p.Nodes, nil
	}
	target, ok := p.Node(to)
	if !ok {
		return nil, fmt.Errorf("no stage named %q; stages: %v", to, p.NodeNames())
	}
	need := map[string]bool{}
	var mark func(n *Node)
	mark = func(n *Node) {
		if need[n.Name] {
			return
		}
		need[n.Name] = true
		for _, ref := range n.Inputs {
			up, _ := p.Node(ref.Stage)
			mark(up)
		}
	}
	mark(target)
	var out []*Node
	for _, n := range p.Nodes {
		if need[n.Name] {
			out = append(out, n)
		}
	}
	return out, nil
}

func (r *Runner) runOnce(ctx context.Context, p *Pipeline, opts Options) (*Result, error) {
	nodes, err := r.selectNodes(p, opts)
	if err != nil {
		return nil, err
	}
	results := r.walk(ctx, p, nodes, opts, false)
	res := &Result{}
	log := &RunLog{Time: time.Now().UTC(), Host: r.Host, File: p.File, Stages: map[string]RunStage{}}
	var errs []error
	for _, n := range nodes {
		nr := results[n.Name]
		ev := Event{Stage: n.Name, Kind: n.Kind.Name, Key: nr.key, Status: nr.status}
		switch {
		case nr.err != nil:
			errs = append(errs, &StageError{Stage: n.Name, Err: nr.err})
			ev.Status, ev.Error = StatusFailed, nr.err.Error()
		case nr.status == "":
			res.Skipped = append(res.Skipped, n.Name)
			continue
		default:
			ev.Outputs = digestMap(nr.outputs)
			log.Stages[n.Name] = RunStage{Kind: n.Kind.Name, Key: nr.key, Status: nr.status, Outputs: nr.outputs, Partitions: nr.parts}
		}
		res.Events = append(res.Events, ev)
	}
	if len(log.Stages) > 0 {
		if err := saveRunLog(context.WithoutCancel(ctx), r.Store, log); err != nil {
			errs = append(errs, fmt.Errorf("save run log: %w", err))
		}
	}
	return res, errors.Join(errs...)
}

// selectNodes is Select with opts.Force checked against the pipeline.
func (r *Runner) selectNodes(p *Pipeline, opts Options) ([]*Node, error) {
	nodes, err := Select(p, opts.To)
	if err != nil {
		return nil, err
	}
	for _, f := range opts.Force {
		if _, ok := p.Node(f); !ok {
			return nil, fmt.Errorf("--force %s: no such stage; stages: %v", f, p.NodeNames())
		}
	}
	return nodes, nil
}

// walk is the one traversal of runs and plans: each node starts when its
// inputs' nodes have finished, independent ones concurrently, at most
// r.Jobs stages or partitions producing at once. A node whose upstream
// failed or was skipped is skipped (empty status). A plan walks the same
// way with committing suppressed.
func (r *Runner) walk(ctx context.Context, p *Pipeline, nodes []*Node, opts Options, plan bool) map[string]*nodeResult {
	consumed := p.consumed()
	var prev map[string]map[string]OutputRecord
	emit := func(Event) {}
	if !plan {
		prev = previousOutputs(ctx, r.Store, nodes)
		emit = r.emitter()
	}
	sem := make(chan struct{}, max(1, r.Jobs))
	fl := &flights{}
	results := map[string]*nodeResult{}
	done := map[string]chan struct{}{}
	for _, n := range nodes {
		results[n.Name] = &nodeResult{}
		done[n.Name] = make(chan struct{})
	}
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Go(func() {
			defer close(done[n.Name])
			up := map[string]*nodeResult{}
			for _, ref := range n.Inputs {
				<-done[ref.Stage]
				if ur := results[ref.Stage]; ur.err != nil || ur.status == "" {
					return // upstream failed: this stage is skipped
				}
				up[ref.Stage] = results[ref.Stage]
			}
			sr := &stageRun{r: r, n: n, sem: sem, emit: emit, force: slices.Contains(opts.Force, n.Name), plan: plan, prev: prev[n.Name], consumed: consumed[n.Name], flights: fl}
			*results[n.Name] = sr.do(ctx, up)
		})
	}
	wg.Wait()
	return results
}

// emitter serialises calls of OnEvent.
func (r *Runner) emitter() func(Event) {
	var mu sync.Mutex
	return func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if r.OnEvent != nil {
			r.OnEvent(e)
		}
	}
}

func digestMap(outs map[string]OutputRecord) map[string]string {
	m := map[string]string{}
	for name, o := range outs {
		m[name] = string(o.Digest)
	}
	return m
}

// previousOutputs finds each stage's outputs in the most recent run that
// produced them, to tell a rerun with equal outputs (cutoff) from one
// that changed something (ran).
func previousOutputs(ctx context.Context, st *artifacts.Store, nodes []*Node) map[string]map[string]OutputRecord {
	out := map[string]map[string]OutputRecord{}
	logs, err := RecentRuns(ctx, st, 20)
	if err != nil {
		return out
	}
	for _, n := range nodes {
		for _, l := range logs {
			if s, ok := l.Stages[n.Name]; ok && s.Kind == n.Kind.Name {
				out[n.Name] = s.Outputs
				break
			}
		}
	}
	return out
}
