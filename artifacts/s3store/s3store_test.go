package s3store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"litho/artifacts"
	"litho/artifacts/s3store"
	"litho/artifacts/s3store/s3test"
	"litho/artifacts/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) artifacts.Backend {
		be, _ := s3test.Open(t)
		return be
	})
}

func TestParseURL(t *testing.T) {
	cases := []struct {
		url, bucket, prefix string
		ok                  bool
	}{
		{"s3://bucket/a/b", "bucket", "a/b", true},
		{"s3://bucket/a/b/", "bucket", "a/b", true},
		{"s3://bucket", "bucket", "", true},
		{"s3://bucket/", "bucket", "", true},
		{"http://bucket/p", "", "", false},
		{"s3:///p", "", "", false},
		{"s3://Upper_Case/p", "", "", false},
		{"s3://key:secret@bucket/p", "", "", false},
		{"s3://key:sec%ret@bucket/p", "", "", false},
		{"s3://bucket/p?X-Amz-Signature=secret", "", "", false},
		{"s3://bucket/p#secret", "", "", false},
		{"bucket/p", "", "", false},
	}
	for _, c := range cases {
		bucket, prefix, err := s3store.ParseURL(c.url)
		if (err == nil) != c.ok || bucket != c.bucket || prefix != c.prefix {
			t.Errorf("parseURL(%q) = %q, %q, %v; want %q, %q, ok=%v", c.url, bucket, prefix, err, c.bucket, c.prefix, c.ok)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("parseURL(%q) error repeats the credential: %v", c.url, err)
		}
	}
}

func TestEndpointNeedsHostPort(t *testing.T) {
	for _, ep := range []string{"http://127.0.0.1:9000", "127.0.0.1:9000/path"} {
		_, err := s3store.Open(context.Background(), s3store.Config{URL: "s3://litho-test/p", Endpoint: ep})
		if err == nil || !strings.Contains(err.Error(), "host:port") {
			t.Errorf("endpoint %q: %v, want an error asking for host:port", ep, err)
		}
	}
}

// TestEndpointCredentialsRedacted: an endpoint with user:secret@ in it is
// refused before any connection, and the error shows neither.
func TestEndpointCredentialsRedacted(t *testing.T) {
	for _, ep := range []string{"AKIAUSER:secret@127.0.0.1:9000", "http://AKIAUSER:secret@127.0.0.1:9000",
		"AKIAUSER:sec@ret@127.0.0.1:9000", "AKIAUSER@127.0.0.1:9000/x"} {
		_, err := s3store.Open(context.Background(), s3store.Config{URL: "s3://litho-test/p", Endpoint: ep})
		if err == nil || strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "AKIAUSER") ||
			!strings.Contains(err.Error(), "[redacted]@127.0.0.1:9000") {
			t.Errorf("endpoint with credentials: %v, want a refusal with them redacted", err)
		}
	}
}

// TestLayout pins the object names other tools (and other hosts' litho
// versions) rely on.
func TestLayout(t *testing.T) {
	be, _ := s3test.Open(t)
	d := storetest.SaveBlob(t, be, []byte("blob"))
	ctx := context.Background()
	for ns, name := range map[artifacts.Namespace]string{artifacts.Records: "k1", artifacts.Runs: "r1"} {
		if err := be.Save(ctx, ns, name, strings.NewReader("{}"), 2); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for oi := range be.Client().ListObjects(ctx, be.Bucket(), minio.ListObjectsOptions{Prefix: be.Prefix() + "/", Recursive: true}) {
		if oi.Err != nil {
			t.Fatal(oi.Err)
		}
		got = append(got, strings.TrimPrefix(oi.Key, be.Prefix()+"/"))
	}
	want := []string{"ac/k1", "cas/sha256/" + string(d[:2]) + "/" + string(d), "runs/r1"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("object keys = %q, want %q", got, want)
	}
}

func TestCreatesMissingBucket(t *testing.T) {
	cfg := s3test.Config(t)
	bucket := fmt.Sprintf("litho-new-%d", time.Now().UnixNano())
	cfg.URL = "s3://" + bucket + "/p"
	be, err := s3store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open with a missing bucket: %v", err)
	}
	t.Cleanup(func() { be.Client().RemoveBucket(context.Background(), bucket) })
	ok, err := be.Client().BucketExists(context.Background(), bucket)
	if err != nil || !ok {
		t.Fatalf("bucket %s exists = %v, %v after Open; want it created", bucket, ok, err)
	}
	// A second host opening the same new bucket must not fail.
	if _, err := s3store.Open(context.Background(), cfg); err != nil {
		t.Errorf("reopen: %v", err)
	}
}

// cancelAfter cancels a context once n bytes have been read: a process
// killed in the middle of an upload.
type cancelAfter struct {
	r      io.Reader
	n      int64
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n -= int64(n)
	if c.n <= 0 {
		c.cancel()
	}
	return n, err
}

