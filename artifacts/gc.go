package artifacts

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultGrace is how old an unreferenced object must be before garbage
// collection deletes it.
const DefaultGrace = 24 * time.Hour

// GCOptions say what garbage collection keeps.
type GCOptions struct {
	// Retain reports whether a record must be kept whatever its age (the
	// keys of the pipelines still in use). Nil keeps every record.
	Retain func(key string) bool
	// Refs lists what a record names.
	Refs RecordRefs
	// Grace protects every record and blob younger than it (default
	// DefaultGrace), and every blob that such a record names: a host may be
	// in the middle of publishing them.
	Grace time.Duration
	// Now is the reference time (default time.Now()).
	Now time.Time
	// DryRun counts what would be deleted and deletes nothing.
	DryRun bool
}

// GCStats counts what garbage collection kept and deleted.
type GCStats struct {
	Records, RecordsDeleted int
	Blobs, BlobsDeleted     int
	BytesDeleted            int64
}

// GC deletes from be the records that are neither retained, nor younger
// than the grace period, nor linked from such a record; then the blobs
// older than the grace period that no remaining record reaches. Records go
// first so that no reader finds a record whose blobs were deleted. A
// record that cannot be read or parsed stops the collection: guessing what
// it names could delete live blobs.
//
// A host publishing a result while GC runs is protected by the grace
// period: its new blobs and record are young, and an old blob it saves
// again gets a fresh time (the S3 store refreshes it), which GC checks
// again just before deleting. What remains is the moment between that
// check and the delete; the grace period makes it matter only for a blob
// that sat unreferenced for the whole period and is re-saved in that
// instant.
func GC(ctx context.Context, be Backend, opt GCOptions) (GCStats, error) {
	if opt.Refs == nil {
		return GCStats{}, errors.New("gc: no record parser")
	}
	if opt.Grace <= 0 {
		opt.Grace = DefaultGrace
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	cutoff := opt.Now.Add(-opt.Grace)
	var st GCStats
	live, doomed, err := markRecords(ctx, be, opt, cutoff, &st)
	if err != nil {
		return st, err
	}
	for _, key := range doomed {
		if !opt.DryRun {
			if err := be.Remove(ctx, Records, key); err != nil {
				return st, fmt.Errorf("gc %s: remove record %s: %w", be.Location(), key, err)
			}
		}
		st.RecordsDeleted++
	}
	err = sweepBlobs(ctx, be, live, cutoff, opt.DryRun, &st)
	return st, err
}

// markRecords returns the blobs reached by the records that stay, and the
// keys of the records to delete.
func markRecords(ctx context.Context, be Backend, opt GCOptions, cutoff time.Time, st *GCStats) (map[Digest]bool, []string, error) {
	var roots []string
	all := map[string]bool{}
	err := be.List(ctx, Records, func(i Info) error {
		st.Records++
		all[i.Name] = true
		if opt.Retain == nil || opt.Retain(i.Name) || !i.ModTime.Before(cutoff) {
			roots = append(roots, i.Name)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("gc %s: list records: %w", be.Location(), err)
	}
	live, kept, err := reach(ctx, be, roots, opt.Refs)
	if err != nil {
		return nil, nil, fmt.Errorf("gc %s: %w", be.Location(), err)
	}
	var doomed []string
	for key := range all {
		if !kept[key] {
			doomed = append(doomed, key)
		}
	}
	return live, doomed, nil
}

// sweepBlobs deletes old unreachable blobs. Each candidate is checked
// again just before deletion, so a blob re-uploaded since the listing
// (when a host saves it anew it gets a fresh time) survives.
func sweepBlobs(ctx context.Context, be Backend, live map[Digest]bool, cutoff time.Time, dryRun bool, st *GCStats) error {
	var doomed []Info
	err := be.List(ctx, Blobs, func(i Info) error {
		st.Blobs++
		if !live[Digest(i.Name)] && i.ModTime.Before(cutoff) {
			doomed = append(doomed, i)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("gc %s: list blobs: %w", be.Location(), err)
	}
	for _, i := range doomed {
		if dryRun {
			st.BlobsDeleted++
			st.BytesDeleted += i.Size
			continue
		}
		now, err := be.Stat(ctx, Blobs, i.Name)
		if errors.Is(err, ErrNotFound) || err == nil && !now.ModTime.Before(cutoff) {
			continue
		}
		if err == nil {
			err = be.Remove(ctx, Blobs, i.Name)
		}
		if err != nil {
			return fmt.Errorf("gc %s: remove blob %s: %w", be.Location(), i.Name, err)
		}
		st.BlobsDeleted++
		st.BytesDeleted += i.Size
	}
	return nil
}
