package train

import (
	"context"
	"fmt"

	"litho/dag"
)

// InitInputs are train's optional inputs of models to start from: the
// whole model, and the second group's encoder of a dual model.
var InitInputs = [2]string{"init", "init2"}

// readInits reads the init inputs that are wired.
func readInits(ctx context.Context, x *dag.Exec) ([]Init, error) {
	var inits []Init
	for g, name := range InitInputs {
		if !x.HasInput(name) {
			continue
		}
		b, err := x.Read(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", name, err)
		}
		inits = append(inits, Init{Input: name, Group: g, Checkpoint: b})
	}
	return inits, nil
}

// checkWiring checks, before anything runs, that the init inputs come
// from another train stage's model and that init2 feeds a dual encoder.
func checkWiring(n *dag.Node, up map[string]*dag.Node) error {
	for _, name := range InitInputs {
		ref, ok := n.Inputs[name]
		if !ok {
			continue
		}
		if src := up[name]; src == nil || src.Kind.Name != "train" || ref.Output != "model" {
			return fmt.Errorf("input %s must be another train stage's model output, got %s.%s", name, ref.Stage, ref.Output)
		}
	}
	if _, ok := n.Inputs[InitInputs[1]]; ok && dag.NodeParams[Params](n).Encoder != EncoderDual {
		return dag.ParamErrorf("encoder", "input %s gives the second group's encoder, so it needs encoder = %q", InitInputs[1], EncoderDual)
	}
	return nil
}
