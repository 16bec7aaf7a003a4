package s3store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/minio/minio-go/v7"
)

// maxResumes bounds how often one download reconnects after a broken
// connection before the error is returned.
const maxResumes = 4

// objectReader reads one object and, when the connection breaks
// mid-object, resumes at the current offset with a ranged request, backing
// off between attempts. The ETag pins the version: if the object was
// replaced meanwhile the read fails rather than splicing two versions.
type objectReader struct {
	b       *Backend
	ctx     context.Context
	key     string
	obj     *minio.Object
	size    int64
	etag    string
	off     int64
	resumes int
}

func (r *objectReader) Read(p []byte) (int, error) {
	for {
		n, err := r.obj.Read(p)
		r.off += int64(n)
		switch {
		case err == nil || err == io.EOF:
			return n, err
		case n > 0:
			return n, nil // the next Read meets the error again and resumes
		}
		if rerr := r.resume(err); rerr != nil {
			return 0, rerr
		}
	}
}

// resume reopens the object at the current offset after err, or says why not.
func (r *objectReader) resume(err error) error {
	if r.ctx.Err() != nil || r.resumes >= maxResumes || minio.ToErrorResponse(err).Code != "" || r.off >= r.size {
		return r.b.fail("read "+r.key, err)
	}
	r.resumes++
	select {
	case <-time.After(time.Duration(r.resumes*r.resumes) * 100 * time.Millisecond):
	case <-r.ctx.Done():
		return r.b.fail("read "+r.key, r.ctx.Err())
	}
	r.obj.Close()
	obj, info, gerr := r.b.get(r.ctx, r.key, r.off)
	if gerr != nil {
		return r.b.fail("resume "+r.key, errors.Join(err, gerr))
	}
	if info.ETag != r.etag {
		obj.Close()
		return r.b.fail("resume "+r.key, fmt.Errorf("object changed while reading (%w)", err))
	}
	r.obj = obj
	return nil
}

func (r *objectReader) Close() error { return r.obj.Close() }

// Size is the object's size, known from the response headers; transfers
// use it instead of a separate Stat request.
func (r *objectReader) Size() int64 { return r.size }
