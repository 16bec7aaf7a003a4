package cli

import (
	"strconv"

	"github.com/urfave/cli/v2"

	"litho/artifacts"
	"litho/dag"
)

func (e *Env) execCommand() *cli.Command {
	return &cli.Command{
		Name:      "exec",
		Usage:     "run one task of a stored work spec: what an executor's jobs run (see docs/scale-out.md)",
		ArgsUsage: "SPEC [TASK]",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "batch", Value: 1, Usage: "units per task: task T runs units T×N … T×N+N-1"},
		},
		Action: e.exec,
	}
}

// exec runs task TASK (default 0) of the work spec SPEC from the store:
// each unit whose record is still missing is produced, its outputs
// stored and its record published last.
func (e *Env) exec(c *cli.Context) error {
	if c.NArg() < 1 || c.NArg() > 2 {
		return usagef("exec needs SPEC and optionally TASK")
	}
	d, err := artifacts.ParseDigest(c.Args().Get(0))
	if err != nil {
		return usagef("exec: SPEC: %v", err)
	}
	task, batch := 0, c.Int("batch")
	if c.NArg() == 2 {
		if task, err = strconv.Atoi(c.Args().Get(1)); err != nil || task < 0 {
			return usagef("exec: TASK must be a whole number ≥ 0, got %q", c.Args().Get(1))
		}
	}
	if batch < 1 {
		return usagef("exec: --batch must be at least 1, got %d", batch)
	}
	storeDir := c.String("store")
	if storeDir == "" {
		return usagef("exec needs --store DIR, its scratch store")
	}
	p, err := e.openStore(c, storeDir, dag.StoreConfig{}, readWrite)
	if err != nil {
		return err
	}
	defer p.Close()
	spec, err := dag.LoadWorkSpec(c.Context, p.Store, d)
	if err != nil {
		return err
	}
	units := dag.TaskUnits(task, batch, len(spec.Units))
	if len(units) == 0 {
		return usagef("exec: work spec %s has %d units; task %d of %d each has none", d.Short(), len(spec.Units), task, batch)
	}
	r := p.runner(1)
	r.OnEvent = newRunPrinter(e.Stdout, false).event
	r.Notes = jobNotes(e.Getenv)
	return r.Work(c.Context, e.Registry, spec, units)
}

// jobNotes name the scheduler's job a worker runs in, for its records:
// `litho show` then says which job produced a stage.
func jobNotes(getenv func(string) string) map[string]string {
	job := getenv("SLURM_JOB_ID")
	if a, t := getenv("SLURM_ARRAY_JOB_ID"), getenv("SLURM_ARRAY_TASK_ID"); a != "" && t != "" {
		job = a + "_" + t
	}
	if job == "" {
		return nil
	}
	return map[string]string{"slurm_job": job}
}
