package cli

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"litho/artifacts"
	"litho/dag"
)

// remoteGCFlags switch gc to the shared remote store.
func remoteGCFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "remote", Usage: "collect the remote store instead of the local one"},
		&cli.DurationFlag{Name: "grace", Value: artifacts.DefaultGrace, Usage: "with --remote: never delete objects younger than this, nor what records younger than this name"},
	}
}

// gcRemote collects the remote store: records neither retained (keys: the
// current pipeline and the last runs) nor younger than the grace period
// go, then old blobs no remaining record reaches. Without --yes it only
// counts.
func (e *Env) gcRemote(c *cli.Context, p *project, keys []string) error {
	remote, err := remoteOf(p, "gc --remote")
	if err != nil {
		return err
	}
	if c.Duration("grace") <= 0 {
		return usagef("--grace %s: want a positive duration", c.Duration("grace"))
	}
	st, err := artifacts.GC(c.Context, remote, artifacts.GCOptions{
		Retain: retainKeys(keys),
		Refs:   dag.RecordRefs,
		Grace:  c.Duration("grace"),
		DryRun: !c.Bool("yes"),
	})
	if err != nil {
		return storeError{err}
	}
	if c.Bool("json") {
		return json.NewEncoder(e.Stdout).Encode(map[string]any{"deleted": c.Bool("yes"), "store": remote.Location(),
			"records": st.Records, "records_deleted": st.RecordsDeleted, "blobs": st.Blobs, "blobs_deleted": st.BlobsDeleted, "bytes": st.BytesDeleted})
	}
	verb := "would delete"
	if c.Bool("yes") {
		verb = "deleted"
	}
	fmt.Fprintf(e.Stdout, "%s: %s %d of %d records and %d of %d blobs (%s); grace %s\n", remote.Location(), verb,
		st.RecordsDeleted, st.Records, st.BlobsDeleted, st.Blobs, sizeText(st.BytesDeleted), c.Duration("grace"))
	return nil
}
