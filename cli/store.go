package cli

import (
	"fmt"
	"log/slog"

	"github.com/urfave/cli/v2"

	"litho/artifacts"
	"litho/artifacts/s3store"
	"litho/dag"
)

// storeFlags choose the shared remote store for one invocation; they
// override the pipeline's store block. Credentials have no flag: they come
// from the AWS credential chain (environment, shared files, IAM) only.
func storeFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "remote", EnvVars: []string{"LITHO_REMOTE"}, Usage: "shared store s3://BUCKET/PREFIX behind the local one (overrides store.remote)"},
		&cli.StringFlag{Name: "s3-endpoint", EnvVars: []string{"LITHO_S3_ENDPOINT"}, Usage: "S3 endpoint HOST:PORT (default: AWS; overrides store.endpoint)"},
		&cli.BoolFlag{Name: "s3-insecure", EnvVars: []string{"LITHO_S3_INSECURE"}, Usage: "plain HTTP to the S3 endpoint (TLS otherwise)"},
		&cli.BoolFlag{Name: "offline", EnvVars: []string{"LITHO_OFFLINE"}, Usage: "use the local store only, even when a remote is configured"},
	}
}

// offlineFlag lets `litho run --offline` work as well as the global flag.
var offlineFlag = &cli.BoolFlag{Name: "offline", Usage: "use the local store only, even when a remote is configured"}

// transfersFlag sets how many objects push and pull move at once.
var transfersFlag = &cli.IntFlag{Name: "transfers", Value: 8, Usage: "objects to transfer at once"}

// rootContext is the application's context: global flags are read there,
// so that a command's own flag of the same name (gc's --remote switch)
// cannot shadow them.
func rootContext(c *cli.Context) *cli.Context {
	root := c
	for _, x := range c.Lineage() {
		if x.App != nil { // the outermost context carries no app
			root = x
		}
	}
	return root
}

// offline is true when --offline was given globally or to the command.
func offline(c *cli.Context) bool {
	return c.Bool("offline") || rootContext(c).Bool("offline")
}

// remoteConfig merges the pipeline's store block with the flags; ok is
// false when no remote is configured.
func (e *Env) remoteConfig(c *cli.Context, sc dag.StoreConfig) (cfg s3store.Config, ok bool) {
	root := rootContext(c)
	cfg = s3store.Config{URL: sc.Remote, Endpoint: sc.Endpoint, Insecure: sc.Insecure, Env: e.Getenv}
	if v := root.String("remote"); v != "" {
		cfg.URL = v
	}
	if v := root.String("s3-endpoint"); v != "" {
		cfg.Endpoint = v
	}
	if root.Bool("s3-insecure") {
		cfg.Insecure = true
	}
	return cfg, cfg.URL != ""
}

// openBackend returns the backend runs use: the local store, or the local
// store in front of the configured remote.
func (e *Env) openBackend(c *cli.Context, local *artifacts.Local, sc dag.StoreConfig, log *slog.Logger) (artifacts.Backend, error) {
	cfg, ok := e.remoteConfig(c, sc)
	if !ok || offline(c) {
		return local, nil
	}
	remote, err := s3store.Open(c.Context, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w (use --offline to work from the local store only)", err)
	}
	log.Debug("remote store", "location", remote.Location(), "credentials", remote.CredentialSource())
	return artifacts.NewTiered(local, remote, log), nil
}

// remoteOf returns the project's remote store, or a usage error when none
// is configured (push, pull and gc --remote need one).
func remoteOf(p *project, cmd string) (artifacts.Backend, error) {
	if remote, ok := p.Store.Remote(); ok {
		return remote, nil
	}
	return nil, usagef("%s needs a remote store: set remote in the pipeline's store block, --remote or LITHO_REMOTE (and not --offline)", cmd)
}
