package cli

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"litho/artifacts"
	"litho/dag"
)

func (e *Env) pullCommand() *cli.Command {
	return &cli.Command{
		Name:         "pull",
		Usage:        "fetch the pipeline's results (STAGE and what it needs, or every stage) from the remote store into the local one",
		ArgsUsage:    "[STAGE]",
		Flags:        []cli.Flag{setFlag, dataFlag, transfersFlag},
		Action:       e.pull,
		BashComplete: e.completeArgs(e.stageNames),
	}
}

func (e *Env) pull(c *cli.Context) error {
	if c.NArg() > 1 {
		return usagef("pull takes at most one STAGE (got %d arguments)", c.NArg())
	}
	t, err := e.openTransfer(c, "pull", readWrite)
	if err != nil {
		return err
	}
	defer t.Close()
	keys, localOnly, err := onRemote(c, t.remote, t.keys)
	if err != nil {
		return err
	}
	st, err := artifacts.TransferRecords(c.Context, t.remote, t.p.Local, keys, dag.RecordRefs, c.Int("transfers"))
	if err != nil {
		return storeError{err}
	}
	fmt.Fprintf(e.Stdout, "pulled %d objects (%s) from %s; %d artifacts were already here\n", st.Copied, sizeText(st.Bytes), t.remote.Location(), st.Skipped)
	if localOnly > 0 {
		fmt.Fprintf(e.Stdout, "%d stages are cached here only (litho push publishes them)\n", localOnly)
	}
	printUncached(e, t.missing)
	return nil
}

// onRemote keeps the keys whose records the remote holds and counts the
// others (results computed on this host and not pushed).
func onRemote(c *cli.Context, remote artifacts.Backend, keys []string) ([]string, int, error) {
	var out []string
	for _, k := range keys {
		_, err := remote.Stat(c.Context, artifacts.Records, k)
		switch {
		case err == nil:
			out = append(out, k)
		case !errors.Is(err, artifacts.ErrNotFound):
			return nil, 0, storeError{err}
		}
	}
	return out, len(keys) - len(out), nil
}
