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

// check classifies a backend error: missing objects, corrupt objects and
// cancellation pass through; anything else means the store is unavailable.
func (s *Store) check(op string, err error) error {
	var ce *CorruptError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound), errors.As(err, &ce), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("store %s: %s: %w", s.be.Location(), op, err)
	}
	return &UnavailableError{Op: fmt.Sprintf("store %s: %s", s.be.Location(), op), Err: err}
}

// Store is the content-addressed layer over a Backend: it names blobs by
// their digest on write and verifies every blob it reads.
type Store struct {
	be Backend
}

// NewStore wraps a backend.
func NewStore(be Backend) *Store { return &Store{be: be} }

// Backend returns the underlying backend.
func (s *Store) Backend() Backend { return s.be }

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
// EOF if the bytes do not hash to d; a corrupt blob is removed so that the
// next run recomputes it.
func (s *Store) Open(ctx context.Context, d Digest) (io.ReadCloser, error) {
	rc, err := s.be.Open(ctx, Blobs, string(d))
	if err != nil {
		return nil, s.check("open "+d.Short(), err)
	}
	return &verifyingReader{rc: rc, h: sha256.New(), want: d, onBad: func() {
		_ = s.be.Remove(context.WithoutCancel(ctx), Blobs, string(d))
	}}, nil
}

// ReadAll reads and verifies a whole blob.
func (s *Store) ReadAll(ctx context.Context, d Digest) ([]byte, error) {
	rc, err := s.Open(ctx, d)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		var ce *CorruptError
		if errors.As(err, &ce) {
			ce.Where = s.be.Location()
		}
		return nil, err
	}
	return b, nil
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
