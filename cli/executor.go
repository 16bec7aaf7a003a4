package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"litho/dag"
	"litho/dag/slurm"
)

// executorFlag overrides the pipeline's executor block for one run.
var executorFlag = &cli.StringFlag{Name: "executor", Usage: "where stages that miss the cache run: local or slurm (default: the pipeline's executor block, else local)"}

// executor builds the run's executor: nil runs stages in this process.
func (p *project) executor(c *cli.Context) (dag.Executor, error) {
	cfg := p.Pipeline.Executor
	if v := c.String("executor"); v != "" {
		if !slices.Contains(dag.Executors, v) {
			return nil, usagef("--executor %q: want %s", v, strings.Join(dag.Executors, " or "))
		}
		if v != cfg.Kind {
			cfg = dag.ExecutorConfig{Kind: v}
		}
	}
	if cfg.Kind != "slurm" {
		return nil, nil
	}
	for _, tool := range []string{"sbatch", "squeue", "scancel"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, usagef("the slurm executor runs Slurm's %s, which is not on PATH here (run litho on a login node)", tool)
		}
	}
	worker, err := p.worker(c, cfg)
	if err != nil {
		return nil, err
	}
	logs := cfg.Logs
	if logs == "" {
		logs = ".litho-jobs"
	}
	if !filepath.IsAbs(logs) {
		logs = filepath.Join(p.Dir, logs)
	}
	if logs, err = filepath.Abs(logs); err != nil {
		return nil, fmt.Errorf("slurm executor: logs directory: %w", err)
	}
	var env []string
	for _, k := range sortedKeys(cfg.Env) {
		env = append(env, k+"="+cfg.Env[k])
	}
	return slurm.New(slurm.Config{Worker: worker, Retries: cfg.Retries, Limit: cfg.Limit, Batch: cfg.Batch, Logs: logs,
		Poll: cfg.PollInterval(), Env: env, Options: cfg.Options, Partition: cfg.Partition}, slurm.Command{}, p.Log)
}

// worker is the litho command the jobs run, with the remote store the
// nodes share: the driver's, which the executor needs.
func (p *project) worker(c *cli.Context, cfg dag.ExecutorConfig) ([]string, error) {
	rc, ok := p.env.remoteConfig(c, p.Pipeline.Store)
	if !ok || offline(c) {
		return nil, usagef("the slurm executor needs a remote store (the nodes share only the bucket): set remote in the store block, --remote or LITHO_REMOTE")
	}
	if strings.Contains(rc.URL, "@") || strings.Contains(rc.URL, "?") {
		return nil, usagef("the slurm executor writes the remote into job scripts: give credentials through the AWS environment variables or shared credentials file, not in the remote URL")
	}
	worker := cfg.Command
	if len(worker) == 0 {
		self, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("slurm executor: find this litho binary (or set command in the executor block): %w", err)
		}
		worker = []string{self}
	}
	worker = append(slices.Clone(worker), "--remote", rc.URL)
	if rc.Endpoint != "" {
		worker = append(worker, "--s3-endpoint", rc.Endpoint)
	}
	if rc.Insecure {
		worker = append(worker, "--s3-insecure")
	}
	return worker, nil
}
