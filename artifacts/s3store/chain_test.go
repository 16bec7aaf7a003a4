package s3store_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"litho/artifacts"
	"litho/artifacts/s3store"
	"litho/artifacts/s3store/s3test"
)

// roundTrip saves a blob through a backend opened with cfg and reads it
// back, so the credentials are known to reach the server.
func roundTrip(t *testing.T, cfg s3store.Config) *s3store.Backend {
	t.Helper()
	ctx := context.Background()
	be, err := s3store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { be.Close() })
	data := []byte("credential chain")
	d := string(artifacts.DigestBytes(data))
	if err := be.Save(ctx, artifacts.Blobs, d, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("save: %v", err)
	}
	rc, err := be.Open(ctx, artifacts.Blobs, d)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	defer rc.Close()
	if got, _ := io.ReadAll(rc); !bytes.Equal(got, data) {
		t.Fatalf("read back %q", got)
	}
	return be
}

// TestProfileReachesMinIO: with no keys in the injected environment, the
// keys of the profile AWS_PROFILE names reach MinIO from a shared
// credentials file, and from a config file's [profile name].
func TestProfileReachesMinIO(t *testing.T) {
	id, secret := s3test.Keys(t)
	dir := t.TempDir()
	cred := filepath.Join(dir, "credentials")
	conf := filepath.Join(dir, "config")
	keys := "aws_access_key_id = " + id + "\naws_secret_access_key = " + secret + "\n"
	os.WriteFile(cred, []byte("[default]\naws_access_key_id = WRONG\naws_secret_access_key = wrongwrong\n\n[litho-test]\n"+keys), 0o600)
	os.WriteFile(conf, []byte("[profile litho-cfg]\n"+keys), 0o600)
	for profile, want := range map[string]string{"litho-test": cred, "litho-cfg": conf} {
		t.Run(profile, func(t *testing.T) {
			cfg := s3test.Config(t)
			env := map[string]string{"AWS_PROFILE": profile, "AWS_SHARED_CREDENTIALS_FILE": cred, "AWS_CONFIG_FILE": conf, "HOME": dir}
			cfg.Env = func(k string) string { return env[k] }
			be := roundTrip(t, cfg)
			if src := be.CredentialSource(); !strings.Contains(src, `"`+profile+`"`) || !strings.Contains(src, want) {
				t.Errorf("credential source %q, want the profile in %s", src, want)
			}
		})
	}
}

// TestMissingProfile: an AWS_PROFILE that no shared file has fails Open
// with an error naming the profile and both files.
func TestMissingProfile(t *testing.T) {
	cfg := s3test.Config(t)
	dir := t.TempDir()
	env := map[string]string{"AWS_PROFILE": "nosuch", "HOME": dir}
	cfg.Env = func(k string) string { return env[k] }
	_, err := s3store.Open(context.Background(), cfg)
	if err == nil {
		t.Fatal("opened with a missing profile")
	}
	for _, want := range []string{`AWS_PROFILE "nosuch"`, filepath.Join(dir, ".aws", "credentials"), filepath.Join(dir, ".aws", "config")} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestInstanceRoleReachesMinIO: with neither keys nor shared files, the
// instance metadata service's role credentials reach MinIO.
func TestInstanceRoleReachesMinIO(t *testing.T) {
	id, secret := s3test.Keys(t)
	imds, requests := s3test.MetadataService(t, id, secret)
	cfg := s3test.Config(t)
	env := map[string]string{"HOME": t.TempDir(), "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds}
	cfg.Env = func(k string) string { return env[k] }
	be := roundTrip(t, cfg)
	if requests.Load() == 0 || !strings.Contains(be.CredentialSource(), "instance metadata") {
		t.Errorf("%d requests to the metadata service; source %q", requests.Load(), be.CredentialSource())
	}
}
