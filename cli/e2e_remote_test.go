package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"litho/cli/clitest"
)

// buildLitho compiles the real litho binary (all stage kinds, the default
// pipeline) for end-to-end tests.
func buildLitho(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "litho")
	out, err := exec.Command("go", "build", "-o", bin, "litho").CombinedOutput()
	if err != nil {
		t.Fatalf("build litho: %v\n%s", err, out)
	}
	return bin
}

// realLitho runs the real binary in dir.
func realLitho(t *testing.T, bin, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	r := clitest.Run(t, cmd)
	if r.Code != 0 {
		t.Fatalf("litho %v: exit %d: %s", args, r.Code, r.Stderr)
	}
	return r
}

// TestTwoHostsRealPipeline: the default pipeline (real stages, a small
// synthetic data set, short training) runs on host A against the bucket;
// host B, with its own working directory and local store, executes no
// stage, and its metrics are host A's byte for byte.
func TestTwoHostsRealPipeline(t *testing.T) {
	env, _ := remoteEnv(t)
	bin := buildLitho(t)
	small := []string{"--set", "source.boreholes=12", "--set", "train.max_epochs=2"}
	hostA, hostB := t.TempDir(), t.TempDir()
	a := events(t, realLitho(t, bin, hostA, env, append([]string{"run", "--json"}, small...)...).Stdout)
	if executed(a) == 0 {
		t.Fatal("host A executed nothing")
	}
	b := events(t, realLitho(t, bin, hostB, env, append([]string{"run", "--json"}, small...)...).Stdout)
	if n := executed(b); n != 0 {
		t.Errorf("host B executed %d stages, want 0", n)
	}
	metrics := outputs(a)["evaluate"]["metrics"]
	if metrics == "" || outputs(b)["evaluate"]["metrics"] != metrics {
		t.Fatalf("metrics digest: host A %q, host B %q", metrics, outputs(b)["evaluate"]["metrics"])
	}
	realLitho(t, bin, hostB, env, append(append([]string{"pull"}, small...), "evaluate")...)
	fa, errA := os.ReadFile(blobFile(hostA, metrics))
	fb, errB := os.ReadFile(blobFile(hostB, metrics))
	if errA != nil || errB != nil || !bytes.Equal(fa, fb) {
		t.Errorf("metrics on host B differ from host A's (read errors %v, %v)", errA, errB)
	}
}
