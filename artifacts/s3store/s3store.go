// Package s3store is the S3-compatible artifacts.Backend (AWS S3, MinIO).
// It is the only package that imports minio-go.
//
// Layout under the bucket prefix:
//
//	PREFIX/cas/sha256/ab/<digest>  blobs (artifacts.Blobs)
//	PREFIX/ac/<key>                action records (artifacts.Records)
//	PREFIX/runs/<name>             run log (artifacts.Runs)
//
// Credentials come from the AWS credential chain (credentials.go), read
// from an explicit environment; they are never part of the configuration,
// and every error this package returns has them scrubbed.
package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"

	"litho/artifacts"
)

// Config says where the store lives. It holds no credentials.
type Config struct {
	// URL is "s3://bucket/prefix" (the prefix may be empty).
	URL string
	// Endpoint is "host:port"; empty means AWS S3.
	Endpoint string
	// Insecure selects plain HTTP; TLS is the default.
	Insecure bool
	// Region, when set, comes before the environment's (AWS_REGION,
	// AWS_DEFAULT_REGION, the profile's); with none the server's default
	// is used.
	Region string
	// Env looks up the variables the credential chain and region come
	// from (AWS_*, MINIO_*, HOME); nil reads the process environment.
	Env func(string) string
}

// Backend is an artifacts.Backend on an S3 bucket.
type Backend struct {
	client   *minio.Client
	creds    *credentials.Credentials
	provider *sourced // behind creds: what it handed out, to scrub
	source   string   // where creds come from, for messages
	bucket   string
	prefix   string // without leading or trailing slash
	endpoint string
	// refreshAfter is the age past which re-saving a blob refreshes its
	// time; it must stay well below the garbage collection grace period.
	refreshAfter time.Duration
}

var _ artifacts.Backend = (*Backend)(nil)

// partSize is the multipart part size; smaller objects go up in one
// request. Save reads a smaller object into memory when its reader cannot
// seek, so that the request can be retried; larger objects are uploaded in
// parts, and each part is retried on its own.
const partSize = 16 << 20

// Open connects to the bucket named by cfg.URL, creating it when it is
// missing and the credentials allow it.
func Open(ctx context.Context, cfg Config) (*Backend, error) {
	bucket, prefix, err := parseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = "s3.amazonaws.com"
	}
	if strings.Contains(endpoint, "@") {
		return nil, fmt.Errorf("s3 endpoint %q: must not contain credentials (they come from the AWS environment or shared files)", redactUserinfo(endpoint))
	}
	if strings.Contains(endpoint, "://") || strings.Contains(endpoint, "/") {
		return nil, fmt.Errorf("s3 endpoint %q: give host:port (plain HTTP is chosen with the insecure setting, not a scheme)", endpoint)
	}
	ch, err := resolveChain(cfg)
	if err != nil {
		return nil, fmt.Errorf("s3 %s: %w", cfg.URL, err)
	}
	creds := credentials.New(ch.provider)
	// Fetched now, so that a failure names its step of the chain once
	// instead of surfacing from the first request.
	if _, err := creds.GetWithContext(&credentials.CredContext{Context: ctx}); err != nil {
		return nil, fmt.Errorf("s3 %s: %w", cfg.URL, err)
	}
	client, err := minio.New(endpoint, &minio.Options{
		Creds:     creds,
		Secure:    !cfg.Insecure,
		Region:    ch.region,
		Transport: transport(),
	})
	if err != nil {
		return nil, fmt.Errorf("s3 endpoint %s: %w", endpoint, err)
	}
	b := &Backend{client: client, creds: creds, provider: ch.provider, source: ch.source, bucket: bucket, prefix: prefix, endpoint: endpoint, refreshAfter: time.Hour}
	if err := b.ensureBucket(ctx, ch.region); err != nil {
		return nil, b.fail("open bucket", err)
	}
	return b, nil
}

// CredentialSource says which step of the credential chain the backend's
// credentials come from (never the credentials themselves).
func (b *Backend) CredentialSource() string { return b.source }

// transport allows enough idle connections per host for parallel transfers.
func transport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	t.DisableCompression = true
	return t
}

