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
	// NoGrace deletes what nothing retained reaches whatever its age: for
	// a store no other host publishes into while its lock is held (the
	// local one).
	NoGrace bool
	// Now is the reference time (default time.Now()).
	Now time.Time
	// DryRun counts what would be deleted and deletes nothing.
	DryRun bool
	// Deleted, when set, hears of each object deleted (in a dry run, each
	// that would be): records, then blobs, each in listing order.
	Deleted func(Namespace, Info)
}

// GCStats counts what garbage collection kept and deleted.
type GCStats struct {
	Records, RecordsDeleted int
	Blobs, BlobsDeleted     int
	BytesDeleted            int64 // of blobs
}

// GC deletes from be the records that are neither retained, nor younger
// than the grace period, nor linked from such a record; then the blobs
// older than the grace period that no remaining record reaches. Records go
// first so that no reader finds a record whose blobs were deleted. A
// record that cannot be read or parsed stops the collection: guessing what
// it names could delete live blobs.
//
// GC deletes only objects named as litho names them (OwnedName); what
// else a namespace holds, litho did not write.
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
	c := &collector{be: be, opt: opt, cutoff: opt.Now.Add(-opt.Grace)}
	live, doomed, err := c.markRecords(ctx)
	if err != nil {
		return c.st, err
	}
	for _, i := range doomed {
		if !opt.DryRun {
			if err := be.Remove(ctx, Records, i.Name); err != nil {
				return c.st, fmt.Errorf("gc %s: remove record %s: %w", be.Location(), i.Name, err)
			}
		}
		c.deleted(Records, i)
	}
	err = c.sweepBlobs(ctx, live)
	return c.st, err
}

// collector is one garbage collection.
type collector struct {
	be     Backend
	opt    GCOptions
	cutoff time.Time
	st     GCStats
}

// young reports whether the grace period protects an object of this time.
func (c *collector) young(t time.Time) bool {
	return !c.opt.NoGrace && !t.Before(c.cutoff)
}

func (c *collector) deleted(ns Namespace, i Info) {
	if ns == Records {
		c.st.RecordsDeleted++
	} else {
		c.st.BlobsDeleted++
		c.st.BytesDeleted += i.Size
	}
	if c.opt.Deleted != nil {
		c.opt.Deleted(ns, i)
	}
}

// markRecords returns the blobs reached by the records that stay, and the
// records to delete.
func (c *collector) markRecords(ctx context.Context) (map[Digest]bool, []Info, error) {
	var roots []string
	var all []Info
	err := c.be.List(ctx, Records, func(i Info) error {
		if !OwnedName(Records, i.Name) {
			return nil // not litho's: neither a root nor deleted
		}
		all = append(all, i)
		if c.opt.Retain == nil || c.opt.Retain(i.Name) || c.young(i.ModTime) {
			roots = append(roots, i.Name)
		}
		return nil
	})
	c.st.Records = len(all)
	if err != nil {
		return nil, nil, fmt.Errorf("gc %s: list records: %w", c.be.Location(), err)
	}
	g, err := Walk(ctx, c.be, roots, c.opt.Refs)
	if err != nil {
		return nil, nil, fmt.Errorf("gc %s: %w", c.be.Location(), err)
	}
	kept := map[string]bool{}
	for _, level := range g.Levels {
		for _, key := range level {
			kept[key] = true
		}
	}
	var doomed []Info
	for _, i := range all {
		if !kept[i.Name] {
			doomed = append(doomed, i)
		}
	}
	live := map[Digest]bool{}
	for _, d := range g.Blobs {
		live[d] = true
	}
	return live, doomed, nil
}

// sweepBlobs deletes old unreachable blobs. Each candidate is checked
// again just before deletion, so a blob re-uploaded since the listing
// (when a host saves it anew it gets a fresh time) survives.
func (c *collector) sweepBlobs(ctx context.Context, live map[Digest]bool) error {
	var doomed []Info
	err := c.be.List(ctx, Blobs, func(i Info) error {
		if !OwnedName(Blobs, i.Name) {
			return nil
		}
		c.st.Blobs++
		if !live[Digest(i.Name)] && !c.young(i.ModTime) {
			doomed = append(doomed, i)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("gc %s: list blobs: %w", c.be.Location(), err)
	}
	for _, i := range doomed {
		if !c.opt.DryRun {
			gone, err := c.removeBlob(ctx, i.Name)
			if err != nil {
				return fmt.Errorf("gc %s: remove blob %s: %w", c.be.Location(), i.Name, err)
			}
			if !gone {
				continue
			}
		}
		c.deleted(Blobs, i)
	}
	return nil
}

// removeBlob removes a blob unless it has vanished or been saved again
// since the listing; gone reports whether this call removed it.
func (c *collector) removeBlob(ctx context.Context, name string) (gone bool, err error) {
	now, err := c.be.Stat(ctx, Blobs, name)
	if errors.Is(err, ErrNotFound) || err == nil && c.young(now.ModTime) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, c.be.Remove(ctx, Blobs, name)
}
