package cli_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"litho/artifacts"
	"litho/dag"
	"litho/dag/dagtest"
)

func TestRunJSONReportsEveryStageAndPartition(t *testing.T) {
	dir := t.TempDir()
	r := runLitho(t, dir, nil, "run", "--json")
	if r.Code != 0 {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	evs := events(t, r.Stdout)
	st := stageStatus(evs)
	for _, name := range []string{"source", "a", "split", "map", "map/a", "map/b", "map/c", "concat", "slow"} {
		if st[name] != dag.StatusRan {
			t.Errorf("%s: %q, want ran", name, st[name])
		}
	}
	for _, e := range evs {
		if len(e.Key) != 64 || e.Kind == "" || len(e.Outputs) == 0 {
			t.Errorf("incomplete event %+v", e)
		}
	}
	// The store is beside the (embedded) pipeline: the working directory.
	if _, err := os.Stat(filepath.Join(dir, ".litho", "cas")); err != nil {
		t.Errorf("no store in the working directory: %v", err)
	}
	r = runLitho(t, dir, nil, "run", "--json")
	if n := executed(events(t, r.Stdout)); n != 0 {
		t.Errorf("second run executed %d stages", n)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.hcl")
	os.WriteFile(bad, []byte(`source "gen" { nn = 1 }`), 0o644)
	failing := filepath.Join(dir, "fail.hcl")
	os.WriteFile(failing, []byte("source \"gen\" {}\nstage \"fail\" \"f\" {\n  inputs = { in = source.data }\n}\n"), 0o644)
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"ok", []string{"dag"}, 0, ""},
		{"unknown flag", []string{"run", "--nope"}, 2, "flag provided but not defined"},
		{"invalid pipeline", []string{"-f", bad, "run"}, 2, "bad.hcl:1:16: Unknown parameter"},
		{"bad --set", []string{"run", "--set", "a.nope=1"}, 2, `has no parameter "nope"`},
		{"unknown --to", []string{"run", "--to", "nope"}, 2, `no stage named "nope"`},
		{"failing stage", []string{"-f", failing, "run"}, 1, "deliberate failure"},
		{"why without stage", []string{"why"}, 2, "why needs one STAGE"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"export without --out", []string{"export", "a", "out"}, 2, "export needs --out"},
		{"float out of range", []string{"run", "--set", "a.ratio=1e400"}, 2, "out of range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runLitho(t, dir, nil, c.args...)
			if r.Code != c.code {
				t.Errorf("exit %d, want %d\nstderr: %s", r.Code, c.code, r.Stderr)
			}
			if !strings.Contains(r.Stderr, c.stderr) {
				t.Errorf("stderr %q lacks %q", r.Stderr, c.stderr)
			}
			if strings.Contains(r.Stderr, "goroutine ") || strings.Contains(r.Stderr, "panic:") {
				t.Errorf("stack trace on stderr: %s", r.Stderr)
			}
		})
	}
}

func TestLockedStoreExitsThree(t *testing.T) {
	dir := t.TempDir()
	local, err := artifacts.OpenLocal(filepath.Join(dir, ".litho"))
	if err != nil {
		t.Fatal(err)
	}
	release, _, err := local.Lock(context.Background(), time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	r := runLitho(t, dir, nil, "--lock-timeout", "300ms", "run")
	if r.Code != 3 {
		t.Fatalf("exit %d, want 3; stderr %s", r.Code, r.Stderr)
	}
	if !strings.Contains(r.Stderr, "waiting for another litho run") || !strings.Contains(r.Stderr, "locked") {
		t.Errorf("stderr does not explain the wait: %s", r.Stderr)
	}
}

// killDuringSlow starts `litho run --json` in dir with the blocking stage
// enabled and SIGKILLs it once every stage before "slow" has finished.
func killDuringSlow(t *testing.T, dir string, env []string) {
	t.Helper()
	cmd := startUntilSlow(t, dir, env)
	cmd.Process.Kill()
	cmd.Wait()
}

// startUntilSlow starts `litho run --json` with the blocking stage enabled
// and returns once every stage before "slow" has finished.
func startUntilSlow(t *testing.T, dir string, env []string) *exec.Cmd {
	t.Helper()
	cmd := litho(t, dir, append(env, dagtest.BlockEnv+"=1"), "run", "--json")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		var e dag.Event
		json.Unmarshal(sc.Bytes(), &e)
		if e.Stage == "concat" {
			break
		}
	}
	time.Sleep(200 * time.Millisecond)
	go io.Copy(io.Discard, stdout)
	return cmd
}

