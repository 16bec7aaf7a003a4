package cli_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"litho/artifacts/s3store/s3test"
	"litho/cli/clitest"
)

// TestCredentialsInEndpointNeverShown: user:secret@ typed into the
// endpoint (flag, variable or store block) or the remote URL is refused,
// and neither part appears in litho's output, even at debug level, nor
// in any file it writes.
func TestCredentialsInEndpointNeverShown(t *testing.T) {
	const user, secret = "AKIALITHOUSER", "litho-typed-secret"
	typed := user + ":" + secret + "@127.0.0.1:1"
	cases := map[string]struct {
		env   []string
		args  []string
		store string // a store block appended to the pipeline
	}{
		"flag":              {args: []string{"--s3-endpoint", typed, "--remote", "s3://litho-test/p"}},
		"flag with scheme":  {args: []string{"--s3-endpoint", "http://" + typed, "--remote", "s3://litho-test/p"}},
		"variable":          {env: []string{"LITHO_S3_ENDPOINT=" + typed, "LITHO_REMOTE=s3://litho-test/p"}},
		"remote URL":        {args: []string{"--remote", "s3://" + user + ":" + secret + "@litho-test/p"}},
		"remote URL query":  {args: []string{"--remote", "s3://litho-test/p?X-Amz-Credential=" + user + "&X-Amz-Signature=" + secret}},
		"store block":       {store: `store {` + "\n" + `  remote = "s3://litho-test/p"` + "\n" + `  endpoint = "` + typed + `"` + "\n}\n"},
		"store block (URL)": {store: `store {` + "\n" + `  remote = "s3://` + user + ":" + secret + `@litho-test/p"` + "\n}\n"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writePipeline(t, dir, string(testPipeline)+c.store)
			args := append(append([]string{"--log-level", "debug"}, c.args...), "run")
			r := runLitho(t, dir, c.env, args...)
			if r.Code == 0 {
				t.Fatal("credentials in the endpoint were accepted")
			}
			if out := r.Stdout + r.Stderr; strings.Contains(out, secret) || strings.Contains(out, user) {
				t.Errorf("a credential appears in the output: %s", out)
			}
			filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() && filepath.Base(p) != "pipeline.hcl" {
					if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(secret)) {
						t.Errorf("%s holds the secret", p)
					}
				}
				return nil
			})
		})
	}
}

// TestCredentialChainOnlyForARemote: litho asks the instance metadata
// service for credentials only when a remote store is configured and
// nothing before it in the chain has any: never for a run, status or gc
// without one. With one, the role's credentials reach MinIO.
func TestCredentialChainOnlyForARemote(t *testing.T) {
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	imds, requests := s3test.MetadataService(t, id, secret)
	dir := t.TempDir()
	env := []string{"HOME=" + t.TempDir(), "AWS_EC2_METADATA_SERVICE_ENDPOINT=" + imds}
	for _, args := range [][]string{{"run"}, {"status"}, {"gc"}} {
		if r := clitest.Run(t, withoutCredentials(litho(t, dir, env, args...))); r.Code != 0 {
			t.Fatalf("litho %s: exit %d: %s", args[0], r.Code, r.Stderr)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Fatalf("%d requests to the metadata service without a remote store", n)
	}
	t.Run("remote", func(t *testing.T) {
		remote, _ := remoteEnv(t)
		r := clitest.Run(t, withoutCredentials(litho(t, t.TempDir(), append(env, remote...), "--log-level", "debug", "run")))
		if r.Code != 0 || requests.Load() == 0 || !strings.Contains(r.Stderr, "credentials=\"the EC2 instance metadata service") {
			t.Fatalf("exit %d, %d requests to the metadata service: %s", r.Code, requests.Load(), r.Stderr)
		}
	})
}

// withoutCredentials drops the credential variables litho would find
// before the instance metadata service.
func withoutCredentials(cmd *exec.Cmd) *exec.Cmd {
	cmd.Env = slices.DeleteFunc(cmd.Env, func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return strings.HasPrefix(k, "AWS_") && k != "AWS_EC2_METADATA_SERVICE_ENDPOINT" || strings.HasPrefix(k, "MINIO_")
	})
	return cmd
}
