package dag

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"sort"
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

// nodeResult is what downstream stages read from a finished stage.
type nodeResult struct {
	outputs map[string]OutputRecord
	key     string
	parts   map[string]string
	status  string
	err     error
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
	nodes, err := Select(p, opts.To)
	if err != nil {
		return nil, err
	}
	for _, f := range opts.Force {
		if _, ok := p.Node(f); !ok {
			return nil, fmt.Errorf("--force %s: no such stage; stages: %v", f, p.NodeNames())
		}
	}
	prev := previousOutputs(ctx, r.Store, nodes)
	jobs := r.Jobs
	if jobs < 1 {
		jobs = 1
	}
	sem := make(chan struct{}, jobs)
	var emitMu sync.Mutex
	emit := func(e Event) {
		emitMu.Lock()
		defer emitMu.Unlock()
		if r.OnEvent != nil {
			r.OnEvent(e)
		}
	}
	results := map[string]*nodeResult{}
	done := map[string]chan struct{}{}
	for _, n := range nodes {
		results[n.Name] = &nodeResult{}
		done[n.Name] = make(chan struct{})
	}
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func(n *Node) {
			defer wg.Done()
			defer close(done[n.Name])
			out := results[n.Name]
			for _, ref := range n.Inputs {
				<-done[ref.Stage]
				if results[ref.Stage].err != nil || results[ref.Stage].status == "" {
					return // upstream failed: this stage is skipped
				}
			}
			sr := &stageRun{r: r, n: n, sem: sem, emit: emit, force: contains(opts.Force, n.Name), prev: prev[n.Name]}
			inputs := map[string]OutputRecord{}
			for slot, ref := range n.Inputs {
				inputs[slot] = results[ref.Stage].outputs[ref.Output]
			}
			*out = sr.do(ctx, inputs)
		}(n)
	}
	wg.Wait()

	res := &Result{}
	log := &RunLog{Time: time.Now().UTC(), Host: r.Host, File: p.File, Stages: map[string]RunStage{}}
	var errs []error
	for _, n := range nodes {
		nr := results[n.Name]
		switch {
		case nr.err != nil:
			errs = append(errs, &StageError{Stage: n.Name, Err: nr.err})
			res.Events = append(res.Events, Event{Stage: n.Name, Kind: n.Kind.Name, Key: nr.key, Status: StatusFailed, Error: nr.err.Error()})
		case nr.status == "":
			res.Skipped = append(res.Skipped, n.Name)
		default:
			res.Events = append(res.Events, Event{Stage: n.Name, Kind: n.Kind.Name, Key: nr.key, Status: nr.status, Outputs: digestMap(nr.outputs)})
			log.Stages[n.Name] = RunStage{Kind: n.Kind.Name, Key: nr.key, Status: nr.status, Outputs: nr.outputs, Partitions: nr.parts}
		}
	}
	if len(log.Stages) > 0 {
		if err := saveRunLog(context.WithoutCancel(ctx), r.Store, log); err != nil {
			errs = append(errs, fmt.Errorf("save run log: %w", err))
		}
	}
	return res, errors.Join(errs...)
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
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

// stageRun executes one stage instance.
type stageRun struct {
	r     *Runner
	n     *Node
	sem   chan struct{}
	emit  func(Event)
	force bool
	prev  map[string]OutputRecord
}

// Fields computes the key fields of n given its inputs' outputs.
func Fields(n *Node, inputs map[string]OutputRecord) KeyFields {
	f := KeyFields{Kind: n.Kind.Name, Version: n.Kind.Version, Params: keyParams(n), Inputs: map[string]artifacts.Digest{}}
	for slot, o := range inputs {
		f.Inputs[slot] = o.Digest
	}
	return f
}

