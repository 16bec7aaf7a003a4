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
	if !c.Bool("yes") {
		// Listing only looks: no lock, nothing written.
		p, err := e.open(c, readOnly)
		if err != nil {
			return err
		}
		defer p.Close()
		return e.collect(c, p)
	}
	p, err := e.open(c, readWrite)
	if err != nil {
		return err
	}
	defer p.Close()
	release, err := p.lock(c)
	if err != nil {
		return err
	}
	defer release()
	return e.collect(c, p)
}

// collect lists, or with --yes deletes, what neither the pipeline as it
// stands nor the last --keep-last runs reach.
func (e *Env) collect(c *cli.Context, p *project) error {
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
	return e.gcLocal(c, p, keys, keepRuns)
}

// gcLocal collects the local store: records and blobs that the kept keys
// do not reach go whatever their age (the lock keeps this host's runs
// out, and no other host writes here), and so do the run logs not kept.
// Without --yes it only lists.
func (e *Env) gcLocal(c *cli.Context, p *project, keys []string, keepRuns map[string]bool) error {
	var doomed []victim
	err := p.Local.List(c.Context, artifacts.Runs, func(i artifacts.Info) error {
		if !keepRuns[i.Name] && artifacts.OwnedName(artifacts.Runs, i.Name) {
			doomed = append(doomed, victim{artifacts.Runs, i})
		}
		return nil
	})
	if err != nil {
		return storeError{err}
	}
	runs := len(doomed)
	st, err := artifacts.GC(c.Context, p.Local, artifacts.GCOptions{
		Retain:  retainKeys(keys),
		Refs:    dag.RecordRefs,
		NoGrace: true,
		DryRun:  !c.Bool("yes"),
		Deleted: func(ns artifacts.Namespace, i artifacts.Info) { doomed = append(doomed, victim{ns, i}) },
	})
	if err != nil {
		return storeError{err}
	}
	if err := removeRuns(c, p.Local, doomed[:runs]); err != nil {
		return err
	}
	return printGC(e.Stdout, c.Bool("json"), c.Bool("yes"), doomed, st.Records-st.RecordsDeleted, st.Blobs-st.BlobsDeleted)
}

// retainKeys retains the records of these keys.
func retainKeys(keys []string) func(string) bool {
	retain := map[string]bool{}
	for _, k := range keys {
		retain[k] = true
	}
	return func(k string) bool { return retain[k] }
}

// removeRuns deletes run logs with --yes. It runs after the collection,
// so that a record the collection cannot read (it then stops before
// deleting anything) leaves the run logs in place too.
func removeRuns(c *cli.Context, local *artifacts.Local, runs []victim) error {
	if !c.Bool("yes") {
		return nil
	}
	for _, v := range runs {
		if err := local.Remove(c.Context, artifacts.Runs, v.info.Name); err != nil {
			return storeError{err}
		}
	}
	return nil
}

func printGC(w io.Writer, jsonOut, deleted bool, doomed []victim, keptRecords, keptBlobs int) error {
	var bytes int64
	for _, v := range doomed {
		bytes += v.info.Size
	}
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
			fmt.Fprintf(w, "  %s/%s  %s\n", v.ns, v.info.Name, humanBytes(v.info.Size))
		}
	}
	fmt.Fprintf(w, "%s %d objects (%s); kept %d records and %d blobs\n", verb, len(doomed), humanBytes(bytes), keptRecords, keptBlobs)
	return nil
}

type victim struct {
	ns   artifacts.Namespace
	info artifacts.Info
}