// TestInterruptedRunExits130: Ctrl-C stops a run with the shell's code for
// SIGINT, not 1 like a failed stage.
func TestInterruptedRunExits130(t *testing.T) {
	cmd := startUntilSlow(t, t.TempDir(), nil)
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d after SIGINT, want 130", code)
	}
}

func TestKilledRunLeavesNoRecord(t *testing.T) {
	dir := t.TempDir()
	killDuringSlow(t, dir, nil)

	// The next run takes over the dead process's lock and recomputes only
	// the interrupted stage.
	r := runLitho(t, dir, nil, "run", "--json")
	if r.Code != 0 {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	st := stageStatus(events(t, r.Stdout))
	for name, want := range map[string]string{"source": "cached", "a": "cached", "map": "cached", "concat": "cached", "slow": "ran"} {
		if st[name] != want {
			t.Errorf("%s: %s, want %s", name, st[name], want)
		}
	}
	if !strings.Contains(r.Stderr, "took over a lock") {
		t.Errorf("no message about the stale lock: %s", r.Stderr)
	}
}

func TestConcurrentRunsInOneDirectory(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = runLitho(t, dir, nil, "run", "--json")
		}()
	}
	wg.Wait()
	ran := 0
	for _, r := range results {
		if r.Code != 0 {
			t.Fatalf("exit %d: %s", r.Code, r.Stderr)
		}
		ran += executed(events(t, r.Stdout))
	}
	if ran != 6 {
		t.Errorf("the two runs executed %d stages together, want 6 (each stage once)", ran)
	}
	r := runLitho(t, dir, nil, "run", "--json")
	if n := executed(events(t, r.Stdout)); n != 0 {
		t.Errorf("a third run executed %d stages; the store is inconsistent", n)
	}
}

func TestStatusAndWhy(t *testing.T) {
	dir := t.TempDir()
	if r := runLitho(t, dir, nil, "run"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	r := runLitho(t, dir, nil, "why", "--set", `a.suffix="!"`, "a")
	if r.Code != 0 || !strings.Contains(r.Stdout, `params.suffix`) || !strings.Contains(r.Stdout, `"" → "!"`) {
		t.Errorf("why: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	r = runLitho(t, dir, nil, "status", "--set", `a.suffix="!"`)
	if !strings.Contains(r.Stdout, "source     up to date") || !strings.Contains(r.Stdout, "split      would run") {
		t.Errorf("status:\n%s", r.Stdout)
	}
}

func TestGCKeepsCurrentAndDeletesOld(t *testing.T) {
	dir := t.TempDir()
	runLitho(t, dir, nil, "run", "--set", `a.suffix="old"`)
	if r := runLitho(t, dir, nil, "run"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	r := runLitho(t, dir, nil, "gc", "--keep-last", "0")
	if !strings.Contains(r.Stdout, "would delete") {
		t.Fatalf("gc listing: %s %s", r.Stdout, r.Stderr)
	}
	if r := runLitho(t, dir, nil, "gc", "--keep-last", "0", "--yes"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	r = runLitho(t, dir, nil, "run", "--json")
	if n := executed(events(t, r.Stdout)); n != 0 {
		t.Errorf("after gc the current pipeline executed %d stages; gc removed reachable objects", n)
	}
	r = runLitho(t, dir, nil, "run", "--json", "--set", `a.suffix="old"`)
	if n := executed(events(t, r.Stdout)); n == 0 {
		t.Error("the old parameters' results survived gc --keep-last 0")
	}
}

// TestSetTakesListsWithCommas: a --set value is one HCL expression, so a
// list keeps its commas (and --set repeats for several overrides).
func TestSetTakesListsWithCommas(t *testing.T) {
	dir := t.TempDir()
	if r := runLitho(t, dir, nil, "run"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	r := runLitho(t, dir, nil, "why", "--set", "a.ks=[3, 4,5]", "--set", `a.suffix="!"`, "a")
	if r.Code != 0 || !strings.Contains(r.Stdout, "params.ks") || !strings.Contains(r.Stdout, "[1,2] → [3,4,5]") || !strings.Contains(r.Stdout, "params.suffix") {
		t.Errorf("why: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
}
