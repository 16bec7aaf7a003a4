package artifacts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// TransferStats counts what a transfer moved.
type TransferStats struct {
	Copied  int   // objects copied
	Skipped int   // blobs already at the destination
	Bytes   int64 // bytes copied
}

// Transfer copies the named objects of namespace ns from one backend to
// another with up to parallel copies at once (push and pull). Blobs already
// at the destination are skipped; every blob copied is verified against its
// digest on the way and is not saved when it does not match (a
// *CorruptError). Records and runs are copied as they are. The first error
// stops the transfer.
func Transfer(ctx context.Context, from, to Backend, ns Namespace, names []string, parallel int) (TransferStats, error) {
	var (
		st      TransferStats
		copied  atomic.Int64
		skipped atomic.Int64
		bytes   atomic.Int64
	)
	err := forEach(ctx, names, parallel, func(ctx context.Context, name string) error {
		n, err := copyObject(ctx, from, to, ns, name)
		switch {
		case err != nil:
			var ce *CorruptError
			if errors.As(err, &ce) && ce.Where == "" {
				ce.Where = from.Location()
			}
			return fmt.Errorf("copy %s/%s from %s to %s: %w", ns, name, from.Location(), to.Location(), err)
		case n < 0:
			skipped.Add(1)
		default:
			copied.Add(1)
			bytes.Add(n)
		}
		return nil
	})
	st.Copied, st.Skipped, st.Bytes = int(copied.Load()), int(skipped.Load()), bytes.Load()
	return st, err
}

// copyObject copies one object and returns its size, or -1 when the
// destination already had the blob.
func copyObject(ctx context.Context, from, to Backend, ns Namespace, name string) (int64, error) {
	if ns == Blobs {
		if _, err := to.Stat(ctx, ns, name); err == nil {
			return -1, nil
		} else if !errors.Is(err, ErrNotFound) {
			return 0, err
		}
	}
	rc, err := from.Open(ctx, ns, name)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	size, err := sizeOf(ctx, from, ns, name, rc)
	if err != nil {
		return 0, err
	}
	if err := to.Save(ctx, ns, name, verified(ctx, ns, name, rc, size), size); err != nil {
		return 0, err
	}
	return size, nil
}

// sizeOf is the size of an opened object: from the reader when it knows
// (a file, or an S3 object whose response said), saving a round trip per
// object, else from Stat.
func sizeOf(ctx context.Context, be Backend, ns Namespace, name string, rc io.ReadCloser) (int64, error) {
	switch r := rc.(type) {
	case *os.File:
		fi, err := r.Stat()
		if err != nil {
			return 0, err
		}
		return fi.Size(), nil
	case interface{ Size() int64 }:
		return r.Size(), nil
	}
	info, err := be.Stat(ctx, ns, name)
	return info.Size, err
}

// verified returns a reader over a blob that fails rather than deliver
// bytes that do not match its name. A local file keeps its ability to
// seek and read at offsets (retries, parallel multipart upload); any
// other stream is checked as it is read.
func verified(ctx context.Context, ns Namespace, name string, rc io.ReadCloser, size int64) io.Reader {
	if ns != Blobs {
		return rc
	}
	if f, ok := rc.(*os.File); ok {
		return &verifiedFile{ctx: ctx, f: f, size: size, want: Digest(name)}
	}
	return &sizedVerifier{r: rc, h: sha256.New(), want: Digest(name), size: size}
}

// sizedVerifier hashes a blob of known size as it is read and fails the
// read that completes it, or the one that reaches EOF early or runs past
// it, when the bytes do not match. Checking at the last byte matters: a
// sized upload stops reading there and never sees EOF.
type sizedVerifier struct {
	r    io.Reader
	h    hash.Hash
	want Digest
	size int64
	n    int64
	err  error
}

func (v *sizedVerifier) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if v.n > v.size {
		v.err = fmt.Errorf("blob %s: more than the %d bytes stated", v.want.Short(), v.size)
		return n, v.err
	}
	if v.n == v.size || err == io.EOF {
		if got := Digest(hex.EncodeToString(v.h.Sum(nil))); got != v.want {
			v.err = &CorruptError{Digest: v.want, Got: got}
			return n, v.err
		}
	}
	return n, err
}

// forEach calls fn for each name with up to parallel calls at once; the
// first error cancels the rest and is returned.
func forEach(ctx context.Context, names []string, parallel int, fn func(context.Context, string) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan string)
	var wg sync.WaitGroup
	for range max(1, min(parallel, len(names))) {
		wg.Go(func() {
			for name := range work {
				if err := fn(ctx, name); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for _, name := range names {
		select {
		case work <- name:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

// TransferRecords copies the records named by keys, the records they link
// to and every blob they reach, from one backend to another. Blobs go
// first, then linked records before the records that link to them, so the
// destination never holds a record whose objects are missing; a named
// record that from lacks stops the transfer before anything is copied.
func TransferRecords(ctx context.Context, from, to Backend, keys []string, refs RecordRefs, parallel int) (TransferStats, error) {
	g, err := Walk(ctx, from, keys, refs)
	if err != nil {
		return TransferStats{}, err
	}
	if len(g.Missing) > 0 {
		return TransferStats{}, fmt.Errorf("read record %s from %s: %w", g.Missing[0], from.Location(), ErrNotFound)
	}
	blobs := make([]string, len(g.Blobs))
	for i, d := range g.Blobs {
		blobs[i] = string(d)
	}
	total, err := Transfer(ctx, from, to, Blobs, blobs, parallel)
	for i := len(g.Levels) - 1; i >= 0 && err == nil; i-- {
		var st TransferStats
		st, err = Transfer(ctx, from, to, Records, g.Levels[i], parallel)
		total.Copied += st.Copied
		total.Skipped += st.Skipped
		total.Bytes += st.Bytes
	}
	return total, err
}

// ReadObject returns the bytes of an object in be.
func ReadObject(ctx context.Context, be Backend, ns Namespace, name string) ([]byte, error) {
	rc, err := be.Open(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
