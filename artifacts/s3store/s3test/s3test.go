// Package s3test connects tests to the MinIO server that scripts/test.sh
// starts. Without one the tests skip, except under CI=true, where a
// missing server is a failure: CI must never pass by skipping.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"litho/artifacts/s3store"
)

// EnvEndpoint names the variable scripts/test.sh sets to MinIO's host:port.
const EnvEndpoint = "LITHO_TEST_S3_ENDPOINT"

// EnvData names the variable scripts/test.sh sets to MinIO's data directory.
const EnvData = "LITHO_TEST_S3_DATA"

// Bucket is the bucket tests share; each test works under its own prefix.
const Bucket = "litho-test"

// Endpoint returns the test server's host:port, or skips the test.
func Endpoint(t testing.TB) string {
	t.Helper()
	ep := os.Getenv(EnvEndpoint)
	if ep != "" {
		return ep
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: run the tests with scripts/test.sh, which starts MinIO", EnvEndpoint)
	}
	t.Skipf("%s not set (run scripts/test.sh for the S3 tests)", EnvEndpoint)
	return ""
}

var unsafe = regexp.MustCompile(`[^a-z0-9-]+`)

// Config returns a configuration for a fresh, unique prefix in Bucket.
func Config(t testing.TB) s3store.Config {
	t.Helper()
	ep := Endpoint(t)
	var r [4]byte
	rand.Read(r[:])
	name := strings.Trim(unsafe.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	return s3store.Config{
		URL:      "s3://" + Bucket + "/" + name + "-" + hex.EncodeToString(r[:]),
		Endpoint: ep,
		Insecure: true,
	}
}

// CLIEnv is the environment that points litho's command line at cfg's
// prefix of the test server.
func CLIEnv(cfg s3store.Config) []string {
	return []string{"LITHO_REMOTE=" + cfg.URL, "LITHO_S3_ENDPOINT=" + cfg.Endpoint, "LITHO_S3_INSECURE=1"}
}

// Open opens a backend on a fresh prefix.
func Open(t testing.TB) (*s3store.Backend, s3store.Config) {
	t.Helper()
	cfg := Config(t)
	be, err := s3store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open %s: %v", cfg.URL, err)
	}
	t.Cleanup(func() { be.Close() })
	return be, cfg
}

// Unreadable damages the stored bytes of the object at key under cfg's
// prefix (a small one, which MinIO keeps inline in its xl.meta) behind
// MinIO's back, so that MinIO still lists and stats it but reports it
// unreadable on GET, as after bit rot on its disk.
func Unreadable(t testing.TB, cfg s3store.Config, key string) {
	t.Helper()
	damageMeta(t, cfg, key, func(b []byte) int { return len(b) - 1 }) // inline data comes last
}

// BadMetadata damages MinIO's metadata of the object at key, so that
// MinIO fails even to stat it (and leaves it out of listings).
func BadMetadata(t testing.TB, cfg s3store.Config, key string) {
	t.Helper()
	damageMeta(t, cfg, key, func([]byte) int { return 12 }) // past the 8-byte header
}

// damageMeta flips the byte at where(b) of the object's xl.meta.
func damageMeta(t testing.TB, cfg s3store.Config, key string, where func([]byte) int) {
	t.Helper()
	data := os.Getenv(EnvData)
	if data == "" {
		Endpoint(t) // skips, or fails under CI, the same way
		t.Skipf("%s not set (run scripts/test.sh)", EnvData)
	}
	prefix := strings.TrimPrefix(cfg.URL, "s3://"+Bucket+"/")
	meta := filepath.Join(data, Bucket, filepath.FromSlash(prefix+"/"+key), "xl.meta")
	b, err := os.ReadFile(meta)
	if err != nil || len(b) < 16 {
		t.Fatalf("MinIO's metadata of %s: %d bytes, %v", key, len(b), err)
	}
	b[where(b)] ^= 0xff
	if err := os.WriteFile(meta, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Keys returns the test server's access key and secret, which
// scripts/test.sh exports as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
func Keys(t testing.TB) (id, secret string) {
	t.Helper()
	Endpoint(t)
	return os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
}

// MetadataService stands in for the EC2 instance metadata service
// (IMDSv2) of an instance whose role has the keys id and secret. It
// returns its URL and a count of the requests it got.
func MetadataService(t testing.TB, id, secret string) (string, *atomic.Int64) {
	t.Helper()
	var requests atomic.Int64
	const role = "litho-test-role"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		switch r.URL.Path {
		case "/latest/api/token":
			io.WriteString(w, "test-token")
		case "/latest/meta-data/iam/security-credentials/":
			io.WriteString(w, role+"\n")
		case "/latest/meta-data/iam/security-credentials/" + role:
			json.NewEncoder(w).Encode(map[string]any{"Code": "Success", "AccessKeyId": id,
				"SecretAccessKey": secret, "Expiration": time.Now().Add(time.Hour)})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &requests
}