func (s *stageRun) do(ctx context.Context, inputs map[string]OutputRecord) nodeResult {
	fields := Fields(s.n, inputs)
	key := fields.Key()
	st := s.r.Store
	start := time.Now()
	if !s.force && !s.n.Kind.Volatile {
		rec, ok, err := LoadRecord(ctx, st, key)
		if err != nil {
			return s.fail(key, start, err)
		}
		if ok {
			if full, err := complete(ctx, st, rec); err != nil {
				return s.fail(key, start, err)
			} else if full {
				s.emitCachedParts(rec)
				s.emit(Event{Stage: s.n.Name, Kind: s.n.Kind.Name, Key: key, Status: StatusCached, Outputs: rec.OutputDigests()})
				return nodeResult{key: key, outputs: rec.Outputs, parts: rec.Partitions, status: StatusCached}
			}
		}
	}
	if s.n.Kind.Mapped() {
		return s.doMapped(ctx, inputs, fields, key)
	}
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	if err := ctx.Err(); err != nil {
		return s.fail(key, start, err) // cancelled while waiting for a slot
	}
	start = time.Now()
	rec, err := s.execute(ctx, fields, key, "", resolveInputs(s.n, inputs, ""))
	if err != nil {
		return s.fail(key, start, err)
	}
	status := s.status(rec.Outputs)
	s.emit(Event{Stage: s.n.Name, Kind: s.n.Kind.Name, Key: key, Status: status, Seconds: time.Since(start).Seconds(), Outputs: rec.OutputDigests(), Summary: rec.Summary})
	return nodeResult{key: key, outputs: rec.Outputs, status: status}
}

// fail reports a stage failure as an event and as the stage's result.
func (s *stageRun) fail(key string, start time.Time, err error) nodeResult {
	s.emit(Event{Stage: s.n.Name, Kind: s.n.Kind.Name, Key: key, Status: StatusFailed, Seconds: time.Since(start).Seconds(), Error: err.Error()})
	return nodeResult{key: key, err: err}
}

// emitCachedParts reports each partition of a cached mapped stage.
func (s *stageRun) emitCachedParts(rec *Record) {
	parts := make([]string, 0, len(rec.Partitions))
	for p := range rec.Partitions {
		parts = append(parts, p)
	}
	sort.Strings(parts)
	for _, p := range parts {
		outs := map[string]string{}
		for name, o := range rec.Outputs {
			if d, ok := o.Parts[p]; ok {
				outs[name] = string(d)
			}
		}
		s.emit(Event{Stage: s.n.Name, Kind: s.n.Kind.Name, Partition: p, Key: rec.Partitions[p], Status: StatusCached, Outputs: outs})
	}
}

// status is cutoff when every output equals the previous run's.
func (s *stageRun) status(outs map[string]OutputRecord) string {
	if s.prev == nil || len(s.prev) != len(outs) {
		return StatusRan
	}
	for name, o := range outs {
		if p, ok := s.prev[name]; !ok || p.Digest != o.Digest {
			return StatusRan
		}
	}
	return StatusCutoff
}

// resolveInputs turns upstream outputs into what Exec reads. In a mapped
// run (part != ""), mapped inputs resolve to that partition.
func resolveInputs(n *Node, inputs map[string]OutputRecord, part string) map[string]resolvedInput {
	out := map[string]resolvedInput{}
	for slot, o := range inputs {
		spec, _ := n.Kind.Input(slot)
		switch {
		case part != "" && spec.Map:
			out[slot] = resolvedInput{Digest: o.Parts[part], Size: -1}
		case o.MediaType == MediaManifest:
			out[slot] = resolvedInput{Digest: o.Digest, Size: -1, Manifest: &Manifest{Parts: o.Parts}}
		default:
			out[slot] = resolvedInput{Digest: o.Digest, Size: o.Size, External: o.External}
		}
	}
	return out
}

