package artifacts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Local is a Backend on the local filesystem. Objects are sharded by the
// first two characters of their name (cas/ab/abcdef…) and written to a
// temporary file that is renamed into place, so a crash never leaves a
// partial object under its final name.
type Local struct {
	root string
	dirs sync.Map // shard directories known to exist
}

// OpenLocal opens a local store rooted at dir, creating it (and its
// marker) when dir is missing or empty. A directory that holds anything
// else is used only when it is marked as a store, or when it is a store
// from before markers: nothing in it that litho does not write, and then
// it is marked now. Anything else is a *NotStoreError.
func OpenLocal(dir string) (*Local, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	marked, err := checkOwned(abs)
	if err != nil {
		return nil, err
	}
	for _, sub := range []string{string(Blobs), string(Records), string(Runs), "tmp"} {
		if err := os.MkdirAll(filepath.Join(abs, sub), 0o777); err != nil {
			return nil, fmt.Errorf("open store %s: %w", abs, err)
		}
	}
	l := &Local{root: abs}
	if !marked {
		b, _ := json.Marshal(marker{Store: "litho", Version: StoreFormat})
		if err := l.install(filepath.Join(abs, MarkerName), bytes.NewReader(append(b, '\n')), -1, true); err != nil {
			return nil, fmt.Errorf("open store %s: mark it: %w", abs, err)
		}
	}
	return l, nil
}

// ViewLocal opens the local store at dir for reading only: it creates
// nothing, and a directory that does not exist is an empty store. It
// refuses what OpenLocal refuses. Wrap it in ReadOnly; its own writes
// would fail on the missing directories.
func ViewLocal(dir string) (*Local, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if _, err := checkOwned(abs); err != nil {
		return nil, err
	}
	return &Local{root: abs}, nil
}

// Root is the store directory.
func (l *Local) Root() string { return l.root }

// Location implements Backend.
func (l *Local) Location() string { return l.root }

// Close implements Backend.
func (l *Local) Close() error { return nil }

// Path is where the object lives on disk (it may not exist).
func (l *Local) Path(ns Namespace, name string) string {
	if len(name) < 2 || strings.ContainsAny(name, `/\`) {
		return filepath.Join(l.root, string(ns), "_", name)
	}
	return filepath.Join(l.root, string(ns), name[:2], name)
}

// TempDir is a directory on the store's filesystem for files that will be
// renamed into the store.
func (l *Local) TempDir() string { return filepath.Join(l.root, "tmp") }

// Save implements Backend.
func (l *Local) Save(ctx context.Context, ns Namespace, name string, r io.Reader, size int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dst := l.Path(ns, name)
	fi, err := os.Lstat(dst)
	switch {
	case err == nil && fi.Mode().IsRegular() && ns == Blobs && (size < 0 || fi.Size() == size):
		// Same name means same bytes, unless a crash left the file short.
		return nil
	case err == nil && fi.IsDir():
		// A directory where the object belongs blocks the rename; an
		// empty one litho may remove, anything in it is not litho's.
		if err := os.Remove(dst); err != nil {
			return fmt.Errorf("%s/%s: a directory is where the object belongs and cannot be removed: %w", ns, name, err)
		}
	}
	if err := l.mkdir(filepath.Dir(dst)); err != nil {
		return err
	}
	// Blobs skip fsync: they are verified on every read, so one lost in a
	// crash is detected and recomputed. Records and run logs are the
	// commit points and are synced.
	return l.install(dst, ctxReader{ctx, r}, size, ns != Blobs)
}

// install writes r to a temporary file and renames it to dst, so that no
// reader sees a partial file; size < 0 means unknown.
func (l *Local) install(dst string, r io.Reader, size int64, sync bool) error {
	tmp, err := CreateTemp(l.TempDir(), "save-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, r)
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("short write: %d of %d bytes", n, size)
	}
	if err == nil && sync {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// CreateTemp creates a new file in dir, its name the pattern with the
// last "*" replaced by random digits. Unlike os.CreateTemp it asks for
// mode 0666, so the umask decides who may read it, as for any file the
// user writes.
func CreateTemp(dir, pattern string) (*os.File, error) {
	prefix, suffix := pattern, ""
	if i := strings.LastIndex(pattern, "*"); i >= 0 {
		prefix, suffix = pattern[:i], pattern[i+1:]
	}
	for range 10000 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10)+suffix)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("create a temporary file in %s: every name tried exists", dir)
}

// InstallTemp writes b to tmp, a file from CreateTemp, closes it and
// renames it to dst once ready (when not nil) returns nil; on any failure
// it removes tmp, so that neither a partial dst nor the temporary file
// is left.
func InstallTemp(tmp *os.File, b []byte, dst string, ready func() error) error {
	_, err := tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && ready != nil {
		err = ready()
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// mkdir creates a shard directory once per process.
func (l *Local) mkdir(dir string) error {
	if _, ok := l.dirs.Load(dir); ok {
		return nil
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	l.dirs.Store(dir, true)
	return nil
}

// Open implements Backend. Only a regular file is an object: anything
// else at its path (a directory) is reported as no object, so that the
// stage is recomputed and Save puts the object in its place.
func (l *Local) Open(ctx context.Context, ns Namespace, name string) (io.ReadCloser, error) {
	f, err := os.Open(l.Path(ns, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s/%s: %w", ns, name, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, notObject(ns, name, err)
	}
	return f, nil
}

// Stat implements Backend; like Open, it takes only a regular file for an
// object.
func (l *Local) Stat(ctx context.Context, ns Namespace, name string) (Info, error) {
	fi, err := os.Stat(l.Path(ns, name))
	if errors.Is(err, fs.ErrNotExist) {
		return Info{}, fmt.Errorf("%s/%s: %w", ns, name, ErrNotFound)
	}
	if err != nil || !fi.Mode().IsRegular() {
		return Info{}, notObject(ns, name, err)
	}
	return Info{Name: name, Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// notObject is the error for a path that holds no regular file: err when
// it could not be examined, else not found.
func notObject(ns Namespace, name string, err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%s/%s: not a regular file: %w", ns, name, ErrNotFound)
}

// Remove implements Backend.
func (l *Local) Remove(ctx context.Context, ns Namespace, name string) error {
	err := os.Remove(l.Path(ns, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// List implements Backend.
func (l *Local) List(ctx context.Context, ns Namespace, fn func(Info) error) error {
	base := filepath.Join(l.root, string(ns))
	return filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		// Only a regular file where Save puts its name is an object: a
		// symlink, or a file at another path, litho did not write, and
		// Remove would act on another path than the one listed.
		if !d.Type().IsRegular() || p != l.Path(ns, d.Name()) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil // removed while listing
		}
		return fn(Info{Name: d.Name(), Size: fi.Size(), ModTime: fi.ModTime()})
	})
}

// ctxReader stops a long copy when the context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
