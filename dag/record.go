package dag

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"time"

	"litho/artifacts"
)

// Record is an action record: a key, the outputs it produced and how they
// were produced. It is written only after every output is stored, so a
// record's existence means its run completed.
type Record struct {
	Key       string                  `json:"key"`
	Stage     string                  `json:"stage"`
	Fields    KeyFields               `json:"fields"`
	Outputs   map[string]OutputRecord `json:"outputs"`
	Notes     map[string]string       `json:"notes,omitempty"`
	Summary   []string                `json:"summary,omitempty"`
	Host      string                  `json:"host"`
	Litho     string                  `json:"litho_version"`
	Start     time.Time               `json:"start"`
	Seconds   float64                 `json:"seconds"`
	Partition string                  `json:"partition,omitempty"`
	// Partitions maps partition → key for a mapped stage's stage-level record.
	Partitions map[string]string `json:"partitions,omitempty"`
	// Integrity is the record's own digest (see seal); it stays last.
	Integrity string `json:"integrity,omitempty"`
}

// OutputRecord is one named output: its artifact's digest (a manifest's
// for partitioned outputs, whose partitions are listed in Parts).
type OutputRecord struct {
	Digest    artifacts.Digest            `json:"digest"`
	MediaType string                      `json:"media_type"`
	Size      int64                       `json:"size"`
	Parts     map[string]artifacts.Digest `json:"parts,omitempty"`
	External  string                      `json:"external,omitempty"`
}

// Digests lists the stored blobs the record reaches (external files are
// not in the store).
func (r *Record) Digests() []artifacts.Digest {
	var out []artifacts.Digest
	for _, o := range r.Outputs {
		if o.External != "" {
			continue
		}
		out = append(out, o.Digest)
		for _, d := range o.Parts {
			out = append(out, d)
		}
	}
	return out
}

// RecordRefs parses a stored record and lists what it names: its blobs
// and, for a mapped stage, its partitions' records. It is the
// artifacts.RecordRefs that garbage collection, push and pull follow.
func RecordRefs(b []byte) ([]artifacts.Digest, []string, error) {
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, nil, fmt.Errorf("parse record: %w", err)
	}
	return r.Digests(), slices.Sorted(maps.Values(r.Partitions)), nil
}

// OutputDigests maps output name → digest, for reports.
func (r *Record) OutputDigests() map[string]string {
	out := map[string]string{}
	for name, o := range r.Outputs {
		out[name] = string(o.Digest)
	}
	return out
}

// LoadRecord reads a record; ok is false when there is none, or when the
// stored one is damaged or not key's (it is then set aside, see setAside,
// with a warning on log).
func LoadRecord(ctx context.Context, st *artifacts.Store, key string, log *slog.Logger) (*Record, bool, error) {
	b, err := st.GetRecord(ctx, artifacts.Records, key)
	if errors.Is(err, artifacts.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	r, why := decodeRecord(b, key)
	if why != "" {
		setAside(ctx, st, key, why, log)
		return nil, false, nil
	}
	return r, true, nil
}

func saveRecord(ctx context.Context, st *artifacts.Store, r *Record) error {
	b, err := seal(r)
	if err != nil {
		return err
	}
	return st.PutRecord(ctx, artifacts.Records, r.Key, b)
}

// complete reports whether every blob the record names is still stored,
// with the size it had when stored (blobs are not synced, so a crash can
// leave a short one behind a durable record). A blob of the wrong size,
// or one the store cannot read, is reported on log: the stage reruns and
// its save replaces the blob.
func complete(ctx context.Context, st *artifacts.Store, r *Record, log *slog.Logger) (bool, error) {
	sizes := map[artifacts.Digest]int64{}
	for _, o := range r.Outputs {
		if o.External == "" && o.Size > 0 {
			sizes[o.Digest] = o.Size
		}
	}
	for _, d := range r.Digests() {
		info, err := st.Stat(ctx, d)
		switch {
		case errors.Is(err, artifacts.ErrNotFound):
			return false, nil
		case errors.Is(err, artifacts.ErrUnreadable):
			log.Warn("stored object cannot be read; its stage reruns and the object is replaced",
				"object", string(d), "store", st.Location(), "record", r.Key)
			return false, nil
		case err != nil:
			return false, err
		}
		if want, ok := sizes[d]; ok && info.Size != want {
			log.Warn("stored object has the wrong size; its stage reruns and the object is replaced",
				"object", string(d), "store", st.Location(), "size", info.Size, "want", want, "record", r.Key)
			return false, nil
		}
	}
	return true, nil
}

// RunLog is what one `litho run` did: per stage, its key, status and
// outputs. The log feeds early-cutoff reporting, `why` and `gc --keep-last`.
type RunLog struct {
	Name   string              `json:"-"` // its name in the store
	Time   time.Time           `json:"time"`
	Host   string              `json:"host"`
	File   string              `json:"file"`
	Stages map[string]RunStage `json:"stages"`
}

// RunStage is one stage's entry in a run log.
type RunStage struct {
	Kind       string                  `json:"kind"`
	Key        string                  `json:"key"`
	Status     string                  `json:"status"`
	Outputs    map[string]OutputRecord `json:"outputs"`
	Partitions map[string]string       `json:"partitions,omitempty"` // name → key
}

// Keys lists every record key the log reaches.
func (l *RunLog) Keys() []string {
	var out []string
	for _, s := range l.Stages {
		out = append(out, s.Key)
		for _, k := range s.Partitions {
			out = append(out, k)
		}
	}
	return out
}

// RecentRuns returns up to n run logs, newest first.
func RecentRuns(ctx context.Context, st *artifacts.Store, n int) ([]*RunLog, error) {
	var names []string
	err := st.List(ctx, artifacts.Runs, func(i artifacts.Info) error {
		names = append(names, i.Name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names))) // names start with the time
	var out []*RunLog
	for _, name := range names {
		if n >= 0 && len(out) >= n {
			break
		}
		b, err := st.GetRecord(ctx, artifacts.Runs, name)
		if err != nil {
			continue // removed by gc meanwhile
		}
		l := RunLog{Name: name}
		if json.Unmarshal(b, &l) == nil {
			out = append(out, &l)
		}
	}
	return out, nil
}

func saveRunLog(ctx context.Context, st *artifacts.Store, l *RunLog) error {
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	return st.PutRecord(ctx, artifacts.Runs, artifacts.RunName(l.Time, b), b)
}