// execute runs the kind once (whole stage or one partition), stores its
// outputs and then, as the commit point, its record.
func (s *stageRun) execute(ctx context.Context, fields KeyFields, key, part string, inputs map[string]resolvedInput) (*Record, error) {
	tmp, err := newTempDir(s.r.TempBase)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	logger := s.r.log().With("stage", s.n.Name)
	if part != "" {
		logger = logger.With("partition", part)
	}
	x := &Exec{Stage: s.n.Name, Kind: s.n.Kind, Partition: part, params: s.n.Params, inputs: inputs,
		store: s.r.Store, log: logger, tmpDir: tmp, fps: s.r.Fingerprints, progress: s.r.Progress,
		outputs: map[string]*outputValue{}, notes: map[string]string{}}
	start := time.Now()
	if err := runKind(ctx, s.n.Kind, x); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	outs, err := s.collect(ctx, x, part)
	if err != nil {
		return nil, err
	}
	rec := &Record{Key: key, Stage: s.n.Name, Fields: fields, Outputs: outs, Notes: x.notes, Summary: x.summary,
		Host: s.r.Host, Litho: s.r.Version, Start: start.UTC(), Seconds: time.Since(start).Seconds(), Partition: part}
	if err := saveRecord(ctx, s.r.Store, rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// runKind calls the kind's Run, turning a panic into an error so one
// broken stage cannot take the process (and other stages' cleanup) down.
func runKind(ctx context.Context, k *Kind, x *Exec) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error in %s: %v", k.Name, p)
		}
	}()
	return k.Run(ctx, x)
}

// collect checks that every declared output was produced and stores the
// manifests of partitioned ones.
func (s *stageRun) collect(ctx context.Context, x *Exec, part string) (map[string]OutputRecord, error) {
	outs := map[string]OutputRecord{}
	for _, spec := range s.n.Kind.Outputs {
		ov := x.outputs[spec.Name]
		switch {
		case part != "":
			if ov == nil || ov.parts[part] == "" {
				continue // this partition produced nothing for the output
			}
			outs[spec.Name] = OutputRecord{Digest: ov.parts[part], MediaType: spec.MediaType}
		case spec.Partitioned:
			parts := map[string]artifacts.Digest{}
			if ov != nil {
				parts = ov.parts
			}
			o, err := storeManifest(ctx, s.r.Store, spec.MediaType, parts)
			if err != nil {
				return nil, err
			}
			outs[spec.Name] = o
		default:
			if ov == nil || (ov.digest == "") {
				return nil, fmt.Errorf("%s produced no output %q", s.n.Kind.Name, spec.Name)
			}
			outs[spec.Name] = OutputRecord{Digest: ov.digest, MediaType: spec.MediaType, Size: ov.size, External: ov.external}
		}
	}
	return outs, nil
}

func storeManifest(ctx context.Context, st *artifacts.Store, media string, parts map[string]artifacts.Digest) (OutputRecord, error) {
	m := Manifest{MediaType: media, Parts: parts}
	if m.Parts == nil {
		m.Parts = map[string]artifacts.Digest{}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return OutputRecord{}, err
	}
	d, err := st.PutBytes(ctx, b)
	if err != nil {
		return OutputRecord{}, err
	}
	return OutputRecord{Digest: d, MediaType: MediaManifest, Size: int64(len(b)), Parts: maps.Clone(m.Parts)}, nil
}

// MediaManifest is the media type of a partition manifest.
const MediaManifest = "application/vnd.litho.manifest+json"

