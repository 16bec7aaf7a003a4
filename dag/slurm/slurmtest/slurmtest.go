// Package slurmtest connects tests to the one-node Slurm cluster that
// scripts/test.sh starts. Without one the tests skip, except under
// CI=true, where a missing cluster is a failure.
package slurmtest

import (
	"os"
	"os/exec"
	"testing"
)

// Env names the variable scripts/test.sh sets when its cluster runs.
const Env = "LITHO_TEST_SLURM"

// Require skips the test without a cluster (fails it under CI=true).
func Require(t testing.TB) {
	t.Helper()
	if os.Getenv(Env) != "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: run the tests with scripts/test.sh, which starts a one-node Slurm", Env)
	}
	t.Skipf("%s not set (run scripts/test.sh for the Slurm tests)", Env)
}

// ShowJob is `scontrol show job ID`: what Slurm holds about a job.
func ShowJob(t testing.TB, id string) string {
	t.Helper()
	out, err := exec.Command("scontrol", "show", "job", id).CombinedOutput()
	if err != nil {
		t.Fatalf("scontrol show job %s: %v: %s", id, err, out)
	}
	return string(out)
}
