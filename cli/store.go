package cli

import (
	"log/slog"

	"github.com/urfave/cli/v2"

	"litho/artifacts"
	"litho/dag"
)

// openBackend returns the backend runs use: the local store, or the local
// store in front of the configured remote.
func openBackend(c *cli.Context, local *artifacts.Local, sc dag.StoreConfig, log *slog.Logger) (artifacts.Backend, error) {
	if sc.Remote != "" {
		return nil, fail("store.remote %q: remote stores are not available in this build", sc.Remote)
	}
	return local, nil
}
