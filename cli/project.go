package cli

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"litho/artifacts"
	"litho/dag"
)

// project is an opened pipeline with its stores.
type project struct {
	Pipeline     *dag.Pipeline
	Dir          string // the pipeline's directory (the working directory for the embedded one)
	Local        *artifacts.Local
	Store        *artifacts.Store
	Fingerprints *artifacts.Fingerprinter
	Log          *slog.Logger
	env          *Env
	mode         access
}

// embeddedName is how diagnostics name the built-in pipeline.
const embeddedName = "pipeline.hcl (embedded default)"

// loadPipeline reads and decodes the pipeline, applying --set and --data.
func (e *Env) loadPipeline(c *cli.Context) (*dag.Pipeline, string, error) {
	name := c.String("file")
	var src []byte
	var err error
	switch {
	case name != "":
		src, err = os.ReadFile(name)
		if err != nil {
			return nil, "", usagef("read pipeline: %v", err)
		}
	default:
		name = "pipeline.hcl"
		src, err = os.ReadFile(name)
		if errors.Is(err, fs.ErrNotExist) {
			name, src = embeddedName, e.DefaultPipeline
		} else if err != nil {
			return nil, "", usagef("read pipeline: %v", err)
		}
	}
	dir := "."
	if name != embeddedName {
		dir = filepath.Dir(name)
	}
	var sets []string
	if c.IsSet("set") {
		sets = c.StringSlice("set")
	}
	p, err := dag.Parse(name, src, e.Registry, sets)
	if err != nil {
		return nil, "", err
	}
	if c.IsSet("data") {
		if err := e.useLily(p, c.String("data")); err != nil {
			return nil, "", err
		}
	}
	return p, dir, nil
}

// useLily swaps the pipeline's source for the real LILY files in dir.
func (e *Env) useLily(p *dag.Pipeline, dir string) error {
	k, ok := e.Registry.Lookup("lily")
	if !ok {
		return usagef("--data: this build has no lily source")
	}
	n, ok := p.Node(dag.SourceName)
	if !ok {
		return usagef("--data: the pipeline declares no source block")
	}
	for _, o := range n.Kind.Outputs {
		if _, ok := k.Output(o.Name); !ok {
			return usagef("--data: the lily source has no output %q that the pipeline uses", o.Name)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return usagef("--data %s: %v", dir, err)
	}
	if err := n.Reset(k, map[string]any{"dir": abs}); err != nil {
		return usagef("--data: %v", err)
	}
	return nil
}

// access says whether a command writes the store or only looks at it.
type access int

const (
	readWrite access = iota
	// readOnly opens nothing for writing: the local store is not even
	// created, the remote is read through without filling the local
	// store, and the stat cache is not saved. A write is an error.
	readOnly
)

// openForStage opens the project read-only for a command about one stage,
// which must be one of the pipeline's.
func (e *Env) openForStage(c *cli.Context, stage string) (*project, error) {
	p, err := e.open(c, readOnly)
	if err != nil {
		return nil, err
	}
	if err := checkStageNames(p.Pipeline, []string{stage}); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// open loads the pipeline and opens its store.
func (e *Env) open(c *cli.Context, mode access) (*project, error) {
	p, dir, err := e.loadPipeline(c)
	if err != nil {
		return nil, err
	}
	storeDir := c.String("store")
	if storeDir == "" && p.Store.Path != "" {
		storeDir = p.Store.Path
		if !filepath.IsAbs(storeDir) {
			storeDir = filepath.Join(dir, storeDir)
		}
	}
	if storeDir == "" {
		storeDir = filepath.Join(dir, ".litho")
	}
	pr, err := e.openStore(c, storeDir, p.Store, mode)
	if err != nil {
		return nil, err
	}
	pr.Pipeline, pr.Dir = p, dir
	return pr, nil
}

// openStore opens the store in storeDir, behind the remote that sc and
// the flags configure: a project without a pipeline (a worker's).
func (e *Env) openStore(c *cli.Context, storeDir string, sc dag.StoreConfig, mode access) (*project, error) {
	level, err := logLevel(c)
	if err != nil {
		return nil, err
	}
	log, err := newLogger(e.Stderr, level)
	if err != nil {
		return nil, err
	}
	open := artifacts.OpenLocal
	if mode == readOnly {
		open = artifacts.ViewLocal
	}
	local, err := open(storeDir)
	if err != nil {
		return nil, storeError{err}
	}
	be, err := e.openBackend(c, local, sc, log)
	if err != nil {
		return nil, storeError{err}
	}
	if mode == readOnly {
		be = artifacts.ReadOnly(be)
	}
	return &project{
		Local:        local,
		Store:        artifacts.NewStore(be),
		Fingerprints: artifacts.NewFingerprinter(filepath.Join(local.Root(), "statcache.json")),
		Log:          log,
		env:          e,
		mode:         mode,
	}, nil
}

// runner builds a dag.Runner over the project's store.
func (p *project) runner(jobs int) *dag.Runner {
	host, _ := os.Hostname()
	return &dag.Runner{
		Store:        p.Store,
		Fingerprints: p.Fingerprints,
		Jobs:         jobs,
		Log:          p.Log,
		Host:         host,
		Version:      p.env.Version,
		TempBase:     p.tempBase(),
	}
}

// tempBase is where stages get scratch space: the store's filesystem, so
// outputs can be renamed into place, unless the store is only read.
func (p *project) tempBase() string {
	if p.mode == readOnly {
		return ""
	}
	return p.Local.TempDir()
}

// Close saves the stat cache (when the store is writable) and closes the
// store.
func (p *project) Close() error {
	var err error
	if p.mode == readWrite {
		err = p.Fingerprints.Save()
	}
	return errors.Join(err, p.Store.Close())
}
