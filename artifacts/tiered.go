package artifacts

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
)

// Tiered is a local store in front of a remote one. Reads fall through to
// the remote and fill the local store; a blob's digest is verified before
// it enters the local store, so a corrupted remote object is reported with
// a *CorruptError and never used. Writes go to the local store, then to the
// remote, synchronously: when Save returns, the object is in both. Because
// the runner saves blobs before the record that names them, a record
// reaches the remote only after its blobs. Remove removes from both tiers;
// the Store drops a bad local copy alone (forget) to fetch it again.
type Tiered struct {
	local    *Local
	remote   Backend
	log      *slog.Logger
	readOnly bool // see ReadOnly
}

// NewTiered stacks local in front of remote. log hears of the corrupt
// remote objects the store removes (nil discards).
func NewTiered(local *Local, remote Backend, log *slog.Logger) *Tiered {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Tiered{local: local, remote: remote, log: log}
}

// Location implements Backend.
func (t *Tiered) Location() string {
	return t.local.Location() + " → " + t.remote.Location()
}

// Close implements Backend.
func (t *Tiered) Close() error {
	return errors.Join(t.local.Close(), t.remote.Close())
}

// Save implements Backend. The remote copy is uploaded from the local one,
// which is verified first, so that a local copy damaged on disk is never
// published.
func (t *Tiered) Save(ctx context.Context, ns Namespace, name string, r io.Reader, size int64) error {
	if t.readOnly {
		return readOnlyError("save", ns, name, t.Location())
	}
	if err := t.local.Save(ctx, ns, name, r, size); err != nil {
		return fmt.Errorf("save %s/%s in %s: %w", ns, name, t.local.Location(), err)
	}
	if err := t.upload(ctx, ns, name); err != nil {
		return fmt.Errorf("save %s/%s in %s: %w", ns, name, t.remote.Location(), err)
	}
	return nil
}

// upload copies the local object to the remote. The remote's Save skips
// (and, on S3, refreshes) a blob it already has without reading it, so
// the local file is hashed only when it is actually uploaded.
func (t *Tiered) upload(ctx context.Context, ns Namespace, name string) error {
	f, err := os.Open(t.local.Path(ns, name))
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	var r io.Reader = f
	if ns == Blobs {
		r = &verifiedFile{ctx: ctx, f: f, size: fi.Size(), want: Digest(name), where: t.local.Location(), onBad: func() {
			_ = t.local.Remove(context.WithoutCancel(ctx), ns, name)
		}}
	}
	return t.remote.Save(ctx, ns, name, r, fi.Size())
}

// Open implements Backend.
func (t *Tiered) Open(ctx context.Context, ns Namespace, name string) (io.ReadCloser, error) {
	rc, err := t.local.Open(ctx, ns, name)
	if !errors.Is(err, ErrNotFound) {
		return rc, err
	}
	if t.readOnly {
		return t.openRemote(ctx, ns, name)
	}
	if err := t.fill(ctx, ns, name); err != nil {
		return nil, err
	}
	return t.local.Open(ctx, ns, name)
}