// redactUserinfo hides what precedes the last "@" of an address (and
// follows a scheme): a user name and secret typed into it.
func redactUserinfo(addr string) string {
	at := strings.LastIndex(addr, "@")
	if at < 0 {
		return addr
	}
	scheme := ""
	if i := strings.Index(addr[:at], "://"); i >= 0 {
		scheme = addr[:i+3]
	}
	return scheme + "[redacted]" + addr[at:]
}

func parseURL(raw string) (bucket, prefix string, err error) {
	if strings.Contains(raw, "@") {
		// Do not echo the URL: it may hold a credential.
		return "", "", errors.New("remote URL must not contain credentials (they come from the AWS environment or shared files)")
	}
	if strings.ContainsAny(raw, "?#") {
		// Nor a query: it may hold a signature or token.
		return "", "", errors.New("remote URL must be s3://bucket/prefix, without a query or fragment")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return "", "", fmt.Errorf("remote %q: want s3://bucket/prefix", raw)
	}
	if err := s3utils.CheckValidBucketNameStrict(u.Host); err != nil {
		return "", "", fmt.Errorf("remote %q: bucket: %w", raw, err)
	}
	return u.Host, strings.Trim(u.Path, "/"), nil
}

func (b *Backend) ensureBucket(ctx context.Context, region string) error {
	ok, err := b.client.BucketExists(ctx, b.bucket)
	if err != nil || ok {
		return err
	}
	err = b.client.MakeBucket(ctx, b.bucket, minio.MakeBucketOptions{Region: region})
	if code := minio.ToErrorResponse(err).Code; code == "BucketAlreadyOwnedByYou" || code == "BucketAlreadyExists" {
		return nil // created by a concurrent host
	}
	if err != nil {
		return fmt.Errorf("bucket does not exist and could not be created: %w", err)
	}
	return nil
}

// Location implements artifacts.Backend: "s3://bucket/prefix (endpoint)".
func (b *Backend) Location() string {
	return fmt.Sprintf("s3://%s/%s (%s)", b.bucket, b.prefix, b.endpoint)
}

// Close implements artifacts.Backend.
func (b *Backend) Close() error { return nil }

// key is the object name of (ns, name).
func (b *Backend) key(ns artifacts.Namespace, name string) (string, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return "", fmt.Errorf("%s/%q: invalid object name", ns, name)
	}
	dir, err := b.dir(ns)
	if err != nil {
		return "", err
	}
	if ns == artifacts.Blobs {
		if _, err := artifacts.ParseDigest(name); err != nil {
			return "", fmt.Errorf("blob name: %w", err)
		}
		return dir + name[:2] + "/" + name, nil
	}
	return dir + name, nil
}

// dir is the key prefix (ending in "/") of a namespace.
func (b *Backend) dir(ns artifacts.Namespace) (string, error) {
	var d string
	switch ns {
	case artifacts.Blobs:
		d = "cas/sha256/"
	case artifacts.Records:
		d = "ac/"
	case artifacts.Runs:
		d = "runs/"
	default:
		return "", fmt.Errorf("unknown namespace %q", ns)
	}
	if b.prefix == "" {
		return d, nil
	}
	return b.prefix + "/" + d, nil
}

// Save implements artifacts.Backend. A blob that is already present is
// not uploaded again, and the upload itself is conditional (If-None-Match)
// so that two hosts racing on one blob never overwrite each other. A blob
// present with another size than the one being saved, or one the server
// cannot read (ErrUnreadable), is damaged (equal names mean equal bytes)
// and is replaced, so the shared store heals.
// Records and runs are replaced.
func (b *Backend) Save(ctx context.Context, ns artifacts.Namespace, name string, r io.Reader, size int64) error {
	key, err := b.key(ns, name)
	if err != nil {
		return err
	}
	damaged := false
	if ns == artifacts.Blobs {
		info, err := b.Stat(ctx, ns, name)
		switch {
		case err == nil && (size < 0 || info.Size == size):
			return b.refresh(ctx, key, info.ModTime)
		case err == nil, errors.Is(err, artifacts.ErrUnreadable):
			damaged = true
		case !errors.Is(err, artifacts.ErrNotFound):
			return err
		}
	}
	r, size, rewind, err := retryable(r, size)
	if err != nil {
		return b.fail("read "+key, err)
	}
	if damaged {
		if err := b.clear(ctx, key); err != nil {
			return err
		}
	}
	// A single-part blob upload is conditional, so that of two hosts racing
	// on one blob the second stores nothing. Multipart uploads are not
	// (servers differ on where the condition goes); the bytes a racing
	// host writes are the same anyway.
	conditional := ns == artifacts.Blobs && !damaged && size >= 0 && size < partSize
	err = b.put(ctx, key, r, size, conditional)
	if conditional && minio.ToErrorResponse(err).Code == "NotImplemented" {
		if err = rewind(); err == nil {
			err = b.put(ctx, key, r, size, false)
		}
	}
	if code := minio.ToErrorResponse(err).Code; code == minio.PreconditionFailed {
		return nil // another writer stored the same bytes first
	}
	if err != nil {
		return b.fail("put "+key, err)
	}
	return nil
}