// TestInterruptedUpload: an upload cut off mid-way (multipart, so parts
// already reached the server) leaves no object under its name, and the
// next attempt completes, also when a killed process left its parts
// behind (the server expires those; they are never visible as objects).
func TestInterruptedUpload(t *testing.T) {
	be, _ := s3test.Open(t)
	b := storetest.Bytes(7, 40<<20)
	d := artifacts.DigestBytes(b)
	ctx, cancel := context.WithCancel(context.Background())
	r := &cancelAfter{r: onlyReader{bytes.NewReader(b)}, n: 20 << 20, cancel: cancel}
	if err := be.Save(ctx, artifacts.Blobs, string(d), r, int64(len(b))); err == nil {
		t.Fatal("save interrupted half-way: no error")
	}
	if _, err := be.Stat(context.Background(), artifacts.Blobs, string(d)); !errors.Is(err, artifacts.ErrNotFound) {
		t.Fatalf("after an interrupted upload, stat = %v, want ErrNotFound", err)
	}

	// A killed process never aborts its upload: leave one behind by hand.
	key, _ := be.Key(artifacts.Blobs, string(d))
	core := minio.Core{Client: be.Client()}
	id, err := core.NewMultipartUpload(context.Background(), be.Bucket(), key, minio.PutObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := core.PutObjectPart(context.Background(), be.Bucket(), key, id, 1, bytes.NewReader(b[:5<<20]), 5<<20, minio.PutObjectPartOptions{}); err != nil {
		t.Fatal(err)
	}

	if _, err := be.Stat(context.Background(), artifacts.Blobs, string(d)); !errors.Is(err, artifacts.ErrNotFound) {
		t.Fatalf("with an unfinished upload, stat = %v, want ErrNotFound", err)
	}
	if err := be.List(context.Background(), artifacts.Blobs, func(i artifacts.Info) error {
		return fmt.Errorf("unfinished upload listed as %s", i.Name)
	}); err != nil {
		t.Fatal(err)
	}
	storetest.SaveBlob(t, be, b)
	if got := storetest.MustRead(t, be, artifacts.Blobs, string(d)); !bytes.Equal(got, b) {
		t.Fatal("blob saved after an interrupted upload reads back wrong")
	}
}

type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// TestResaveRefreshesOldBlob: saving a blob that is already present
// gives it a fresh time, so GC's grace period protects it while the record
// naming it is published.
func TestResaveRefreshesOldBlob(t *testing.T) {
	be, _ := s3test.Open(t)
	be.SetRefreshAfter(0)
	b := []byte("old blob")
	d := storetest.SaveBlob(t, be, b)
	first, err := be.Stat(context.Background(), artifacts.Blobs, string(d))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // S3 times have one-second resolution
	storetest.SaveBlob(t, be, b)
	second, err := be.Stat(context.Background(), artifacts.Blobs, string(d))
	if err != nil {
		t.Fatal(err)
	}
	if !second.ModTime.After(first.ModTime) {
		t.Errorf("re-saved blob time %v, want later than %v", second.ModTime, first.ModTime)
	}
	if got := storetest.MustRead(t, be, artifacts.Blobs, string(d)); !bytes.Equal(got, b) {
		t.Error("refresh changed the blob")
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestNoCredentialsInErrors: wrong credentials and unreachable endpoints
// give errors that name the store but never a credential value.
func TestNoCredentialsInErrors(t *testing.T) {
	good := s3test.Config(t)
	const (
		key    = "AKIALITHOTESTKEY1234"
		secret = "litho-secret-Zq81xW3vB7"
		token  = "litho-session-token-Qp4"
	)
	cases := []struct {
		name     string
		endpoint string
		envKey   string
	}{
		{"wrong credentials", good.Endpoint, key},
		{"unreachable endpoint", closedPort(t), key},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{"AWS_ACCESS_KEY_ID": c.envKey, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			cfg := good
			cfg.Endpoint = c.endpoint
			cfg.Env = func(k string) string { return env[k] }
			_, err := s3store.Open(ctx, cfg)
			if err == nil {
				t.Fatal("open succeeded with bad credentials or endpoint")
			}
			t.Logf("error: %v", err)
			msg := fmt.Sprintf("%v %+v %#v", err, err, errors.Unwrap(err))
			for _, v := range []string{key, secret, token} {
				if strings.Contains(msg, v) {
					t.Errorf("error text contains a credential value: %s", msg)
				}
			}
			if !strings.Contains(err.Error(), cfg.Endpoint) {
				t.Errorf("error %q does not name the endpoint %s", err, cfg.Endpoint)
			}
		})
	}
}

// TestFailScrubs: whatever a server or library puts in an error message,
// the credential values are redacted.
func TestFailScrubs(t *testing.T) {
	err := s3store.Offline("AKIASCRUBTEST", "scrub-secret-value").Fail("put x", errors.New("denied for AKIASCRUBTEST signed with scrub-secret-value"))
	if s := err.Error(); strings.Contains(s, "AKIASCRUBTEST") || strings.Contains(s, "scrub-secret-value") || !strings.Contains(s, "[redacted]") {
		t.Errorf("fail() = %q, want both values redacted", s)
	}
}

// TestTLSByDefault: without Insecure the client speaks TLS, so the
// plain-HTTP test server is refused rather than silently used.
func TestTLSByDefault(t *testing.T) {
	cfg := s3test.Config(t)
	cfg.Insecure = false
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s3store.Open(ctx, cfg); err == nil {
		t.Fatal("TLS connection to a plain-HTTP server succeeded")
	}
}

// TestConditionalWrite: the server refuses a blob upload over an existing
// object (If-None-Match), so a racing host cannot replace a blob.
func TestConditionalWrite(t *testing.T) {
	be, _ := s3test.Open(t)
	first := []byte("first bytes")
	d := storetest.SaveBlob(t, be, first)
	key, _ := be.Key(artifacts.Blobs, string(d))
	err := be.PutIfAbsent(context.Background(), key, []byte("other bytes"))
	if code := minio.ToErrorResponse(err).Code; code != minio.PreconditionFailed {
		t.Fatalf("conditional put over an existing blob: %v (code %q), want PreconditionFailed", err, code)
	}
	if got := storetest.MustRead(t, be, artifacts.Blobs, string(d)); !bytes.Equal(got, first) {
		t.Errorf("blob replaced: %q", got)
	}
}

// TestGCLeavesForeignKeys: in a real bucket, keys under the prefix that
// litho would not have written (another shard, deeper paths, names litho
// never gives) are not listed or not collected: gc --remote's collection,
// with everything past its grace period, deletes the unreachable blob
// and record litho wrote and none of them.
func TestGCLeavesForeignKeys(t *testing.T) {
	be, _ := s3test.Open(t)
	ctx := context.Background()
	orphan := storetest.SaveBlob(t, be, []byte("a real orphan"))
	key := string(artifacts.DigestBytes([]byte("a record")))
	if err := be.Save(ctx, artifacts.Records, key, strings.NewReader(`{"outputs":{}}`), -1); err != nil {
		t.Fatal(err)
	}
	d := string(artifacts.DigestBytes([]byte("never stored")))
	foreign := []string{"cas/sha256/ab/notes.txt", "cas/sha256/zz/" + d, "cas/sha256/" + d[:2] + "/sub/" + d,
		"cas/" + d, "ac/notes.txt", "ac/sub/" + key, "runs/notes", "README"}
	for _, k := range foreign {
		if _, err := be.Client().PutObject(ctx, be.Bucket(), be.Prefix()+"/"+k, strings.NewReader("mine"), 4, minio.PutObjectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	refs := func([]byte) ([]artifacts.Digest, []string, error) { return nil, nil, nil }
	st, err := artifacts.GC(ctx, be, artifacts.GCOptions{Refs: refs, Retain: func(string) bool { return false },
		Now: time.Now().Add(48 * time.Hour)})
	if err != nil || st.BlobsDeleted != 1 || st.RecordsDeleted != 1 {
		t.Fatalf("gc: %+v, %v; want the orphan blob and the record deleted", st, err)
	}
	for _, k := range foreign {
		if _, err := be.Client().StatObject(ctx, be.Bucket(), be.Prefix()+"/"+k, minio.StatObjectOptions{}); err != nil {
			t.Errorf("gc deleted %s: %v", k, err)
		}
	}
	if _, err := be.Stat(ctx, artifacts.Blobs, string(orphan)); !errors.Is(err, artifacts.ErrNotFound) {
		t.Errorf("the orphan blob survived: %v", err)
	}
}

// TestSaveReplacesWrongSizeBlob: a blob stored with the wrong size (put
// there behind litho's back) is replaced by the next Save of that blob,
// while one of the right size is left as it is.
func TestSaveReplacesWrongSizeBlob(t *testing.T) {
	be, _ := s3test.Open(t)
	ctx := context.Background()
	good := storetest.Bytes(41, 3000)
	d := artifacts.DigestBytes(good)
	key, _ := be.Key(artifacts.Blobs, string(d))
	if _, err := be.Client().PutObject(ctx, be.Bucket(), key, bytes.NewReader(good[:100]), 100, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := be.Save(ctx, artifacts.Blobs, string(d), bytes.NewReader(good), int64(len(good))); err != nil {
		t.Fatal(err)
	}
	if got := storetest.MustRead(t, be, artifacts.Blobs, string(d)); !bytes.Equal(got, good) {
		t.Errorf("after Save the blob has %d bytes, want the good %d", len(got), len(good))
	}
}
