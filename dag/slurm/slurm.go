// Package slurm is an executor that runs litho's units of work as Slurm
// jobs: each job runs `litho exec` over the shared store. It talks to
// Slurm through its command-line tools only, as Nextflow's and
// Snakemake's executors do: sbatch --parsable to submit, squeue to poll
// (no accounting database needed), scancel to stop. A unit's outcome is
// read from the store, not from Slurm: a unit succeeded when its record
// was published.
package slurm

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"litho/dag"
)

// Config is the executor's setup: the pipeline's executor block with the
// driver's store flags resolved.
type Config struct {
	// Worker is the litho command a job runs, with its store flags
	// (remote, endpoint); the job adds its scratch store and `exec`.
	Worker []string
	// Retries is how often a failed task is resubmitted alone.
	Retries int
	// Limit caps an array job's tasks running at once (0: no cap).
	Limit int
	// Batch is how many partitions one array task runs, for stages
	// whose resources do not say.
	Batch int
	// Logs is the directory of job scripts and logs (absolute).
	Logs string
	// Poll is the interval between squeue calls.
	Poll time.Duration
	// Env holds KEY=VALUE pairs added to the environment sbatch exports.
	Env []string
	// Options are extra sbatch arguments for every job.
	Options []string
	// Partition is the default Slurm partition.
	Partition string
}

// Commander runs a Slurm command with extra environment variables and
// returns its standard output; an error carries its standard error.
type Commander interface {
	Output(ctx context.Context, env []string, name string, args ...string) ([]byte, error)
}

// Executor submits batches to Slurm.
type Executor struct {
	cfg Config
	cmd Commander
	log *slog.Logger
}

// New returns an executor; it creates the logs directory.
func New(cfg Config, cmd Commander, log *slog.Logger) (*Executor, error) {
	if len(cfg.Worker) == 0 {
		return nil, fmt.Errorf("slurm executor: no worker command")
	}
	cfg.Batch = max(cfg.Batch, 1)
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if err := os.MkdirAll(cfg.Logs, 0o755); err != nil {
		return nil, fmt.Errorf("slurm executor: logs directory: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Executor{cfg: cfg, cmd: cmd, log: log}, nil
}

// job is one submission of some of a batch's tasks.
type job struct {
	id    string
	array bool
	tasks []int
}

// Run implements dag.Executor: it submits the batch (an array job for a
// mapped stage's partitions, one task per Batch partitions), waits until
// Slurm no longer runs it, and resubmits the tasks whose units published
// no record, up to Retries times.
func (e *Executor) Run(ctx context.Context, b *dag.Batch) []dag.Outcome {
	out := make([]dag.Outcome, len(b.Units))
	script, err := e.writeScript(b)
	if err != nil {
		return failAll(out, err)
	}
	array := b.Units[0].Partition != ""
	pending := make([]int, (len(b.Units)+e.batch(b)-1)/e.batch(b))
	for t := range pending {
		pending[t] = t
	}
	for attempt := 0; len(pending) > 0; attempt++ {
		j, err := e.submit(ctx, b, script, array, pending)
		if err != nil {
			return failAll(out, err)
		}
		if err := e.wait(ctx, j); err != nil {
			return failAll(out, err)
		}
		failed, err := e.failedTasks(ctx, b, j, out)
		if err != nil {
			return failAll(out, err)
		}
		if len(failed) > 0 && attempt == e.cfg.Retries {
			for _, t := range failed {
				e.blame(b, j, t, attempt+1, out)
			}
			return out
		}
		if len(failed) > 0 {
			e.log.Warn("resubmitting failed tasks", "stage", b.Stage, "job", j.id, "tasks", len(failed), "attempt", attempt+2)
		}
		pending = failed
	}
	return out
}

func failAll(out []dag.Outcome, err error) []dag.Outcome {
	for i := range out {
		out[i].Err = err
	}
	return out
}

// units are the indexes of task t's units.
func (e *Executor) units(b *dag.Batch, t int) []int {
	return dag.TaskUnits(t, e.batch(b), len(b.Units))
}

// batch is how many units one task of b runs: the stage's own batch
// (its resources), else the executor's.
func (e *Executor) batch(b *dag.Batch) int {
	if b.Resources.Batch > 0 {
		return b.Resources.Batch
	}
	return e.cfg.Batch
}

// failedTasks lists j's tasks with a unit that published no record and
// notes in out which job ran each unit.
func (e *Executor) failedTasks(ctx context.Context, b *dag.Batch, j job, out []dag.Outcome) ([]int, error) {
	var failed []int
	for _, t := range j.tasks {
		ok := true
		for _, i := range e.units(b, t) {
			out[i].Job = j.name(t)
			done, err := b.Published(ctx, i)
			if err != nil {
				return nil, err
			}
			ok = ok && done
		}
		if !ok {
			failed = append(failed, t)
		}
	}
	return failed, nil
}

// blame records why task t's units failed: its log says.
func (e *Executor) blame(b *dag.Batch, j job, t, attempts int, out []dag.Outcome) {
	log := e.logPath(b.Stage, j, t)
	err := fmt.Errorf("slurm job %s failed (%d attempts); its log: %s%s", j.name(t), attempts, log, lastLine(log))
	for _, i := range e.units(b, t) {
		out[i].Err = err
	}
}

// name is how Slurm names task t of the job.
func (j job) name(t int) string {
	if !j.array {
		return j.id
	}
	return j.id + "_" + strconv.Itoa(t)
}

// lastLine is the log's last non-empty line, quoted after a colon, or
// nothing when the log cannot be read here (another node's disk).
func lastLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if last := strings.TrimSpace(lines[len(lines)-1]); last != "" {
		return ": " + last
	}
	return ""
}

// logPath is where Slurm writes task t's output (see logPattern).
func (e *Executor) logPath(stage string, j job, t int) string {
	return filepath.Join(e.cfg.Logs, stage+"-"+j.name(t)+".log")
}
