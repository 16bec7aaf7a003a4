package dag

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"sync"

	"litho/artifacts"
)

// Exec is what a running stage sees: its parameters, its inputs (verified
// on read), and the place to put its outputs. In a mapped stage it is
// scoped to one partition: Open and Read return that partition of each
// mapped input, and Put writes that partition of each output.
type Exec struct {
	Stage     string // instance name
	Kind      *Kind
	Partition string // "" unless the stage runs mapped
	replicate string // see Replicate

	params   any // the node's parameter struct; see ParamsOf
	inputs   map[string]resolvedInput
	store    *artifacts.Store // inputs are read here
	out      blobSink         // outputs are written here
	log      *slog.Logger
	tmpDir   string
	fps      *artifacts.Fingerprinter
	progress ProgressFactory

	consumed map[string]bool // outputs some stage reads

	mu      sync.Mutex
	outputs map[string]*outputValue
	notes   map[string]string
	summary []string
}

// resolvedInput is an input as the runner found it.
type resolvedInput struct {
	Digest   artifacts.Digest
	Size     int64     // bytes, where known (-1 otherwise)
	Manifest *Manifest // for partitioned inputs the stage does not map
	External string    // path of an external file
}

// outputValue accumulates what a stage put under one output name.
type outputValue struct {
	digest   artifacts.Digest
	size     int64
	external string
	parts    map[string]artifacts.Digest
}

// ProgressFactory makes progress reporters; the CLI decides whether they
// draw (a terminal), print a line now and then (a log) or do nothing
// (--json, --quiet).
type ProgressFactory func(desc string, total int64, unit ProgressUnit) Progress

// ProgressUnit is what a reporter counts, so a bar can show sizes for
// bytes and plain counts for steps such as epochs.
type ProgressUnit int

const (
	Bytes ProgressUnit = iota
	Steps
)

// Progress reports work done. Done on unfinished work (an early stop, a
// cancelled run) leaves it where it stopped rather than showing it full.
type Progress interface {
	Add(n int64)
	// Describe replaces the description, e.g. with the latest loss.
	Describe(status string)
	Done()
}

type noProgress struct{}

func (noProgress) Add(int64)       {}
func (noProgress) Describe(string) {}
func (noProgress) Done()           {}

// Replicate is the replicate this partition runs (the kind's
// Replicates names one), or "".
func (x *Exec) Replicate() string { return x.replicate }

// Log is the stage's logger.
func (x *Exec) Log() *slog.Logger { return x.log }

// TempDir is a scratch directory removed when the stage ends.
func (x *Exec) TempDir() string { return x.tmpDir }

// Progress returns a reporter for long work such as reading a large
// file, counting bytes.
func (x *Exec) Progress(desc string, total int64) Progress {
	return x.progressOf(desc, total, Bytes)
}

// Steps returns a reporter counting steps, such as training epochs.
func (x *Exec) Steps(desc string, total int64) Progress {
	return x.progressOf(desc, total, Steps)
}

func (x *Exec) progressOf(desc string, total int64, unit ProgressUnit) Progress {
	if x.progress == nil {
		return noProgress{}
	}
	return x.progress(desc, total, unit)
}

// Note records provenance in the run record (never in the key): which
// backend trained a model, whether the result is bit-reproducible.
func (x *Exec) Note(key, value string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.notes[key] = value
}

// Summary adds a line shown after the run, such as counts of rejected rows.
func (x *Exec) Summary(format string, args ...any) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.summary = append(x.summary, fmt.Sprintf(format, args...))
}

// HasInput reports whether an optional input is connected.
func (x *Exec) HasInput(name string) bool {
	in, ok := x.inputs[name]
	return ok && (in.Digest != "" || in.External != "")
}

// Consumed reports whether some stage of the pipeline reads the output: a
// source can leave an optional output nobody uses unproduced (the lily
// source then never reads that file).
func (x *Exec) Consumed(output string) bool { return x.consumed[output] }

// Connected reports whether an input slot is wired in the pipeline, even
// when this partition of a mapped input is missing.
func (x *Exec) Connected(name string) bool {
	_, ok := x.inputs[name]
	return ok
}

func (x *Exec) input(name string) (resolvedInput, error) {
	in, ok := x.inputs[name]
	if !ok || (in.Digest == "" && in.External == "") {
		if x.Partition != "" {
			return in, fmt.Errorf("input %s has no partition %s: %w", name, x.Partition, artifacts.ErrNotFound)
		}
		return in, fmt.Errorf("input %s is not connected: %w", name, artifacts.ErrNotFound)
	}
	return in, nil
}

// Open streams an input (or, in a mapped stage, this partition of it),
// verifying its digest as it is read.
func (x *Exec) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	in, err := x.input(name)
	if err != nil {
		return nil, err
	}
	if in.Manifest != nil {
		return nil, fmt.Errorf("input %s is partitioned: use Parts and ReadPart", name)
	}
	if in.External != "" {
		return x.fps.OpenVerified(in.External, in.Digest)
	}
	return x.store.Open(ctx, in.Digest)
}

// Size is the input's size in bytes, or -1 when unknown (a partition of
// a mapped input); for progress reporting.
func (x *Exec) Size(name string) int64 {
	in, ok := x.inputs[name]
	if !ok || in.Size <= 0 {
		return -1
	}
	return in.Size
}

