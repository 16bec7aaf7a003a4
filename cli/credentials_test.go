package cli_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