// clear removes a damaged blob before its good copy is put in its place.
// MinIO refuses both a delete and a put over an object whose metadata it
// cannot read; its force delete (ignored elsewhere) removes such an
// object, and, on its disk, nothing else: no key lives below a blob's.
func (b *Backend) clear(ctx context.Context, key string) error {
	err := b.client.RemoveObject(ctx, b.bucket, key, minio.RemoveObjectOptions{})
	if minio.ToErrorResponse(err).Code == "InternalError" {
		err = b.client.RemoveObject(ctx, b.bucket, key, minio.RemoveObjectOptions{ForceDelete: true})
	}
	if err != nil {
		return b.fail("remove damaged "+key, err)
	}
	return nil
}

func (b *Backend) put(ctx context.Context, key string, r io.Reader, size int64, ifNoneMatch bool) error {
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream", PartSize: partSize}
	if ifNoneMatch {
		opts.SetMatchETagExcept("*")
	}
	_, err := b.client.PutObject(ctx, b.bucket, key, r, size, opts)
	return err
}

// refresh gives an old blob that is being saved again a new modification
// time (a metadata-only copy onto itself), so that garbage collection,
// which spares blobs younger than its grace period, cannot delete it
// while the record that names it is being published.
func (b *Backend) refresh(ctx context.Context, key string, mod time.Time) error {
	if time.Since(mod) < b.refreshAfter {
		return nil
	}
	_, err := b.client.CopyObject(ctx,
		minio.CopyDestOptions{Bucket: b.bucket, Object: key, ReplaceMetadata: true,
			UserMetadata: map[string]string{"Litho-Refreshed": time.Now().UTC().Format(time.RFC3339)}},
		minio.CopySrcOptions{Bucket: b.bucket, Object: key})
	if err != nil {
		return b.fail("refresh "+key, err)
	}
	return nil
}

// retryable returns a reader minio-go can rewind for a retry (seekable
// readers already are; small ones are read into memory) and a function
// that rewinds it for a second attempt of our own. A large stream is
// returned as it is: it is uploaded in parts, each retried on its own, and
// its rewind fails.
func retryable(r io.Reader, size int64) (io.Reader, int64, func() error, error) {
	if s, ok := r.(io.Seeker); ok {
		start, err := s.Seek(0, io.SeekCurrent)
		return r, size, func() error { _, err := s.Seek(start, io.SeekStart); return err }, err
	}
	noRewind := func() error { return errors.New("cannot retry the upload of a stream") }
	if size >= partSize {
		return r, size, noRewind, nil
	}
	b, err := io.ReadAll(io.LimitReader(r, partSize))
	if err != nil {
		return nil, 0, nil, err
	}
	if size >= 0 && int64(len(b)) != size {
		return nil, 0, nil, fmt.Errorf("read %d bytes, want %d", len(b), size)
	}
	if len(b) == partSize { // unknown size turned out large: stream the rest
		return io.MultiReader(bytes.NewReader(b), r), size, noRewind, nil
	}
	br := bytes.NewReader(b)
	return br, int64(len(b)), func() error { _, err := br.Seek(0, io.SeekStart); return err }, nil
}

