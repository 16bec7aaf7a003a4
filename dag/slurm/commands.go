package slurm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"litho/dag"
)

// writeScript writes the batch's job script: it runs the worker over a
// scratch store of the job's own, removed when the job ends, so that
// the bucket is all the nodes share.
func (e *Executor) writeScript(b *dag.Batch) (string, error) {
	var w strings.Builder
	fmt.Fprintf(&w, "#!/bin/sh\n# litho: stage %s, work spec %s\n", b.Stage, b.Spec)
	w.WriteString("scratch=\"${TMPDIR:-/tmp}/litho-exec-$SLURM_JOB_ID\"\n")
	for _, a := range e.cfg.Worker {
		w.WriteString(quote(a) + " ")
	}
	fmt.Fprintf(&w, "--store \"$scratch\" exec --batch %d %s \"${SLURM_ARRAY_TASK_ID:-0}\"\n", e.batch(b), b.Spec)
	w.WriteString("status=$?\nrm -rf \"$scratch\"\nexit $status\n")
	// The batch is in the name: it decides which units a task runs.
	path := filepath.Join(e.cfg.Logs, fmt.Sprintf("%s-%s-b%d.sh", b.Stage, b.Spec.Short(), e.batch(b)))
	if err := os.WriteFile(path, []byte(w.String()), 0o755); err != nil {
		return "", fmt.Errorf("slurm executor: job script: %w", err)
	}
	return path, nil
}

// quote makes s one word for sh.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// submitArgs are sbatch's arguments for tasks of the batch.
func (e *Executor) submitArgs(b *dag.Batch, script string, array bool, tasks []int) []string {
	args := []string{"--parsable", "--job-name=litho-" + b.Stage}
	if array {
		args = append(args, "--output="+filepath.Join(e.cfg.Logs, b.Stage+"-%A_%a.log"), "--array="+taskList(tasks, e.cfg.Limit))
	} else {
		args = append(args, "--output="+filepath.Join(e.cfg.Logs, b.Stage+"-%j.log"))
	}
	r := b.Resources
	if r.Partition == "" {
		r.Partition = e.cfg.Partition
	}
	if r.CPUs > 0 {
		args = append(args, "--cpus-per-task="+strconv.Itoa(r.CPUs))
	}
	if r.Mem != "" {
		args = append(args, "--mem="+r.Mem)
	}
	if r.Time != "" {
		args = append(args, "--time="+r.Time)
	}
	if r.Partition != "" {
		args = append(args, "--partition="+r.Partition)
	}
	if r.GPUs > 0 {
		args = append(args, "--gres=gpu:"+strconv.Itoa(r.GPUs))
	}
	args = append(args, e.cfg.Options...)
	return append(args, script)
}

// taskList is an --array value: "0-3", "1,4,7", with %limit.
func taskList(tasks []int, limit int) string {
	var parts []string
	for i := 0; i < len(tasks); {
		j := i
		for j+1 < len(tasks) && tasks[j+1] == tasks[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", tasks[i], tasks[j]))
		} else {
			parts = append(parts, strconv.Itoa(tasks[i]))
		}
		i = j + 1
	}
	s := strings.Join(parts, ",")
	if limit > 0 {
		s += "%" + strconv.Itoa(limit)
	}
	return s
}

// submit runs sbatch for tasks; --parsable prints "ID" or "ID;CLUSTER".
func (e *Executor) submit(ctx context.Context, b *dag.Batch, script string, array bool, tasks []int) (job, error) {
	out, err := e.cmd.Output(ctx, e.cfg.Env, "sbatch", e.submitArgs(b, script, array, tasks)...)
	if err != nil {
		return job{}, fmt.Errorf("submit %s: %w", b.Stage, err)
	}
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
	if _, err := strconv.Atoi(id); err != nil {
		return job{}, fmt.Errorf("submit %s: sbatch printed %q, not a job id", b.Stage, out)
	}
	e.log.Info("submitted", "stage", b.Stage, "job", id, "tasks", len(tasks))
	return job{id: id, array: array, tasks: tasks}, nil
}

// wait polls squeue until the job has no task left that is not finished.
// Cancelled meanwhile, it cancels the job. A few failed polls in a row
// (a busy controller) are tolerated.
func (e *Executor) wait(ctx context.Context, j job) error {
	t := time.NewTicker(e.cfg.Poll)
	defer t.Stop()
	failures := 0
	for {
		active, err := e.active(ctx, j)
		switch {
		case ctx.Err() != nil:
			e.cancel(j)
			return ctx.Err()
		case errors.Is(err, errNever):
			e.cancel(j)
			return err
		case err != nil:
			if failures++; failures >= maxPollFailures {
				e.cancel(j) // its outcome could not be followed
				return err
			}
		case !active:
			return nil
		default:
			failures = 0
		}
		select {
		case <-ctx.Done():
			e.cancel(j)
			return ctx.Err()
		case <-t.C:
		}
	}
}

const maxPollFailures = 5

// active reports whether squeue still shows a task of the job that has
// not finished. A job squeue no longer knows has finished.
func (e *Executor) active(ctx context.Context, j job) (bool, error) {
	out, err := e.cmd.Output(ctx, nil, "squeue", "--noheader", "--array", "--jobs="+j.id, "--format=%i|%T|%r")
	if err != nil {
		if strings.Contains(err.Error(), "Invalid job id") {
			return false, nil
		}
		return false, fmt.Errorf("poll job %s: %w", j.id, err)
	}
	active := false
	for line := range strings.Lines(string(out)) {
		f := strings.SplitN(strings.TrimSpace(line), "|", 3)
		if len(f) < 3 || finished[f[1]] {
			continue
		}
		if stuck(f[1], f[2]) {
			return false, fmt.Errorf("job %s %w (%s, %s): it asks for more than the partition offers, or it is held", f[0], errNever, f[1], f[2])
		}
		active = true
	}
	return active, nil
}

// stuck reports a job state that waiting does not cure: a request larger
// than any node of the partition, a job held (by a user, an admin, or
// after a failed launch), a job requeued on hold.
func stuck(state, reason string) bool {
	switch {
	case state == "REQUEUE_HOLD" || state == "SPECIAL_EXIT":
		return true
	case state != "PENDING":
		return false
	}
	return never[reason] || strings.HasPrefix(reason, "JobHeld") || strings.HasPrefix(reason, "launch failed")
}

var errNever = errors.New("can never start")

// never are the reasons of a pending job that waiting does not cure.
var never = map[string]bool{
	"PartitionConfig": true, "BadConstraints": true, "PartitionNodeLimit": true, "PartitionTimeLimit": true,
	"InvalidAccount": true, "InvalidQOS": true,
}

// finished are the job states after which a job runs no more.
var finished = map[string]bool{
	"COMPLETED": true, "FAILED": true, "CANCELLED": true, "TIMEOUT": true, "OUT_OF_MEMORY": true,
	"NODE_FAIL": true, "PREEMPTED": true, "BOOT_FAIL": true, "DEADLINE": true,
}

// cancel stops a job this run submitted (Ctrl-C); it runs on its own
// deadline, since the run's context is already done.
func (e *Executor) cancel(j job) {
	ctx, done := context.WithTimeout(context.Background(), 10*time.Second)
	defer done()
	if _, err := e.cmd.Output(ctx, nil, "scancel", j.id); err != nil {
		e.log.Warn("scancel failed", "job", j.id, "err", err)
	}
}

// Command runs Slurm's tools as processes.
type Command struct{}

// Output implements Commander.
func (Command) Output(ctx context.Context, env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(stderr.String()))
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}
