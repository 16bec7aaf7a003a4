package dag

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"time"

	"litho/artifacts"
)

// stageRun is one stage instance's part of a walk: it looks its key up
// and, on a miss, produces its outputs and commits its record. In a plan
// it produces only what decides downstream keys (volatile sources), into
// a sink that hashes and keeps nothing, and commits nothing.
type stageRun struct {
	r     *Runner
	n     *Node
	sem   chan struct{}
	emit  func(Event)
	force bool
	plan  bool
	prev  map[string]OutputRecord
	// consumed are this stage's outputs that some stage reads.
	consumed map[string]bool
	flights  *flights // the walk's, shared by every stage
}

// blobSink takes a stage's output bytes and names them by digest.
type blobSink interface {
	PutBytes(ctx context.Context, b []byte) (artifacts.Digest, error)
	PutFile(ctx context.Context, path string) (artifacts.Digest, int64, error)
}

// digestSink names blobs without storing them: what a plan produces.
type digestSink struct{}

func (digestSink) PutBytes(_ context.Context, b []byte) (artifacts.Digest, error) {
	return artifacts.DigestBytes(b), nil
}

func (digestSink) PutFile(_ context.Context, path string) (artifacts.Digest, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	return artifacts.DigestReader(f)
}

func (s *stageRun) sink() blobSink {
	if s.plan {
		return digestSink{}
	}
	return s.r.Store
}

// event is the stage's (or one partition's) outcome with its identity
// filled in; callers add what they know.
func (s *stageRun) event(part, key string, status string) Event {
	return Event{Stage: s.n.Name, Kind: s.n.Kind.Name, Partition: part, Key: key, Status: status}
}

// do runs the stage: cached when a complete record exists, else produced
// (per partition for a mapped kind) and committed.
func (s *stageRun) do(ctx context.Context, up map[string]*nodeResult) nodeResult {
	if waiting := s.waiting(up); len(waiting) > 0 {
		return wouldRun("", upstreamReason(waiting))
	}
	inputs := map[string]OutputRecord{}
	for slot, ref := range s.n.Inputs {
		inputs[slot] = up[ref.Stage].outputs[ref.Output]
	}
	fields := Fields(s.n, inputs)
	key := fields.Key()
	if s.n.Kind.Volatile {
		return s.produceWhole(ctx, inputs, fields, key)
	}
	if s.force {
		if s.plan {
			return wouldRun(key, "forced with --force")
		}
	} else if res, done := s.cached(ctx, key); done {
		return res
	}
	if s.mapped(inputs) {
		return s.doMapped(ctx, inputs, fields, key)
	}
	if s.plan {
		return s.whyRun(ctx, fields, key, "")
	}
	return s.produceWhole(ctx, inputs, fields, key)
}

// cached returns the stage's result when a complete record exists; done
// is also true when the lookup failed. In a plan an incomplete record is
// the reason to run.
func (s *stageRun) cached(ctx context.Context, key string) (nodeResult, bool) {
	rec, full, err := s.r.lookup(ctx, s.n.Kind, key)
	switch {
	case err != nil:
		return s.fail("", key, time.Now(), err), true
	case full:
		s.emitCachedParts(rec)
		s.emitCached("", key, rec)
		return nodeResult{key: key, outputs: rec.Outputs, parts: rec.Partitions, status: StatusCached,
			reason: "a record for this key exists"}, true
	case rec != nil && s.plan:
		return wouldRun(key, "its record exists but some outputs are missing from the store"), true
	}
	return nodeResult{}, false
}

// produceWhole runs an unmapped stage once, commits its record (not in a
// plan) and reports it. Sent to an executor it takes no local slot: the
// cluster schedules it.
func (s *stageRun) produceWhole(ctx context.Context, inputs map[string]OutputRecord, fields KeyFields, key string) nodeResult {
	if s.remote(inputs) {
		start, job := time.Now(), ""
		rec, shared, err := s.flights.do(ctx, key, func() (*Record, error) {
			d := s.dispatch(ctx, inputs, []WorkUnit{{Key: key}})[0]
			job = d.job
			return d.rec, d.err
		})
		return s.finishWhole(key, job, start, rec, shared, err)
	}
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	start := time.Now()
	if err := ctx.Err(); err != nil {
		return s.fail("", key, start, err) // cancelled while waiting for a slot
	}
	if s.plan {
		rec, err := s.produce(ctx, fields, key, "", resolveInputs(s.n, inputs, ""))
		if err != nil {
			return s.fail("", key, start, err)
		}
		return nodeResult{key: key, outputs: rec.Outputs, status: StatusCached,
			reason: "input files fingerprinted; they decide what runs downstream"}
	}
	rec, shared, err := s.produceOnce(ctx, fields, key, "", resolveInputs(s.n, inputs, ""))
	return s.finishWhole(key, "", start, rec, shared, err)
}

// finishWhole reports an unmapped stage's outcome: cached when another
// instance with its key produced it (shared).
func (s *stageRun) finishWhole(key, job string, start time.Time, rec *Record, shared bool, err error) nodeResult {
	if err != nil {
		return s.failJob("", key, job, start, err)
	}
	status := s.status(rec.Outputs)
	if shared {
		status = StatusCached
	}
	ev := s.event("", key, status)
	ev.Seconds, ev.Outputs, ev.Summary, ev.Job = time.Since(start).Seconds(), rec.OutputDigests(), rec.Summary, job
	s.emit(ev)
	return nodeResult{key: key, outputs: rec.Outputs, status: ev.Status}
}

