package cli_test

import (
	_ "embed"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"litho/cli"
	"litho/cli/clitest"
	"litho/dag"
	"litho/dag/dagtest"
)

// The test binary doubles as a litho binary with stand-in stage kinds: a
// test re-executes it with mainEnv set to drive a real process (to kill it,
// or to run two at once).
const mainEnv = "LITHO_CLI_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) != "" {
		os.Exit(testEnv(os.Stdout, os.Stderr).Main(append([]string{"litho"}, os.Args[1:]...)))
	}
	os.Exit(m.Run())
}

// testPipeline is the stand-in binary's embedded default pipeline.
//
//go:embed testdata/linear.hcl
var testPipeline []byte

func testEnv(stdout, stderr *os.File) *cli.Env {
	reg := dagtest.Kinds(&dagtest.Counter{})
	reg.Register(fakeEvaluate())
	return &cli.Env{Registry: reg, DefaultPipeline: testPipeline, Stdout: stdout, Stderr: stderr, Version: "test"}
}

// litho runs the test binary as litho in dir.
func litho(t *testing.T, dir string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	return clitest.Command(t, mainEnv, dir, env, args...)
}

// inShell runs cmd under a shell that first runs setup (a umask, a
// ulimit), so the limit applies to the litho process itself.
func inShell(cmd *exec.Cmd, setup string) *exec.Cmd {
	cmd.Args = append([]string{"sh", "-c", setup + `; exec "$0" "$@"`, cmd.Path}, cmd.Args[1:]...)
	cmd.Path = "/bin/sh"
	return cmd
}

type result = clitest.Result

func runLitho(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	return clitest.Run(t, litho(t, dir, env, args...))
}

func events(t *testing.T, jsonLines string) []dag.Event { return clitest.Events(t, jsonLines) }

func stageStatus(evs []dag.Event) map[string]string { return clitest.Statuses(evs) }

func executed(evs []dag.Event) int {
	n := 0
	for _, e := range evs {
		if e.Partition == "" && (e.Status == dag.StatusRan || e.Status == dag.StatusCutoff) {
			n++
		}
	}
	return n
}

func writePipeline(t *testing.T, dir, src string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "pipeline.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}
