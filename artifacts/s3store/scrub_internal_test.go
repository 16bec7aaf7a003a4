package s3store

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7/pkg/credentials"
)

// rotating hands out a new key pair each time it is asked.
type rotating struct{ n int }

func (r *rotating) Retrieve() (credentials.Value, error) { return r.RetrieveWithCredContext(nil) }
func (r *rotating) IsExpired() bool                      { return true }
func (r *rotating) RetrieveWithCredContext(*credentials.CredContext) (credentials.Value, error) {
	r.n++
	return credentials.Value{AccessKeyID: fmt.Sprintf("AKIAROTATED%d", r.n), SecretAccessKey: fmt.Sprintf("rotatedsecret%d", r.n)}, nil
}

// TestScrubsRotatedKeys: an error quoting a key that has since been
// replaced is scrubbed too, and scrubbing asks the provider for nothing
// (an instance-metadata refresh on an error path).
func TestScrubsRotatedKeys(t *testing.T) {
	r := &rotating{}
	p := &sourced{Provider: r, source: "test"}
	p.Retrieve()
	p.Retrieve()
	b := &Backend{creds: credentials.New(p), provider: p, bucket: "bucket", prefix: "p", endpoint: "e"}
	err := b.fail("get", errors.New("denied: AKIAROTATED1 rotatedsecret1 AKIAROTATED2 rotatedsecret2"))
	if msg := err.Error(); strings.Contains(msg, "ROTATED") || strings.Contains(msg, "rotatedsecret") {
		t.Errorf("a key survived scrubbing: %s", msg)
	}
	if r.n != 2 {
		t.Errorf("scrubbing retrieved credentials (%d retrievals, want 2)", r.n)
	}
}