// doMapped runs a stage once per partition of its mapped inputs, each
// partition with its own key, so a changed partition reruns alone.
func (s *stageRun) doMapped(ctx context.Context, inputs map[string]OutputRecord, fields KeyFields, key string) nodeResult {
	names := map[string]bool{}
	for slot, o := range inputs {
		if spec, _ := s.n.Kind.Input(slot); spec.Map {
			for p := range o.Parts {
				names[p] = true
			}
		}
	}
	parts := make([]string, 0, len(names))
	for p := range names {
		parts = append(parts, p)
	}
	sort.Strings(parts)

	start := time.Now()
	type partOut struct {
		key     string
		outputs map[string]OutputRecord
		ran     bool
		err     error
	}
	results := make([]partOut, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.sem <- struct{}{}
			defer func() { <-s.sem }()
			pf := fields
			pf.Partition = p
			pf.Inputs = map[string]artifacts.Digest{}
			for slot, o := range inputs {
				if spec, _ := s.n.Kind.Input(slot); spec.Map {
					if d := o.Parts[p]; d != "" {
						pf.Inputs[slot] = d
					}
				} else {
					pf.Inputs[slot] = o.Digest
				}
			}
			pk := pf.Key()
			results[i].key = pk
			if ctx.Err() != nil {
				results[i].err = ctx.Err()
				return
			}
			if !s.force {
				rec, ok, err := LoadRecord(ctx, s.r.Store, pk)
				if err != nil {
					results[i].err = err
					return
				}
				if ok {
					if full, _ := complete(ctx, s.r.Store, rec); full {
						results[i].outputs = rec.Outputs
						s.emit(Event{Stage: s.n.Name, Kind: s.n.Kind.Name, Partition: p, Key: pk, Status: StatusCached, Outputs: rec.OutputDigests()})
						return
					}
				}
			}
			t0 := time.Now()
			rec, err := s.execute(ctx, pf, pk, p, resolveInputs(s.n, inputs, p))
			secs := time.Since(t0).Seconds()
			if err != nil {
				results[i].err = fmt.Errorf("partition %s: %w", p, err)
				s.emit(Event{Stage: s.n.Name, Kind: s.n.Kind.Name, Partition: p, Key: pk, Status: StatusFailed, Seconds: secs, Error: err.Error()})
				return
			}
			results[i].outputs, results[i].ran = rec.Outputs, true
			s.emit(Event{Stage: s.n.Name, Kind: s.n.Kind.Name, Partition: p, Key: pk, Status: StatusRan, Seconds: secs, Outputs: rec.OutputDigests(), Summary: rec.Summary})
		}()
	}
	wg.Wait()

	var errs []error
	anyRan := false
	partKeys := map[string]string{}
	perOutput := map[string]map[string]artifacts.Digest{}
	for _, spec := range s.n.Kind.Outputs {
		perOutput[spec.Name] = map[string]artifacts.Digest{}
	}
	for i, p := range parts {
		pr := results[i]
		if pr.err != nil {
			errs = append(errs, pr.err)
			continue
		}
		anyRan = anyRan || pr.ran
		partKeys[p] = pr.key
		for name, o := range pr.outputs {
			perOutput[name][p] = o.Digest
		}
	}
	if err := errors.Join(errs...); err != nil {
		return s.fail(key, start, err)
	}
	outs := map[string]OutputRecord{}
	for _, spec := range s.n.Kind.Outputs {
		o, err := storeManifest(ctx, s.r.Store, spec.MediaType, perOutput[spec.Name])
		if err != nil {
			return s.fail(key, start, err)
		}
		outs[spec.Name] = o
	}
	rec := &Record{Key: key, Stage: s.n.Name, Fields: fields, Outputs: outs, Host: s.r.Host, Litho: s.r.Version,
		Start: start.UTC(), Seconds: time.Since(start).Seconds(), Partitions: partKeys}
	if err := saveRecord(ctx, s.r.Store, rec); err != nil {
		return s.fail(key, start, err)
	}
	// A mapped stage whose partitions were all cached can still have new
	// outputs (a partition disappeared): then it counts as ran.
	status := s.status(outs)
	if !anyRan && status == StatusCutoff {
		status = StatusCached
	}
	s.emit(Event{Stage: s.n.Name, Kind: s.n.Kind.Name, Key: key, Status: status, Seconds: time.Since(start).Seconds(), Outputs: rec.OutputDigests()})
	return nodeResult{key: key, outputs: outs, parts: partKeys, status: status}
}
