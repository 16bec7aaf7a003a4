// Package artifacts holds content digests, the storage backend interface,
// the verifying Store built on it, and the local filesystem backend.
package artifacts

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
)

// Digest is the lowercase hex SHA-256 of an artifact's bytes.
type Digest string

// DigestBytes returns the digest of b.
func DigestBytes(b []byte) Digest {
	s := sha256.Sum256(b)
	return Digest(hex.EncodeToString(s[:]))
}

// DigestReader hashes r to EOF and returns the digest and byte count.
func DigestReader(r io.Reader) (Digest, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return "", n, err
	}
	return Digest(hex.EncodeToString(h.Sum(nil))), n, nil
}

// ParseDigest checks that s looks like a digest.
func ParseDigest(s string) (Digest, error) {
	if len(s) != 64 {
		return "", fmt.Errorf("digest %q: want 64 hex characters", s)
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", fmt.Errorf("digest %q: not lowercase hex", s)
		}
	}
	return Digest(s), nil
}

// Short is the first 12 characters, for display.
func (d Digest) Short() string {
	if len(d) < 12 {
		return string(d)
	}
	return string(d[:12])
}

// verifyingReader hashes what passes through it and fails at EOF when the
// bytes do not match the expected digest, so a reader never silently
// consumes a corrupted object.
type verifyingReader struct {
	rc     io.ReadCloser
	h      hash.Hash
	want   Digest
	where  string // the store it reads from, for the error
	file   string // set for input files outside the store
	onBad  func(*CorruptError)
	failed error
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.failed != nil {
		return 0, v.failed
	}
	n, err := v.rc.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF {
		if got := Digest(hex.EncodeToString(v.h.Sum(nil))); got != v.want {
			ce := &CorruptError{Digest: v.want, Got: got, Where: v.where, File: v.file}
			if v.onBad != nil {
				v.onBad(ce)
			}
			v.failed = ce
			return n, ce
		}
	}
	return n, err
}

func (v *verifyingReader) Close() error { return v.rc.Close() }
