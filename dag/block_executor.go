package dag

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
)

// ExecutorConfig is the executor block: which executor runs the stages
// that miss the cache, and its settings. Kind "" or "local" runs them in
// the litho process.
type ExecutorConfig struct {
	Kind string
	// Retries is how often a failed unit is resubmitted alone.
	Retries int `hcl:"retries,optional"`
	// Limit caps the tasks of one array job running at once (0: none).
	Limit int `hcl:"limit,optional"`
	// Batch is the number of partitions one array task runs.
	Batch int `hcl:"batch,optional"`
	// Logs is the directory for job scripts and logs, relative to the
	// pipeline's.
	Logs string `hcl:"logs,optional"`
	// Poll is how often the queue is asked which jobs are still there.
	Poll string `hcl:"poll,optional"`
	// Command is the worker's litho binary (and global flags) as the
	// nodes run it; default: this binary's path.
	Command []string `hcl:"command,optional"`
	// Env holds variables exported to the jobs beside the driver's
	// environment (sbatch's --export=ALL).
	Env map[string]string `hcl:"env,optional"`
	// Options are extra scheduler arguments for every job (an account, a
	// QOS), as Nextflow's clusterOptions.
	Options []string `hcl:"options,optional"`
	// Partition is the default partition for stages without one.
	Partition string `hcl:"partition,optional"`
	Range     hcl.Range
}

// Executors are the executor kinds a pipeline may name.
var Executors = []string{"local", "slurm"}

// PollInterval is Poll parsed (checked at decode time); 0 when unset,
// for the executor's default.
func (c ExecutorConfig) PollInterval() time.Duration {
	d, _ := time.ParseDuration(c.Poll)
	return d
}

func decodeExecutor(b *hcl.Block, c *ExecutorConfig) hcl.Diagnostics {
	*c = ExecutorConfig{Kind: b.Labels[0], Batch: 1, Range: b.DefRange}
	if !slices.Contains(Executors, c.Kind) {
		return hcl.Diagnostics{errAt(b.LabelRanges[0], "Unknown executor",
			fmt.Sprintf("%q is not an executor; valid: %s.", c.Kind, strings.Join(Executors, ", ")))}
	}
	diags := gohcl.DecodeBody(b.Body, nil, c)
	if diags.HasErrors() {
		return diags
	}
	attrs, _ := b.Body.JustAttributes()
	bad := func(name, detail string) {
		rng := b.DefRange
		if a, ok := attrs[name]; ok {
			rng = a.Expr.Range()
		}
		diags = append(diags, errAt(rng, "Invalid executor setting", name+" "+detail))
	}
	if c.Retries < 0 {
		bad("retries", "must be at least 0.")
	}
	if c.Limit < 0 {
		bad("limit", "must be at least 0 (0: no limit).")
	}
	if c.Batch < 1 {
		bad("batch", "must be at least 1.")
	}
	if d, err := time.ParseDuration(c.Poll); c.Poll != "" && (err != nil || d <= 0) {
		bad("poll", fmt.Sprintf("must be a positive duration such as \"2s\", got %q.", c.Poll))
	}
	return diags
}

// resourcesBlock is a stage's resources block as written: unset fields
// keep the kind's defaults.
type resourcesBlock struct {
	CPUs      *int    `hcl:"cpus,optional"`
	Mem       *string `hcl:"mem,optional"`
	Time      *string `hcl:"time,optional"`
	Partition *string `hcl:"partition,optional"`
	GPUs      *int    `hcl:"gpus,optional"`
	Batch     *int    `hcl:"batch,optional"`
}

func decodeResources(b *hcl.Block, r *Resources) hcl.Diagnostics {
	var rb resourcesBlock
	diags := gohcl.DecodeBody(b.Body, nil, &rb)
	if diags.HasErrors() {
		return diags
	}
	attrs, _ := b.Body.JustAttributes()
	count := func(dst *int, v *int, name string) {
		if v == nil {
			return
		}
		if *v < 0 {
			diags = append(diags, errAt(attrs[name].Expr.Range(), "Invalid resources", name+" must be at least 0."))
		}
		*dst = *v
	}
	count(&r.CPUs, rb.CPUs, "cpus")
	count(&r.GPUs, rb.GPUs, "gpus")
	count(&r.Batch, rb.Batch, "batch")
	if rb.Mem != nil {
		r.Mem = *rb.Mem
	}
	if rb.Time != nil {
		r.Time = *rb.Time
	}
	if rb.Partition != nil {
		r.Partition = *rb.Partition
	}
	return diags
}
