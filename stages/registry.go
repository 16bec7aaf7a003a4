// Package stages registers litho's stage kinds, one package per kind.
package stages

import (
	"litho/dag"
	"litho/stages/bin"
	"litho/stages/cluster"
	"litho/stages/embed"
	"litho/stages/evaluate"
	"litho/stages/ingest"
	"litho/stages/lily"
	"litho/stages/scale"
	"litho/stages/synth"
	"litho/stages/train"
)

// Version is litho's release version, recorded in every action record.
const Version = "0.1.0"

// Registry returns every stage and source kind.
func Registry() *dag.Registry {
	return dag.NewRegistry(
		synth.Kind(),
		lily.Kind(),
		ingest.Kind(),
		bin.Kind(),
		scale.Kind(),
		train.Kind(),
		embed.Kind(),
		cluster.Kind(),
		evaluate.Kind(),
		evaluate.SummariseKind(),
	)
}