// fail reports a failure as an event and as the stage's result.
func (s *stageRun) fail(part, key string, start time.Time, err error) nodeResult {
	return s.failJob(part, key, "", start, err)
}

// failJob is fail for what a scheduler's job ran.
func (s *stageRun) failJob(part, key, job string, start time.Time, err error) nodeResult {
	ev := s.event(part, key, StatusFailed)
	ev.Seconds, ev.Error, ev.Job = time.Since(start).Seconds(), err.Error(), job
	s.emit(ev)
	return nodeResult{key: key, err: err}
}

// emitCached reports a stage or partition whose record rec, for key,
// is used as it is.
func (s *stageRun) emitCached(part, key string, rec *Record) {
	ev := s.event(part, key, StatusCached)
	ev.Outputs = rec.OutputDigests()
	s.emit(ev)
}

// emitCachedParts reports each partition of a cached mapped stage.
func (s *stageRun) emitCachedParts(rec *Record) {
	for _, p := range slices.Sorted(maps.Keys(rec.Partitions)) {
		ev := s.event(p, rec.Partitions[p], StatusCached)
		ev.Outputs = map[string]string{}
		for name, o := range rec.Outputs {
			if d, ok := o.Parts[p]; ok {
				ev.Outputs[name] = string(d)
			}
		}
		s.emit(ev)
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

// produce runs the kind once (whole stage or one partition) and stores
// its outputs in the sink; the record it returns is not yet committed.
func (s *stageRun) produce(ctx context.Context, fields KeyFields, key, part string, inputs map[string]resolvedInput) (*Record, error) {
	tmp, err := newTempDir(s.r.TempBase)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	logger := s.r.log().With("stage", s.n.Name)
	if part != "" {
		logger = logger.With("partition", part)
	}
	x := &Exec{Stage: s.n.Name, Kind: s.n.Kind, Partition: part, replicate: s.replicateOf(part), params: s.n.Params, inputs: inputs,
		store: s.r.Store, out: s.sink(), log: logger, tmpDir: tmp, fps: s.r.Fingerprints, progress: s.r.Progress,
		outputs: map[string]*outputValue{}, consumed: s.consumed, notes: maps.Clone(s.r.Notes)}
	if x.notes == nil {
		x.notes = map[string]string{}
	}
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
	return &Record{Key: key, Stage: s.n.Name, Fields: fields, Outputs: outs, Notes: x.notes, Summary: x.summary,
		Host: s.r.Host, Litho: s.r.Version, Start: start.UTC(), Seconds: time.Since(start).Seconds(), Partition: part}, nil
}

// commit saves the record: the commit point, after every output is stored.
func (s *stageRun) commit(ctx context.Context, rec *Record) error {
	return saveRecord(ctx, s.r.Store, rec)
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
		case spec.Partitioned || (ov != nil && ov.parts != nil):
			var parts map[string]artifacts.Digest
			if ov != nil {
				parts = ov.parts
			}
			o, err := storeManifest(ctx, s.sink(), spec.MediaType, parts)
			if err != nil {
				return nil, err
			}
			outs[spec.Name] = o
		case ov == nil || ov.digest == "":
			if spec.Optional {
				continue
			}
			return nil, fmt.Errorf("%s produced no output %q", s.n.Kind.Name, spec.Name)
		default:
			outs[spec.Name] = OutputRecord{Digest: ov.digest, MediaType: spec.MediaType, Size: ov.size, External: ov.external}
		}
	}
	return outs, nil
}

// MediaManifest is the media type of a partition manifest.
const MediaManifest = "application/vnd.litho.manifest+json"

func storeManifest(ctx context.Context, sink blobSink, media string, parts map[string]artifacts.Digest) (OutputRecord, error) {
	m := Manifest{MediaType: media, Parts: parts}
	if m.Parts == nil {
		m.Parts = map[string]artifacts.Digest{}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return OutputRecord{}, err
	}
	d, err := sink.PutBytes(ctx, b)
	if err != nil {
		return OutputRecord{}, err
	}
	return OutputRecord{Digest: d, MediaType: MediaManifest, Size: int64(len(b)), Parts: maps.Clone(m.Parts)}, nil
}

// resolveInputs turns upstream outputs into what Exec reads. In a mapped
// run (part != ""), mapped inputs resolve to that partition.
func resolveInputs(n *Node, inputs map[string]OutputRecord, part string) map[string]resolvedInput {
	out := map[string]resolvedInput{}
	for slot, o := range inputs {
		spec, _ := n.Kind.Input(slot)
		switch {
		case part != "" && spec.Map:
			out[slot] = resolvedInput{Digest: PartOf(o, part), Size: -1}
		case o.MediaType == MediaManifest:
			out[slot] = resolvedInput{Digest: o.Digest, Size: -1, Manifest: &Manifest{Parts: o.Parts}}
		default:
			out[slot] = resolvedInput{Digest: o.Digest, Size: o.Size, External: o.External}
		}
	}
	return out
}
