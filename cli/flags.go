package cli

import (
	"runtime"
	"time"

	"github.com/urfave/cli/v2"
)

func globalFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "file", TakesFile: true, Aliases: []string{"f"}, Usage: "pipeline file (default: ./pipeline.hcl, else the embedded default)"},
		&cli.StringFlag{Name: "store", TakesFile: true, EnvVars: []string{"LITHO_STORE"}, Usage: "local artifact store directory (default: .litho beside the pipeline)"},
		&cli.StringFlag{Name: "log-level", Value: "info", Usage: "debug, info, warn or error"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress, only warnings and errors (--log-level warn)"},
		&cli.BoolFlag{Name: "verbose", Usage: "debug logs, such as each training epoch (--log-level debug)"},
		&cli.DurationFlag{Name: "lock-timeout", Value: 10 * time.Minute, Usage: "how long to wait for another litho run on this store"},
	}, storeFlags()...)
}

var (
	jsonFlag = &cli.BoolFlag{Name: "json", Usage: "print JSON instead of text"}
	setFlag  = &cli.StringSliceFlag{Name: "set", Usage: "override a parameter for this run: STAGE.PARAM=VALUE (repeatable)"}
	dataFlag = &cli.StringFlag{Name: "data", TakesFile: true, Usage: "read real LILY CSV files from DIR instead of the pipeline's source"}
	jobsFlag = &cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: runtime.NumCPU(), Usage: "stages to run at once"}
)
