package artifacts

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// Fingerprinter hashes input files outside the store. A stat cache keyed
// by absolute path remembers (size, mtime, inode) → digest, so an
// unchanged large file is not read again.
type Fingerprinter struct {
	path  string
	mu    sync.Mutex
	cache map[string]statEntry
	dirty bool
}

type statEntry struct {
	Size    int64  `json:"size"`
	MtimeNs int64  `json:"mtime_ns"`
	Inode   uint64 `json:"inode"`
	Digest  Digest `json:"digest"`
}

// NewFingerprinter loads the stat cache kept at cachePath ("" for none).
func NewFingerprinter(cachePath string) *Fingerprinter {
	f := &Fingerprinter{path: cachePath, cache: map[string]statEntry{}}
	if cachePath != "" {
		if b, err := os.ReadFile(cachePath); err == nil {
			_ = json.Unmarshal(b, &f.cache) // a damaged cache only costs rehashing
		}
	}
	return f
}

func statOf(fi os.FileInfo) statEntry {
	e := statEntry{Size: fi.Size(), MtimeNs: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		e.Inode = st.Ino
	}
	return e
}

// Fingerprint returns the digest and size of the file at path.
func (f *Fingerprinter) Fingerprint(ctx context.Context, path string) (Digest, int64, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", 0, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", 0, err
	}
	if !fi.Mode().IsRegular() {
		return "", 0, fmt.Errorf("%s: not a regular file", path)
	}
	now := statOf(fi)
	f.mu.Lock()
	old, ok := f.cache[abs]
	f.mu.Unlock()
	if ok && old.Size == now.Size && old.MtimeNs == now.MtimeNs && old.Inode == now.Inode {
		return old.Digest, old.Size, nil
	}
	file, err := os.Open(abs)
	if err != nil {
		return "", 0, err
	}
	defer file.Close()
	d, n, err := DigestReader(ctxReader{ctx, file})
	if err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", path, err)
	}
	now.Digest = d
	f.mu.Lock()
	f.cache[abs] = now
	f.dirty = true
	f.mu.Unlock()
	return d, n, nil
}

// OpenVerified opens an external file and fails at EOF if its content no
// longer hashes to want (it changed after it was fingerprinted).
func (f *Fingerprinter) OpenVerified(path string, want Digest) (io.ReadCloser, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &verifyingReader{rc: file, h: sha256.New(), want: want, file: path, onBad: func(*CorruptError) {
		f.mu.Lock()
		if abs, err := filepath.Abs(path); err == nil {
			delete(f.cache, abs)
			f.dirty = true
		}
		f.mu.Unlock()
	}}, nil
}

// Save writes the stat cache back: to a new temporary file (never
// through a link planted at a fixed name), then renamed into place.
func (f *Fingerprinter) Save() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.path == "" || !f.dirty {
		return nil
	}
	b, err := json.Marshal(f.cache)
	if err != nil {
		return err
	}
	tmp, err := CreateTemp(filepath.Dir(f.path), filepath.Base(f.path)+".*.tmp")
	if err != nil {
		return err
	}
	if err := InstallTemp(tmp, b, f.path, nil); err != nil {
		return err
	}
	f.dirty = false
	return nil
}
