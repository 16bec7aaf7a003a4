package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"litho/dag"
)

func (e *Env) runCommand() *cli.Command {
	return &cli.Command{
		Name:  "run",
		Usage: "run the pipeline: only stages whose key has no record execute",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "to", Usage: "run only STAGE and what it needs"},
			&cli.StringSliceFlag{Name: "force", Usage: "rerun STAGE even if cached (repeatable)"},
			setFlag, dataFlag, jobsFlag, jsonFlag,
			&cli.BoolFlag{Name: "dry-run", Usage: "say what would run, run nothing"},
			offlineFlag, executorFlag,
		},
		Action: e.run,
	}
}

func (e *Env) run(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("run takes no arguments (got %q); use --to STAGE", c.Args().First())
	}
	mode := readWrite
	if c.Bool("dry-run") {
		mode = readOnly
	}
	p, err := e.open(c, mode)
	if err != nil {
		return err
	}
	defer p.Close()
	opts := dag.Options{To: c.String("to"), Force: c.StringSlice("force")}
	if err := checkStageNames(p.Pipeline, append([]string{opts.To}, opts.Force...)); err != nil {
		return err
	}
	if c.Bool("dry-run") {
		_, err := e.printPlan(c, p, opts)
		return err
	}
	release, err := p.lock(c)
	if err != nil {
		return err
	}
	defer release()

	jsonOut := c.Bool("json")
	r := p.runner(c.Int("jobs"))
	if r.Executor, err = p.executor(c); err != nil {
		return err
	}
	pr := newRunPrinter(e.Stdout, jsonOut)
	r.OnEvent = pr.event
	if !jsonOut {
		r.Progress = newProgress(e.Stderr, c.Bool("quiet"))
	}
	start := time.Now()
	res, runErr := r.Run(c.Context, p.Pipeline, opts)
	if res != nil && !jsonOut {
		pr.summary(res, time.Since(start))
		e.afterRun(c, p, res)
	}
	return runErr
}

// checkStageNames rejects --to/--force names the pipeline lacks (exit 2).
func checkStageNames(p *dag.Pipeline, names []string) error {
	for _, n := range names {
		if n == "" {
			continue
		}
		if _, ok := p.Node(n); !ok {
			return usagef("no stage named %q; stages: %s", n, strings.Join(p.NodeNames(), ", "))
		}
	}
	return nil
}

// runPrinter shows events as they arrive: JSON lines, or one text line
// per stage (partitions are counted, not listed).
type runPrinter struct {
	w     io.Writer
	json  bool
	parts map[string]map[string]int
}

func newRunPrinter(w io.Writer, jsonOut bool) *runPrinter {
	return &runPrinter{w: w, json: jsonOut, parts: map[string]map[string]int{}}
}

func (p *runPrinter) event(ev dag.Event) {
	if p.json {
		if ev.Outputs == nil {
			ev.Outputs = map[string]string{}
		}
		b, _ := json.Marshal(ev)
		fmt.Fprintln(p.w, string(b))
		return
	}
	if ev.Partition != "" {
		if p.parts[ev.Stage] == nil {
			p.parts[ev.Stage] = map[string]int{}
		}
		p.parts[ev.Stage][ev.Status]++
		if ev.Status == dag.StatusFailed {
			fmt.Fprintf(p.w, "  %-7s %-10s [%s] %s\n", ev.Status, ev.Stage, ev.Partition, ev.Error)
		}
		return
	}
	line := fmt.Sprintf("  %-7s %-10s %s", ev.Status, ev.Stage, shortKey(ev.Key))
	if ev.Status != dag.StatusCached {
		line += fmt.Sprintf("  %6.1fs", ev.Seconds)
	}
	if ev.Job != "" {
		line += "  slurm job " + ev.Job
	}
	if counts := p.parts[ev.Stage]; len(counts) > 0 {
		line += "  partitions: " + formatCounts(counts)
	}
	if ev.Error != "" {
		line += "\n          " + ev.Error
	}
	fmt.Fprintln(p.w, line)
	delete(p.parts, ev.Stage) // a retried stage counts its partitions afresh
	for _, s := range ev.Summary {
		fmt.Fprintf(p.w, "          %s\n", s)
	}
}

func formatCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", m[k], k)
	}
	return strings.Join(parts, ", ")
}

func shortKey(k string) string {
	if len(k) > 12 {
		return k[:12]
	}
	return k
}

func (p *runPrinter) summary(res *dag.Result, took time.Duration) {
	counts := map[string]int{}
	for _, ev := range res.Events {
		counts[ev.Status]++
	}
	fmt.Fprintf(p.w, "%d stages: %s in %.1fs\n", len(res.Events), formatCounts(counts), took.Seconds())
	if len(res.Skipped) > 0 {
		fmt.Fprintf(p.w, "not run because an upstream stage failed: %s\n", strings.Join(res.Skipped, ", "))
	}
}

// lock takes the store lock for a run, telling the user if it waits.
func (p *project) lock(c *cli.Context) (func(), error) {
	release, tookOver, err := p.Local.Lock(c.Context, c.Duration("lock-timeout"), func(holder string) {
		fmt.Fprintf(p.env.Stderr, "litho: waiting for another litho run on %s (%s)\n", p.Local.Root(), holder)
	})
	if err != nil {
		return nil, storeError{err}
	}
	if tookOver != "" {
		p.Log.Warn("took over a lock left by a process that is gone", "holder", tookOver)
	}
	if err := p.Local.CleanTemp(); err != nil {
		release()
		return nil, storeError{err}
	}
	return release, nil
}
