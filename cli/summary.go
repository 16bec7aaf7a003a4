package cli

import (
	"github.com/urfave/cli/v2"

	"litho/dag"
)

// afterRun prints what a finished run means for the user (the metrics
// table once an evaluate stage exists).
func (e *Env) afterRun(c *cli.Context, p *project, res *dag.Result) {}
