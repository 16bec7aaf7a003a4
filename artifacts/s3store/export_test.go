package s3store

import (
	"bytes"
	"context"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"litho/artifacts"
)

// Internals the external tests (package s3store_test, which can import
// s3test) reach for.

var ParseURL = parseURL

func (b *Backend) Client() *minio.Client                                   { return b.client }
func (b *Backend) Bucket() string                                          { return b.bucket }
func (b *Backend) Prefix() string                                          { return b.prefix }
func (b *Backend) SetRefreshAfter(d time.Duration)                         { b.refreshAfter = d }
func (b *Backend) Fail(op string, err error) error                         { return b.fail(op, err) }
func (b *Backend) Key(ns artifacts.Namespace, name string) (string, error) { return b.key(ns, name) }

// Offline is a backend with these credentials and no connection, for
// testing error texts.
func Offline(id, secret string) *Backend {
	p := &sourced{Provider: static(id, secret, ""), source: "test"}
	b := &Backend{creds: credentials.New(p), provider: p, bucket: "bucket", prefix: "p", endpoint: "e"}
	b.creds.Get() // as Open does: the values are known before any error
	return b
}

func (b *Backend) PutIfAbsent(ctx context.Context, key string, data []byte) error {
	return b.put(ctx, key, bytes.NewReader(data), int64(len(data)), true)
}
