package train

import (
	"fmt"
	"slices"
	"strings"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"litho/dag"
)

// Encoder modes (the encoder parameter).
const (
	EncoderJoint = "joint" // one encoder over every feature (DESIGN.md §1)
	EncoderDual  = "dual"  // one encoder per feature group, latents concatenated (v3, v2.6.4)
)

// encoders is the number of encoder stacks: one per group in dual mode.
func (c Config) encoders() int {
	if c.Encoder == EncoderDual {
		return len(c.Groups)
	}
	return 1
}

// encoderName is the scope of encoder g below the model scope. The joint
// encoder keeps its old name, so its checkpoints read as before.
func (c Config) encoderName(g int) string {
	if c.Encoder == EncoderDual {
		return fmt.Sprintf("encoder_%d", g)
	}
	return "encoder"
}

// groupLatent is each encoder's share of the latent dimensions: the
// groups split latent_dim evenly (v2.6.4: 8 = 4 + 4).
func (c Config) groupLatent() int { return c.LatentDim / c.encoders() }

// groupWidth is the input width of encoder g.
func (c Config) groupWidth(g int) int {
	if c.Encoder == EncoderDual {
		return len(c.Groups[g])
	}
	return c.Inputs()
}

// checkEncoder checks the encoder mode and, for the dual encoder, the
// groups as far as they can be checked without the data: whether they
// name the table's features is checkGroupFeatures' part, at the stage.
func (c Config) checkEncoder() error {
	if err := dag.OneOf("encoder", c.Encoder, EncoderJoint, EncoderDual); err != nil {
		return err
	}
	if c.Encoder == EncoderJoint {
		if len(c.Groups) > 0 {
			return dag.ParamErrorf("groups", "only the dual encoder has groups; set encoder = %q or leave groups out", EncoderDual)
		}
		return nil
	}
	if len(c.Groups) < 2 {
		return dag.ParamErrorf("groups", "the dual encoder needs at least two groups, got %d", len(c.Groups))
	}
	// Masked training feeds the encoder the mask beside the features; the
	// group encoders pick their features by name and have no place for it.
	if c.Masking != NoMasking {
		return dag.ParamErrorf("masking", "masked training needs the joint encoder (encoder = %q)", EncoderJoint)
	}
	// The pseudo-inputs' pass through the group encoders needs the
	// gradient of a column slice, which the pure-Go backend lacks (Pad).
	if c.Prior != NormalPrior {
		return dag.ParamErrorf("prior", "the VampPrior needs the joint encoder (encoder = %q)", EncoderJoint)
	}
	seen := map[string]bool{}
	for i, g := range c.Groups {
		if len(g) == 0 {
			return dag.ParamErrorf("groups", "group %d is empty", i+1)
		}
		for _, f := range g {
			if seen[f] {
				return dag.ParamErrorf("groups", "feature %q is in more than one place; each feature belongs to exactly one group", f)
			}
			seen[f] = true
		}
	}
	if c.LatentDim%len(c.Groups) != 0 {
		return dag.ParamErrorf("latent_dim", "must split evenly over the %d groups of the dual encoder, got %d", len(c.Groups), c.LatentDim)
	}
	return nil
}

// checkGroupFeatures checks that the groups partition the model's
// features, once those are the table's.
func (c Config) checkGroupFeatures() error {
	if c.Encoder != EncoderDual {
		return nil
	}
	have := strings.Join(c.Features, ", ")
	n := 0
	for _, g := range c.Groups {
		for _, f := range g {
			if !slices.Contains(c.Features, f) {
				return dag.ParamErrorf("groups", "%q is not a feature of the table; its features are [%s]", f, have)
			}
			n++
		}
	}
	if n != len(c.Features) {
		for _, f := range c.Features {
			if !slices.ContainsFunc(c.Groups, func(g []string) bool { return slices.Contains(g, f) }) {
				return dag.ParamErrorf("groups", "feature %q is in no group; the groups must share out all the table's features [%s]", f, have)
			}
		}
	}
	return nil
}

// encodeDual runs one encoder per group on the group's columns and
// concatenates their means and log-variances in group order.
func (c Config) encodeDual(ctx *context.Context, x *Node, n *noise) (mu, logVar *Node) {
	var mus, logVars []*Node
	for g, group := range c.Groups {
		cols := make([]*Node, len(group))
		for i, f := range group {
			cols[i] = Slice(x, AxisRange(), AxisElem(slices.Index(c.Features, f)))
		}
		m, lv := c.encodeStack(ctx.In(modelScope).In(c.encoderName(g)), Concatenate(cols, 1), c.groupLatent(), n, g*len(c.Hidden))
		mus, logVars = append(mus, m), append(logVars, lv)
	}
	return Concatenate(mus, 1), Concatenate(logVars, 1)
}