// openRemote streams an object from the remote, verifying blobs, and
// leaves both tiers as they are: a read-only stack neither fills the
// local store nor removes a corrupt remote copy.
func (t *Tiered) openRemote(ctx context.Context, ns Namespace, name string) (io.ReadCloser, error) {
	rc, err := t.remote.Open(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	rc = remoteReader{ReadCloser: rc, t: t, ns: ns, name: name}
	if ns != Blobs {
		return rc, nil
	}
	return &verifyingReader{rc: rc, h: sha256.New(), want: Digest(name), where: t.remote.Location(), onBad: func(ce *CorruptError) {
		ce.Kept = readOnlyError("remove", ns, name, t.remote.Location())
	}}, nil
}

// fill copies an object from the remote into the local store, verifying
// blobs. A remote blob whose bytes do not match its name is removed from
// the remote too: since saves skip blobs that are present, leaving it
// would block the good copy from ever being uploaded again.
func (t *Tiered) fill(ctx context.Context, ns Namespace, name string) error {
	rc, err := t.remote.Open(ctx, ns, name)
	if err != nil {
		return err
	}
	defer rc.Close()
	var r io.Reader = rc
	if ns == Blobs {
		r = &verifyingReader{rc: rc, h: sha256.New(), want: Digest(name), where: t.remote.Location()}
	}
	err = t.local.Save(ctx, ns, name, r, -1)
	var ce *CorruptError
	if errors.As(err, &ce) {
		t.log.Warn("corrupt remote object removed", "object", string(ns)+"/"+name, "store", t.remote.Location(), "content", ce.Got.Short())
		if rerr := t.remote.Remove(context.WithoutCancel(ctx), ns, name); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	if err != nil {
		return t.unreadable("fetch", ns, name, err)
	}
	return nil
}

// unreadable wraps the error of a remote object that could not be read.
// No run works around it (its Stat still succeeds, so its stage stays
// cached), so the message says what mends it.
func (t *Tiered) unreadable(op string, ns Namespace, name string, err error) error {
	return fmt.Errorf("%s %s/%s from %s (if it stays unreadable, `litho verify --remote --repair` replaces or removes it): %w",
		op, ns, name, t.remote.Location(), err)
}

// remoteReader streams a remote object, saying what mends it when the
// stream fails.
type remoteReader struct {
	io.ReadCloser
	t    *Tiered
	ns   Namespace
	name string
}

func (r remoteReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	var ce *CorruptError
	if err != nil && err != io.EOF && !errors.As(err, &ce) {
		err = r.t.unreadable("read", r.ns, r.name, err)
	}
	return n, err
}

// Stat implements Backend.
func (t *Tiered) Stat(ctx context.Context, ns Namespace, name string) (Info, error) {
	info, err := t.local.Stat(ctx, ns, name)
	if errors.Is(err, ErrNotFound) {
		return t.remote.Stat(ctx, ns, name)
	}
	return info, err
}

// Remove implements Backend: the object goes from both tiers.
func (t *Tiered) Remove(ctx context.Context, ns Namespace, name string) error {
	if t.readOnly {
		return readOnlyError("remove", ns, name, t.Location())
	}
	if err := t.local.Remove(ctx, ns, name); err != nil {
		return err
	}
	return t.remote.Remove(ctx, ns, name)
}

// forget drops the local copy of an object only, so that the next Open
// fetches the remote's copy again (verified): how the Store recovers from
// a local copy that fails verification while other hosts' records may
// name the good one in the remote.
func (t *Tiered) forget(ctx context.Context, ns Namespace, name string) error {
	if t.readOnly {
		return readOnlyError("remove", ns, name, t.local.Location())
	}
	return t.local.Remove(ctx, ns, name)
}

// List implements Backend: the union of both tiers, each name once.
func (t *Tiered) List(ctx context.Context, ns Namespace, fn func(Info) error) error {
	seen := map[string]bool{}
	err := t.local.List(ctx, ns, func(i Info) error {
		seen[i.Name] = true
		return fn(i)
	})
	if err != nil {
		return err
	}
	return t.remote.List(ctx, ns, func(i Info) error {
		if seen[i.Name] {
			return nil
		}
		return fn(i)
	})
}

// verifiedFile hands a local blob file to an upload, hashing the whole
// file before the first byte is read, so that a file damaged on disk is
// never published (a sized upload may stop reading before EOF, where a
// streaming check would fire). It can seek and read at offsets, so the
// upload can be retried and sent in parallel parts; an upload that finds
// the blob already present reads nothing and costs no hashing.
type verifiedFile struct {
	ctx   context.Context
	f     *os.File
	size  int64
	want  Digest
	where string
	onBad func()
	once  sync.Once
	err   error
}

func (v *verifiedFile) check() error {
	v.once.Do(func() {
		got, _, err := DigestReader(ctxReader{v.ctx, io.NewSectionReader(v.f, 0, v.size)})
		switch {
		case err != nil:
			v.err = err
		case got != v.want:
			v.err = &CorruptError{Digest: v.want, Got: got, Where: v.where}
			if v.onBad != nil {
				v.onBad()
			}
		}
	})
	return v.err
}

func (v *verifiedFile) Read(p []byte) (int, error) {
	if err := v.check(); err != nil {
		return 0, err
	}
	return v.f.Read(p)
}

func (v *verifiedFile) ReadAt(p []byte, off int64) (int, error) {
	if err := v.check(); err != nil {
		return 0, err
	}
	return v.f.ReadAt(p, off)
}

func (v *verifiedFile) Seek(offset int64, whence int) (int64, error) {
	return v.f.Seek(offset, whence)
}
