package cli

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"litho/artifacts"
	"litho/dag"
)

func (e *Env) pushCommand() *cli.Command {
	return &cli.Command{
		Name:         "push",
		Usage:        "copy the pipeline's cached results (records and the artifacts they name) to the remote store",
		ArgsUsage:    "[STAGE...]",
		Flags:        []cli.Flag{setFlag, dataFlag, transfersFlag},
		Action:       e.push,
		BashComplete: e.completeEach(e.stageNames),
	}
}

func (e *Env) push(c *cli.Context) error {
	t, err := e.openTransfer(c, "push", readOnly)
	if err != nil {
		return err
	}
	defer t.Close()
	st, err := artifacts.TransferRecords(c.Context, t.p.Local, t.remote, t.keys, dag.RecordRefs, c.Int("transfers"))
	if err != nil {
		return storeError{err}
	}
	fmt.Fprintf(e.Stdout, "pushed %d objects (%s) to %s; %d artifacts were already there\n", st.Copied, sizeText(st.Bytes), t.remote.Location(), st.Skipped)
	printUncached(e, t.missing)
	return nil
}

// transfer is a locked project, its remote, and the record keys of the
// stages a push or pull moves.
type transfer struct {
	p       *project
	remote  artifacts.Backend
	release func()
	keys    []string
	missing []string // stages without a result yet
}

// openTransfer opens the project and its remote and finds the cached
// stages named on the command line (all when none are). A transfer that
// writes the local store (pull) takes its lock; one that only reads it
// (push) reads immutable objects and takes none.
func (e *Env) openTransfer(c *cli.Context, verb string, mode access) (*transfer, error) {
	p, err := e.open(c, mode)
	if err != nil {
		return nil, err
	}
	t := &transfer{p: p, release: func() {}}
	if t.remote, err = remoteOf(p, verb); err == nil && mode == readWrite {
		t.release, err = p.lock(c)
	}
	if err == nil {
		t.keys, t.missing, err = cachedKeys(c, p, c.Args().Slice())
	}
	if err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// Close releases the lock and closes the project.
func (t *transfer) Close() {
	t.release()
	t.p.Close()
}

// cachedKeys are the record keys of the named stages and the stages they
// need (every stage when none is named) that have a result now, and the
// names of those that have none.
func cachedKeys(c *cli.Context, p *project, stages []string) (keys, missing []string, err error) {
	if err := checkStageNames(p.Pipeline, stages); err != nil {
		return nil, nil, err
	}
	if len(stages) == 0 {
		stages = []string{""}
	}
	seen := map[string]bool{}
	for _, s := range stages {
		plan, err := p.runner(1).Plan(c.Context, p.Pipeline, dag.Options{To: s})
		if err != nil {
			return nil, nil, err
		}
		for _, pe := range plan {
			if seen[pe.Stage] {
				continue
			}
			seen[pe.Stage] = true
			if pe.Status == "cached" && pe.Key != "" {
				keys = append(keys, pe.Key)
			} else {
				missing = append(missing, pe.Stage)
			}
		}
	}
	return keys, missing, nil
}

func printUncached(e *Env, missing []string) {
	if len(missing) > 0 {
		fmt.Fprintf(e.Stdout, "not cached yet (run them first): %v\n", missing)
	}
}

// sizeText prints a byte count in MB, the unit the benchmarks use.
func sizeText(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
