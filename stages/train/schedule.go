package train

import (
	"fmt"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// The β schedules.
const (
	Linear   = "linear"   // beta_start → beta_end over anneal_epochs, then beta_end
	Constant = "constant" // beta_end from the first epoch (v2.1: 1.0, v2.5: 0.5)
)

// Which weights Fit returns.
const (
	KeepLast = "last" // the last epoch's, as the seed (its models stop after ~16 epochs with these)
	KeepBest = "best" // the lowest validation loss's (at that epoch's β)
)

// snapshot is a copy of the model's variables (weights and batch-norm
// running statistics), to return to the best epoch's.
type snapshot map[*context.Variable]*tensors.Tensor

// takeSnapshot copies every model variable's current value.
func (m *Model) takeSnapshot() (snapshot, error) {
	s := snapshot{}
	for v := range m.ctx.IterVariables() {
		if !strings.HasPrefix(v.Scope(), "/"+modelScope) {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", v.ScopeAndName(), err)
		}
		flat, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", v.ScopeAndName(), err)
		}
		s[v] = tensors.FromFlatDataAndDimensions(flat, t.Shape().Dimensions...)
	}
	return s, nil
}

// restore sets the model's variables back to a snapshot.
func (m *Model) restore(s snapshot) error {
	for v, t := range s {
		if err := v.SetValue(t); err != nil {
			return fmt.Errorf("restore %s: %w", v.ScopeAndName(), err)
		}
	}
	return nil
}
