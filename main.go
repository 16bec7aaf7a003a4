// Command litho turns ocean-drilling core measurements into lithology
// clusters through a content-addressed pipeline.
package main

import (
	_ "embed"
	"os"

	"litho/cli"
	"litho/stages"
)

//go:embed pipeline.hcl
var defaultPipeline []byte

func main() {
	env := &cli.Env{Registry: stages.Registry(), DefaultPipeline: defaultPipeline,
		Stdout: os.Stdout, Stderr: os.Stderr, Version: stages.Version}
	os.Exit(env.Main(os.Args))
}
