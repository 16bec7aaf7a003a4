// Package cli is litho's command line: one file per command, exit codes
// decided once, here.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"litho/artifacts"
	"litho/dag"
)

// Exit codes.
const (
	ExitOK     = 0
	ExitFailed = 1 // a stage or a gate failed
	ExitUsage  = 2 // bad usage or an invalid pipeline
	ExitStore  = 3 // store unavailable or locked
	// ExitInterrupted is what shells report for a command killed by
	// SIGINT (128 + 2), so scripts can tell Ctrl-C from a failure.
	ExitInterrupted = 130
	exitUnknown     = 1
)

// Env is what commands share: the stage kinds, the embedded default
// pipeline and where output goes.
type Env struct {
	Registry        *dag.Registry
	DefaultPipeline []byte
	Stdout, Stderr  io.Writer
	Version         string
	// Getenv looks up the environment litho was started with, where the
	// S3 credential chain and region come from; nil: the process's, read
	// once by Main.
	Getenv func(string) string
}

// usageError marks errors that are the caller's fault (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// storeError marks an unavailable store (exit 3).
type storeError struct{ err error }

func (e storeError) Error() string { return e.err.Error() }
func (e storeError) Unwrap() error { return e.err }

// exitError carries an explicit exit code with a message already printed
// (a failed gate prints its own table).
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

// errWouldRun is `status --exit-code` finding a stage to run: exit 1,
// the plan already printed.
var errWouldRun = exitError{code: ExitFailed, err: errors.New("")}

// ExitCode maps an error to litho's exit code.
func ExitCode(err error) int {
	var ce *dag.ConfigError
	var ue usageError
	var se storeError
	var ee exitError
	var stageErr *dag.StageError
	var unavailable *artifacts.UnavailableError
	var notStore *artifacts.NotStoreError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ce), errors.As(err, &ue), errors.As(err, &notStore):
		// --store naming a directory litho did not create is bad usage.
		return ExitUsage
	case errors.Is(err, artifacts.ErrLocked), errors.As(err, &se), errors.As(err, &unavailable):
		return ExitStore
	case errors.As(err, &stageErr):
		return ExitFailed
	}
	return exitUnknown
}

// commands lists every command, each defined in its own file.
func (e *Env) commands() []*cli.Command {
	return []*cli.Command{
		e.runCommand(),
		e.execCommand(),
		e.statusCommand(),
		e.runsCommand(),
		e.whyCommand(),
		e.dagCommand(),
		e.showCommand(),
		e.exportCommand(),
		e.gcCommand(),
		e.verifyCommand(),
		e.pushCommand(),
		e.pullCommand(),
		e.initCommand(),
		e.synthCommand(),
		e.checkCommand(),
		e.metricsCommand(),
		e.reportCommand(),
		e.compareCommand(),
		e.completionCommand(),
	}
}

// App builds the urfave/cli application.
func (e *Env) App() *cli.App {
	cmds := e.commands()
	e.setCompletion(cmds)
	return &cli.App{
		Name:      "litho",
		Usage:     "reproducible lithology clustering of ocean-drilling core logs",
		Version:   versionString(e.Version),
		Writer:    e.Stdout,
		ErrWriter: e.Stderr,
		Flags:     globalFlags(),
		Commands:  cmds,
		// Shell completion (completion.go): the scripts ask litho itself.
		EnableBashCompletion: true,
		BashComplete:         e.completeArgs(),
		// Errors are printed and mapped to exit codes once, in Main.
		ExitErrHandler:  func(*cli.Context, error) {},
		HideHelpCommand: true,
		// A --set value is one HCL expression: lists and objects hold commas.
		DisableSliceFlagSeparator: true,
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return usageError{err}
		},
		// Reached only when no command matched: an unknown command is bad
		// usage (exit 2), not a failure.
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("unknown command %q; see litho --help", c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
	}
}

// Main runs litho with args and returns the exit code.
func (e *Env) Main(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first Ctrl-C cancels the run, a second one kills at once.
	context.AfterFunc(ctx, stop)
	if e.Getenv == nil {
		e.Getenv = environment(os.Environ())
	}
	app := e.App()
	for _, c := range app.Commands {
		c.OnUsageError = app.OnUsageError
	}
	ctx, args, skip := completionRequest(ctx, args)
	if skip {
		return ExitOK
	}
	err := app.RunContext(ctx, reorderArgs(app, args))
	if err == nil {
		return ExitOK
	}
	var ee exitError
	if !errors.As(err, &ee) || ee.err.Error() != "" {
		fmt.Fprintf(e.Stderr, "litho: %v\n", err)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(e.Stderr, "litho: interrupted; unfinished stages left no record")
		return ExitInterrupted
	}
	return ExitCode(err)
}

// environment looks variables up in a copy of kv ("KEY=value" lines).
func environment(kv []string) func(string) string {
	m := make(map[string]string, len(kv))
	for _, l := range kv {
		if k, v, ok := strings.Cut(l, "="); ok {
			m[k] = v
		}
	}
	return func(k string) string { return m[k] }
}

// logLevel is --log-level, unless --quiet or --verbose name one.
func logLevel(c *cli.Context) (string, error) {
	switch {
	case c.Bool("quiet") && c.Bool("verbose"):
		return "", usagef("--quiet and --verbose contradict each other")
	case c.Bool("quiet"):
		return "warn", nil
	case c.Bool("verbose"):
		return "debug", nil
	}
	return c.String("log-level"), nil
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
