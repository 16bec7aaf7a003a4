package artifacts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
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
	info, err := from.Stat(ctx, ns, name)
	if err != nil {
		return 0, err
	}
	rc, err := from.Open(ctx, ns, name)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	var r io.Reader = rc
	if ns == Blobs {
		r = &sizedVerifier{r: rc, h: sha256.New(), want: Digest(name), size: info.Size}
	}
	if err := to.Save(ctx, ns, name, r, info.Size); err != nil {
		return 0, err
	}
	return info.Size, nil
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

// TransferRecords copies the records named by keys, and every blob they
// reach, from one backend to another. All blobs are copied before any
// record, so the destination never holds a record whose blobs are missing.
// reach lists the blobs a record names (the runner's record format is
// parsed by the caller).
func TransferRecords(ctx context.Context, from, to Backend, keys []string, reach func(record []byte) ([]Digest, error), parallel int) (TransferStats, error) {
	var blobs []string
	seen := map[Digest]bool{}
	for _, key := range keys {
		rec, err := readObject(ctx, from, Records, key)
		if err != nil {
			return TransferStats{}, fmt.Errorf("read record %s from %s: %w", key, from.Location(), err)
		}
		ds, err := reach(rec)
		if err != nil {
			return TransferStats{}, fmt.Errorf("record %s in %s: %w", key, from.Location(), err)
		}
		for _, d := range ds {
			if !seen[d] {
				seen[d] = true
				blobs = append(blobs, string(d))
			}
		}
	}
	bs, err := Transfer(ctx, from, to, Blobs, blobs, parallel)
	if err != nil {
		return bs, err
	}
	rs, err := Transfer(ctx, from, to, Records, keys, parallel)
	return TransferStats{Copied: bs.Copied + rs.Copied, Skipped: bs.Skipped + rs.Skipped, Bytes: bs.Bytes + rs.Bytes}, err
}

func readObject(ctx context.Context, be Backend, ns Namespace, name string) ([]byte, error) {
	rc, err := be.Open(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
