// Package clitest runs litho processes in tests and reads what they
// report: the exit code, the output and the --json run events.
package clitest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"litho/dag"
)

// Result is one finished litho process.
type Result struct {
	Code           int
	Stdout, Stderr string
}

// Command runs the test binary itself as litho in dir: its TestMain
// acts as litho when the variable marker is set.
func Command(t testing.TB, marker, dir string, env []string, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), marker+"=1"), env...)
	return cmd
}

// Run runs cmd to completion; a non-zero exit is a Result, not an error.
func Run(t testing.TB, cmd *exec.Cmd) Result {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return Result{code, out.String(), errb.String()}
}

// Events parses the JSON lines of `litho run --json`.
func Events(t testing.TB, jsonLines string) []dag.Event {
	t.Helper()
	var out []dag.Event
	sc := bufio.NewScanner(strings.NewReader(jsonLines))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e dag.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("not a JSON event line: %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

// Statuses maps "stage" and "stage/partition" to their reported status.
func Statuses(evs []dag.Event) map[string]string {
	return byName(evs, func(e dag.Event) string { return e.Status })
}

// Keys maps "stage" and "stage/partition" to their keys.
func Keys(evs []dag.Event) map[string]string {
	return byName(evs, func(e dag.Event) string { return e.Key })
}

// byName maps "stage" and "stage/partition" to one field of their events.
func byName(evs []dag.Event, field func(dag.Event) string) map[string]string {
	m := map[string]string{}
	for _, e := range evs {
		name := e.Stage
		if e.Partition != "" {
			name += "/" + e.Partition
		}
		m[name] = field(e)
	}
	return m
}
