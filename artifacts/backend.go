package artifacts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Namespace separates the kinds of object a backend holds.
type Namespace string

const (
	// Blobs are immutable and named by the digest of their bytes.
	Blobs Namespace = "cas"
	// Records are action records, named by stage key.
	Records Namespace = "ac"
	// Runs are the log of pipeline runs, named so they sort by time.
	Runs Namespace = "runs"
)

// ErrNotFound is returned (wrapped) when an object does not exist.
var ErrNotFound = errors.New("not found")

// ErrUnreadable is returned (wrapped) by Stat when the store answers but
// cannot read the object itself (a remote object whose metadata the
// server finds damaged), as opposed to a store that cannot be reached.
// The object counts as damaged: its stage reruns, and saving it again
// replaces it.
var ErrUnreadable = errors.New("the store cannot read this object")

// ErrReadOnly is returned (wrapped, naming the operation) by Save and
// Remove on a store opened read-only (see ReadOnly).
var ErrReadOnly = errors.New("store is opened read-only")

// CorruptError reports an object whose bytes do not match its name.
type CorruptError struct {
	Digest Digest
	Got    Digest
	Where  string
	File   string // an input file outside the store, which litho never removes
	// Kept says why the bad copy is still there (a read-only store); nil
	// when it was removed.
	Kept error
}

func (e *CorruptError) Error() string {
	if e.File != "" {
		return fmt.Sprintf("input file %s changed while litho read it (it no longer hashes to %s); run again", e.File, e.Digest.Short())
	}
	where := ""
	if e.Where != "" {
		where = " in " + e.Where
	}
	if e.Kept != nil {
		return fmt.Sprintf("object %s%s is corrupt (content hashes to %s); it was left in place: %v", e.Digest.Short(), where, e.Got.Short(), e.Kept)
	}
	return fmt.Sprintf("object %s%s is corrupt (content hashes to %s); it was removed and will be recomputed", e.Digest.Short(), where, e.Got.Short())
}

// Info describes a stored object.
type Info struct {
	Name    string
	Size    int64
	ModTime time.Time
}

// Backend is the storage interface every store implements: local
// filesystem, S3, and the tiered combination. Names are digests for Blobs
// and keys for Records. Save must be atomic: no reader ever sees a partly
// written object. Saving a blob that already exists is a no-op. Remove
// removes: afterwards no tier serves the object (removing a missing
// object is not an error).
type Backend interface {
	Save(ctx context.Context, ns Namespace, name string, r io.Reader, size int64) error
	Open(ctx context.Context, ns Namespace, name string) (io.ReadCloser, error)
	Stat(ctx context.Context, ns Namespace, name string) (Info, error)
	Remove(ctx context.Context, ns Namespace, name string) error
	List(ctx context.Context, ns Namespace, fn func(Info) error) error
	// Location names the backend in messages (never credentials).
	Location() string
	Close() error
}