// Read reads a whole input (or this partition of it).
func (x *Exec) Read(ctx context.Context, name string) ([]byte, error) {
	rc, err := x.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// Parts lists the partitions of a partitioned input, sorted.
func (x *Exec) Parts(name string) ([]string, error) {
	in, err := x.input(name)
	if err != nil {
		return nil, err
	}
	if in.Manifest == nil {
		return nil, fmt.Errorf("input %s is not partitioned", name)
	}
	return in.Manifest.Names(), nil
}

// ReadPart reads one partition of a partitioned input.
func (x *Exec) ReadPart(ctx context.Context, name, part string) ([]byte, error) {
	in, err := x.input(name)
	if err != nil {
		return nil, err
	}
	if in.Manifest == nil {
		return nil, fmt.Errorf("input %s is not partitioned", name)
	}
	d, ok := in.Manifest.Parts[part]
	if !ok {
		return nil, fmt.Errorf("input %s has no partition %s: %w", name, part, artifacts.ErrNotFound)
	}
	return x.store.ReadAll(ctx, d)
}

func (x *Exec) output(name string) (OutputSpec, *outputValue, error) {
	spec, ok := x.Kind.Output(name)
	if !ok {
		return spec, nil, fmt.Errorf("stage kind %s has no output %q", x.Kind.Name, name)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	ov := x.outputs[name]
	if ov == nil {
		ov = &outputValue{}
		x.outputs[name] = ov
	}
	return spec, ov, nil
}

// Put stores b as an output. In a mapped stage every output receives
// this partition.
func (x *Exec) Put(ctx context.Context, name string, b []byte) error {
	spec, ov, err := x.output(name)
	if err != nil {
		return err
	}
	if x.Partition != "" && !spec.External {
		return x.putPart(ctx, name, ov, x.Partition, b)
	}
	if spec.Partitioned || spec.External {
		return fmt.Errorf("output %s is partitioned or external: use PutPart or PutExternal", name)
	}
	d, err := x.out.PutBytes(ctx, b)
	if err != nil {
		return fmt.Errorf("output %s: %w", name, err)
	}
	x.mu.Lock()
	ov.digest, ov.size = d, int64(len(b))
	x.mu.Unlock()
	return nil
}

// PutFile stores the file at path (typically under TempDir) as an output.
func (x *Exec) PutFile(ctx context.Context, name, path string) error {
	spec, ov, err := x.output(name)
	if err != nil {
		return err
	}
	if spec.Partitioned || spec.External {
		return fmt.Errorf("output %s is partitioned or external", name)
	}
	d, n, err := x.out.PutFile(ctx, path)
	if err != nil {
		return fmt.Errorf("output %s: %w", name, err)
	}
	x.mu.Lock()
	ov.digest, ov.size = d, n
	x.mu.Unlock()
	return nil
}

// PutPart stores b as one partition of an output, which makes it a
// manifest (an output that is neither external nor already a single
// artifact).
func (x *Exec) PutPart(ctx context.Context, name, part string, b []byte) error {
	spec, ov, err := x.output(name)
	if err != nil {
		return err
	}
	x.mu.Lock()
	single := ov.digest != ""
	x.mu.Unlock()
	if spec.External || single {
		return fmt.Errorf("output %s is external or already a single artifact", name)
	}
	return x.putPart(ctx, name, ov, part, b)
}

func (x *Exec) putPart(ctx context.Context, name string, ov *outputValue, part string, b []byte) error {
	if err := checkPartName(part); err != nil {
		return fmt.Errorf("output %s: %w", name, err)
	}
	d, err := x.out.PutBytes(ctx, b)
	if err != nil {
		return fmt.Errorf("output %s partition %s: %w", name, part, err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if ov.parts == nil {
		ov.parts = map[string]artifacts.Digest{}
	}
	ov.parts[part] = d
	return nil
}

// PutExternal declares a file outside the store as an output; it is
// fingerprinted by content (with a stat cache) but not copied.
func (x *Exec) PutExternal(ctx context.Context, name, path string) error {
	spec, ov, err := x.output(name)
	if err != nil {
		return err
	}
	if !spec.External {
		return fmt.Errorf("output %s is not external", name)
	}
	d, n, err := x.fps.Fingerprint(ctx, path)
	if err != nil {
		return fmt.Errorf("output %s: %w", name, err)
	}
	x.mu.Lock()
	ov.digest, ov.size, ov.external = d, n, path
	x.mu.Unlock()
	return nil
}

// Manifest maps partition names to artifacts. Its canonical JSON is the
// partitioned output's artifact.
type Manifest struct {
	MediaType string                      `json:"media_type"`
	Parts     map[string]artifacts.Digest `json:"partitions"`
}

// Names lists the partitions, sorted.
func (m *Manifest) Names() []string {
	out := make([]string, 0, len(m.Parts))
	for p := range m.Parts {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func newTempDir(base string) (string, error) {
	if base != "" {
		if err := os.MkdirAll(base, 0o755); err != nil {
			return "", err
		}
	}
	return os.MkdirTemp(base, "stage-*")
}
