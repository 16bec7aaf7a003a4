package artifacts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
)

// UnavailableError is a store that failed (I/O, permissions, network), as
// opposed to a missing or corrupt object; the CLI exits 3 for it.
type UnavailableError struct {
	Op  string
	Err error
}

func (e *UnavailableError) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *UnavailableError) Unwrap() error { return e.Err }

// check classifies a backend error: missing objects, corrupt objects,
// writes to a read-only store and cancellation pass through; anything
// else means the store is unavailable.
func (s *Store) check(op string, err error) error {
	var ce *CorruptError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound), errors.As(err, &ce), errors.Is(err, ErrReadOnly),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("store %s: %s: %w", s.be.Location(), op, err)
	}
	return &UnavailableError{Op: fmt.Sprintf("store %s: %s", s.be.Location(), op), Err: err}
}

// Store is the content-addressed layer over a Backend: it names blobs by
// their digest on write and verifies every blob it reads, dropping a copy
// that fails (see ReadAll). The engine reaches storage only through it.
type Store struct {
	be Backend
}

// NewStore wraps a backend (ReadOnly(be) for a store that writes nothing).
func NewStore(be Backend) *Store { return &Store{be: be} }

// Remote is the tier behind the local one, for the commands that move
// objects to and from it on purpose (push, pull, gc --remote); ok is false
// when the store has none. It is the remote backend itself, writable even
// when the stack was opened with ReadOnly.
func (s *Store) Remote() (be Backend, ok bool) {
	if t, ok := s.be.(*Tiered); ok {
		return t.remote, true
	}
	return nil, false
}

// Location names the store in messages.
func (s *Store) Location() string { return s.be.Location() }

// Close closes the backend.
func (s *Store) Close() error { return s.be.Close() }

// PutBytes stores b and returns its digest.
func (s *Store) PutBytes(ctx context.Context, b []byte) (Digest, error) {
	d := DigestBytes(b)
	if err := s.be.Save(ctx, Blobs, string(d), bytes.NewReader(b), int64(len(b))); err != nil {
		return "", s.check("save "+d.Short(), err)
	}
	return d, nil
}

// PutFile stores the file at path and returns its digest and size.
func (s *Store) PutFile(ctx context.Context, path string) (Digest, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	d, n, err := DigestReader(f)
	if err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", 0, err
	}
	if err := s.be.Save(ctx, Blobs, string(d), f, n); err != nil {
		return "", 0, s.check("save "+d.Short(), err)
	}
	return d, n, nil
}

// Open returns a reader over the blob that fails with a *CorruptError at
// EOF if the bytes do not hash to d. The bad copy is dropped then (see
// drop), so the next read gets a tier's good copy or finds the blob
// missing and the runner recomputes it. A stream cannot take back the
// bytes it delivered; ReadAll serves the good copy in the same call.
func (s *Store) Open(ctx context.Context, d Digest) (io.ReadCloser, error) {
	return s.open(ctx, d, func(ce *CorruptError) { s.drop(ctx, ce) })
}

func (s *Store) open(ctx context.Context, d Digest, onBad func(*CorruptError)) (io.ReadCloser, error) {
	rc, err := s.be.Open(ctx, Blobs, string(d))
	if err != nil {
		return nil, s.check("open "+d.Short(), err)
	}
	return &verifyingReader{rc: rc, h: sha256.New(), want: d, where: s.be.Location(), onBad: onBad}, nil
}

// ReadAll reads and verifies a whole blob. A corrupt copy is dropped and,
// where a tier behind it may hold a good one (a tiered store's remote),
// the blob is fetched again, verified, and served; otherwise the caller
// gets the *CorruptError and the bad copy is gone.
func (s *Store) ReadAll(ctx context.Context, d Digest) ([]byte, error) {
	refetch := false
	b, err := s.readAll(ctx, d, func(ce *CorruptError) { refetch = s.drop(ctx, ce) })
	if !refetch {
		return b, err
	}
	good, again := s.readAll(ctx, d, func(ce *CorruptError) { s.drop(ctx, ce) })
	if errors.Is(again, ErrNotFound) {
		return nil, err // no copy behind either: the runner recomputes it
	}
	return good, again
}

func (s *Store) readAll(ctx context.Context, d Digest, onBad func(*CorruptError)) ([]byte, error) {
	rc, err := s.open(ctx, d, onBad)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, s.check("read "+d.Short(), err)
	}
	return b, nil
}

// drop removes a blob copy that failed verification and reports whether
// a tier behind may serve a good one: a tiered store drops its local copy
// only, any other store the blob itself. A read-only store keeps it, and
// the error says why (Kept).
func (s *Store) drop(ctx context.Context, ce *CorruptError) (refetch bool) {
	ctx = context.WithoutCancel(ctx)
	t, tiered := s.be.(*Tiered)
	var err error
	if tiered {
		err = t.forget(ctx, Blobs, string(ce.Digest))
	} else {
		err = s.be.Remove(ctx, Blobs, string(ce.Digest))
	}
	ce.Kept = err
	return tiered && err == nil
}

// Has reports whether the blob exists.
func (s *Store) Has(ctx context.Context, d Digest) (bool, error) {
	_, err := s.Stat(ctx, d)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Stat describes a stored blob.
func (s *Store) Stat(ctx context.Context, d Digest) (Info, error) {
	info, err := s.be.Stat(ctx, Blobs, string(d))
	return info, s.check("stat "+d.Short(), err)
}

// PutRecord stores data (JSON) under key in ns. The caller writes records
// only after every blob they name is stored: the record is the commit point.
func (s *Store) PutRecord(ctx context.Context, ns Namespace, key string, data []byte) error {
	if err := s.be.Save(ctx, ns, key, bytes.NewReader(data), int64(len(data))); err != nil {
		return s.check(fmt.Sprintf("save %s/%s", ns, key), err)
	}
	return nil
}

// RemoveRecord removes the record (or run log) under key in ns from every
// tier. Blobs are not removed by key: the load path drops a bad copy
// itself and garbage collection decides the rest.
func (s *Store) RemoveRecord(ctx context.Context, ns Namespace, key string) error {
	if ns == Blobs {
		return fmt.Errorf("remove %s/%s: blobs are not removed by key", ns, key)
	}
	return s.check(fmt.Sprintf("remove %s/%s", ns, key), s.be.Remove(ctx, ns, key))
}

// List calls fn for each object in ns, each name once across tiers; an
// error from fn stops the listing and is returned as it is.
func (s *Store) List(ctx context.Context, ns Namespace, fn func(Info) error) error {
	var fnErr error
	err := s.be.List(ctx, ns, func(i Info) error {
		fnErr = fn(i)
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	return s.check("list "+string(ns), err)
}

// GetRecord reads the record under key; errors.Is(err, ErrNotFound) when absent.
func (s *Store) GetRecord(ctx context.Context, ns Namespace, key string) ([]byte, error) {
	rc, err := s.be.Open(ctx, ns, key)
	if err != nil {
		return nil, s.check(fmt.Sprintf("open %s/%s", ns, key), err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return b, s.check(fmt.Sprintf("read %s/%s", ns, key), err)
}
