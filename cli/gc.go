package cli

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"litho/artifacts"
	"litho/dag"
)

func (e *Env) gcCommand() *cli.Command {
	return &cli.Command{
		Name:  "gc",
		Usage: "list (or with --yes delete) objects and records that neither the current pipeline nor the last N runs reach",
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "keep-last", Value: 5, Usage: "also keep what the last N runs reached"},
			&cli.BoolFlag{Name: "yes", Usage: "delete; without it gc only lists"},
			setFlag, dataFlag, jsonFlag,
		}, remoteGCFlags()...),
		Action: e.gc,
	}
}

func (e *Env) gc(c *cli.Context) error {
	p, err := e.open(c)
	if err != nil {
		return err
	}
	defer p.Close()
	release, err := p.lock(c)
	if err != nil {
		return err
	}
	defer release()
	ctx := c.Context
	keys, err := p.runner(1).CurrentKeys(ctx, p.Pipeline)
	if err != nil {
		return err
	}
	// Run logs are kept per store: gc lists the local store's own.
	logs, err := dag.RecentRuns(ctx, artifacts.NewStore(p.Local), max(0, c.Int("keep-last")))
	if err != nil {
		return err
	}
	keepRuns := map[string]bool{}
	for _, l := range logs {
		keepRuns[l.Name] = true
		keys = append(keys, l.Keys()...)
	}
	if c.Bool("remote") {
		return e.gcRemote(c, p, keys)
	}
	recs, blobs, err := dag.Reachable(ctx, p.Store, keys)
	if err != nil {
		return err
	}
	var doomed []victim
	for _, ns := range []artifacts.Namespace{artifacts.Runs, artifacts.Records, artifacts.Blobs} {
		err := p.Local.List(ctx, ns, func(i artifacts.Info) error {
			keep := map[artifacts.Namespace]bool{artifacts.Runs: keepRuns[i.Name], artifacts.Records: recs[i.Name], artifacts.Blobs: blobs[artifacts.Digest(i.Name)]}[ns]
			if !keep {
				doomed = append(doomed, victim{ns, i})
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	var bytes int64
	for _, v := range doomed {
		bytes += v.info.Size
		if c.Bool("yes") {
			if err := p.Local.Remove(ctx, v.ns, v.info.Name); err != nil {
				return err
			}
		}
	}
	return printGC(e.Stdout, c.Bool("json"), c.Bool("yes"), doomed, bytes, len(recs), len(blobs))
}

func printGC(w io.Writer, jsonOut, deleted bool, doomed []victim, bytes int64, keptRecords, keptBlobs int) error {
	if jsonOut {
		objs := make([]map[string]any, len(doomed))
		for i, v := range doomed {
			objs[i] = map[string]any{"namespace": v.ns, "name": v.info.Name, "size": v.info.Size}
		}
		return json.NewEncoder(w).Encode(map[string]any{"deleted": deleted, "objects": objs, "bytes": bytes,
			"kept_records": keptRecords, "kept_blobs": keptBlobs})
	}
	verb := "would delete"
	if deleted {
		verb = "deleted"
	} else {
		for _, v := range doomed {
			fmt.Fprintf(w, "  %s/%s  %d bytes\n", v.ns, v.info.Name, v.info.Size)
		}
	}
	fmt.Fprintf(w, "%s %d objects (%d bytes); kept %d records and %d blobs\n", verb, len(doomed), bytes, keptRecords, keptBlobs)
	return nil
}

type victim struct {
	ns   artifacts.Namespace
	info artifacts.Info
}