// Open implements artifacts.Backend. The returned reader resumes with a
// ranged request when a connection breaks mid-object.
func (b *Backend) Open(ctx context.Context, ns artifacts.Namespace, name string) (io.ReadCloser, error) {
	key, err := b.key(ns, name)
	if err != nil {
		return nil, err
	}
	obj, info, err := b.get(ctx, key, 0)
	if err != nil {
		return nil, b.notFound(ns, name, "get "+key, err)
	}
	return &objectReader{b: b, ctx: ctx, key: key, obj: obj, size: info.Size, etag: info.ETag}, nil
}

// get opens key at offset and waits for the response headers, so that a
// missing object is reported by Open rather than by the first Read.
func (b *Backend) get(ctx context.Context, key string, offset int64) (*minio.Object, minio.ObjectInfo, error) {
	var opts minio.GetObjectOptions
	if offset > 0 {
		if err := opts.SetRange(offset, 0); err != nil {
			return nil, minio.ObjectInfo{}, err
		}
	}
	obj, err := b.client.GetObject(ctx, b.bucket, key, opts)
	if err != nil {
		return nil, minio.ObjectInfo{}, err
	}
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, minio.ObjectInfo{}, err
	}
	return obj, info, nil
}

// Stat implements artifacts.Backend.
func (b *Backend) Stat(ctx context.Context, ns artifacts.Namespace, name string) (artifacts.Info, error) {
	key, err := b.key(ns, name)
	if err != nil {
		return artifacts.Info{}, err
	}
	oi, err := b.client.StatObject(ctx, b.bucket, key, minio.StatObjectOptions{})
	if minio.ToErrorResponse(err).Code == "InternalError" {
		// The server answered about this object and could not read it.
		return artifacts.Info{}, b.fail("stat "+key, errors.Join(artifacts.ErrUnreadable, err))
	}
	if err != nil {
		return artifacts.Info{}, b.notFound(ns, name, "stat "+key, err)
	}
	return artifacts.Info{Name: name, Size: oi.Size, ModTime: oi.LastModified}, nil
}

// Remove implements artifacts.Backend; removing a missing object is not an error.
func (b *Backend) Remove(ctx context.Context, ns artifacts.Namespace, name string) error {
	key, err := b.key(ns, name)
	if err != nil {
		return err
	}
	if err := b.client.RemoveObject(ctx, b.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return b.fail("remove "+key, err)
	}
	return nil
}

// List implements artifacts.Backend.
func (b *Backend) List(ctx context.Context, ns artifacts.Namespace, fn func(artifacts.Info) error) error {
	dir, err := b.dir(ns)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing goroutine when fn fails
	for oi := range b.client.ListObjects(ctx, b.bucket, minio.ListObjectsOptions{Prefix: dir, Recursive: true}) {
		if oi.Err != nil {
			return b.fail("list "+dir, oi.Err)
		}
		// Only an object where Save puts its name is one: another key
		// (deeper, or in another shard) is not litho's, and Remove would
		// act on another key than the one listed.
		name := path.Base(oi.Key)
		if k, err := b.key(ns, name); err != nil || k != oi.Key {
			continue
		}
		if err := fn(artifacts.Info{Name: name, Size: oi.Size, ModTime: oi.LastModified}); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// notFound maps a missing object to artifacts.ErrNotFound.
func (b *Backend) notFound(ns artifacts.Namespace, name, op string, err error) error {
	switch minio.ToErrorResponse(err).Code {
	case minio.NoSuchKey, "NoSuchObject", "NotFound":
		return fmt.Errorf("%s/%s: %w", ns, name, artifacts.ErrNotFound)
	}
	return b.fail(op, err)
}

// fail wraps err with the operation and the store location and scrubs any
// credential value from its text.
func (b *Backend) fail(op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("s3 %s: %s: %w", b.Location(), op, err)
	}
	return &scrubbedError{
		msg: scrub(fmt.Sprintf("s3 %s: %s: %v", b.Location(), op, err), b.secrets()),
		err: err,
	}
}

// secrets are the credential values that must never appear in text.
func (b *Backend) secrets() []string { return b.provider.secrets() }

// scrubbedError keeps the original error for errors.Is/As but never shows
// its text, which may quote a credential.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

func scrub(s string, secrets []string) string {
	for _, v := range secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "[redacted]")
		}
	}
	return s
}
