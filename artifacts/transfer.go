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

// RecordRefs lists what a stored record names: the blobs it reaches and
// the records it links to (a mapped stage's partition records). The record
// format belongs to the runner, so callers supply the parser.
type RecordRefs func(record []byte) (blobs []Digest, records []string, err error)

// TransferRecords copies the records named by keys, the records they link
// to and every blob they reach, from one backend to another. Blobs go
// first, then linked records before the records that link to them, so the
// destination never holds a record whose objects are missing.
func TransferRecords(ctx context.Context, from, to Backend, keys []string, refs RecordRefs, parallel int) (TransferStats, error) {
	var levels [][]string
	var blobs []string
	seen := map[string]bool{}
	seenBlob := map[Digest]bool{}
	for level := keys; len(level) > 0; {
		var next, cur []string
		for _, key := range level {
			if seen[key] {
				continue
			}
			seen[key] = true
			cur = append(cur, key)
			bs, rs, err := readRefs(ctx, from, key, refs)
			if err != nil {
				return TransferStats{}, err
			}
			for _, d := range bs {
				if !seenBlob[d] {
					seenBlob[d] = true
					blobs = append(blobs, string(d))
				}
			}
			next = append(next, rs...)
		}
		levels = append(levels, cur)
		level = next
	}
	total, err := Transfer(ctx, from, to, Blobs, blobs, parallel)
	for i := len(levels) - 1; i >= 0 && err == nil; i-- {
		var st TransferStats
		st, err = Transfer(ctx, from, to, Records, levels[i], parallel)
		total.Copied += st.Copied
		total.Skipped += st.Skipped
		total.Bytes += st.Bytes
	}
	return total, err
}

// readRefs reads a record and lists what it names.
func readRefs(ctx context.Context, be Backend, key string, refs RecordRefs) ([]Digest, []string, error) {
	rec, err := readObject(ctx, be, Records, key)
	if err != nil {
		return nil, nil, fmt.Errorf("read record %s from %s: %w", key, be.Location(), err)
	}
	bs, rs, err := refs(rec)
	if err != nil {
		return nil, nil, fmt.Errorf("record %s in %s: %w", key, be.Location(), err)
	}
	return bs, rs, nil
}

// reach follows records from roots and returns the blobs they reach and
// the records visited. Linked records that do not exist are skipped (a
// partition record may have been replaced meanwhile).
func reach(ctx context.Context, be Backend, roots []string, refs RecordRefs) (map[Digest]bool, map[string]bool, error) {
	blobs := map[Digest]bool{}
	recs := map[string]bool{}
	queue := append([]string(nil), roots...)
	for len(queue) > 0 {
		key := queue[0]
		queue = queue[1:]
		if recs[key] {
			continue
		}
		bs, rs, err := readRefs(ctx, be, key, refs)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		recs[key] = true
		for _, d := range bs {
			blobs[d] = true
		}
		queue = append(queue, rs...)
	}
	return blobs, recs, nil
}

func readObject(ctx context.Context, be Backend, ns Namespace, name string) ([]byte, error) {
	rc, err := be.Open(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
