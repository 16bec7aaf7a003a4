package train

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"litho/dag"
)

// A layer is one dense layer of the model, with the batch norm of a
// hidden block. Its name is its scope below the model scope, so the
// checkpoint's variable names carry it: encoder/hidden_0,
// encoder/hidden_1, encoder/mu, encoder/log_var, decoder/hidden_1,
// decoder/hidden_0, decoder/output; the dual encoder's stacks are
// encoder_0/… and encoder_1/…, one per group. Transfer copies and
// freeze holds whole layers.
type layer struct {
	name    string
	in, out int
	norm    bool // a hidden block: batch norm follows the dense part
}

// layers lists the model's layers in the order they run.
func (c Config) layers() []layer {
	var out []layer
	last := len(c.Hidden) - 1
	for g := range c.encoders() {
		e, in := c.encoderName(g), c.groupWidth(g)
		for i, units := range c.Hidden {
			out = append(out, layer{fmt.Sprintf("%s/hidden_%d", e, i), in, units, true})
			in = units
		}
		out = append(out, layer{e + "/mu", in, c.groupLatent(), false}, layer{e + "/log_var", in, c.groupLatent(), false})
	}
	in := c.LatentDim
	for i := last; i >= 0; i-- {
		out = append(out, layer{fmt.Sprintf("decoder/hidden_%d", i), in, c.Hidden[i], true})
		in = c.Hidden[i]
	}
	return append(out, layer{"decoder/output", in, c.Inputs(), false})
}

// vars are the shapes of the layer's variables, by name relative to it.
func (l layer) vars() map[string][]int {
	v := map[string][]int{"weights": {l.in + 1, l.out}}
	if l.norm {
		for _, n := range []string{"scale", "offset", "mean", "variance"} {
			v["batch_norm/"+n] = []int{l.out}
		}
	}
	return v
}

// under reports whether layer name is part or all of the model part
// prefix names ("encoder_0" holds "encoder_0/mu").
func under(name, prefix string) bool {
	return name == prefix || strings.HasPrefix(name, prefix+"/")
}

// checkFreeze checks that each freeze entry names a layer or a part.
func (c Config) checkFreeze() error {
	var names []string
	for _, l := range c.layers() {
		names = append(names, l.name)
	}
	for _, f := range c.Freeze {
		if !slices.ContainsFunc(names, func(n string) bool { return under(n, f) }) {
			return dag.ParamErrorf("freeze", "%q names no layer of this model; its layers are %s", f, strings.Join(names, ", "))
		}
	}
	return nil
}

// frozenParam marks a frozen part's scope in the model context; the
// layers below it read it while the training graph is built.
const frozenParam = "litho_frozen"

func frozen(ctx *context.Context) bool { return context.GetParamOr(ctx, frozenParam, false) }

// trainable leaves the optimiser the variable v of ctx's layer unless
// the layer is frozen.
func trainable(ctx *context.Context, v *context.Variable) *context.Variable {
	if frozen(ctx) {
		v.SetTrainable(false)
	}
	return v
}

// Init is another train stage's model to start from: input init, Group
// 0, or input init2, Group 1, which gives only the second group's
// encoder of a dual model (see transfer).
type Init struct {
	Input      string
	Group      int
	Checkpoint []byte
}

// prepare copies the init models' matching layers into m and marks the
// frozen parts, before the training graph creates the other variables
// with their usual initialisation.
func (m *Model) prepare(inits []Init) error {
	for _, in := range inits {
		if err := m.transfer(in); err != nil {
			return err
		}
	}
	for _, f := range m.Config.Freeze {
		m.ctx.InAbsPath("/"+modelScope+"/"+f).SetParam(frozenParam, true)
	}
	return nil
}

// transfer copies every layer of in's model whose name and variable
// shapes match one of m's. Names are the source's, except that a joint
// model feeding a dual one gives its encoder, and nothing else, to the
// encoder of group in.Group (a pretrained group encoder, v2.6.4); init2
// only ever fills the second group's encoder. A model none of whose
// layers match is an error: it was wired by mistake.
func (m *Model) transfer(in Init) error {
	srcCfg, vars, err := decodeCheckpoint(in.Checkpoint)
	if err != nil {
		return fmt.Errorf("input %s: %w", in.Input, err)
	}
	src := map[string]map[string]*tensors.Tensor{}
	for _, v := range vars {
		name, rel := splitLayer(v.Name)
		if name = in.rename(m.Config, srcCfg, name); name != "" {
			if src[name] == nil {
				src[name] = map[string]*tensors.Tensor{}
			}
			src[name][rel] = v.Tensor
		}
	}
	var copied []string
	for _, l := range m.Config.layers() {
		if !l.matches(src[l.name]) {
			continue
		}
		for rel, t := range src[l.name] {
			if err := m.setVar("/"+modelScope+"/"+l.name+"/"+rel, t); err != nil {
				return fmt.Errorf("input %s: layer %s: %w", in.Input, l.name, err)
			}
		}
		copied = append(copied, l.name)
	}
	if len(copied) == 0 {
		return fmt.Errorf("input %s: no layer of its model (%s encoder, %d features, hidden %v, latent %d) matches this model's by name and shape",
			in.Input, srcCfg.Encoder, srcCfg.Inputs(), srcCfg.Hidden, srcCfg.LatentDim)
	}
	m.Copied = append(m.Copied, in.Input+": "+strings.Join(copied, " "))
	return nil
}

// rename maps a source layer name to the target's, "" for none.
func (in Init) rename(target, source Config, name string) string {
	if target.Encoder == EncoderDual && source.Encoder == EncoderJoint {
		if !under(name, "encoder") {
			return ""
		}
		name = target.encoderName(in.Group) + strings.TrimPrefix(name, "encoder")
	}
	if in.Group > 0 && !under(name, target.encoderName(in.Group)) {
		return ""
	}
	return name
}

// splitLayer splits a checkpoint variable name, /vae/encoder/hidden_0/
// batch_norm/scale, into its layer, encoder/hidden_0, and the rest.
func splitLayer(varName string) (name, rel string) {
	p := strings.TrimPrefix(varName, "/"+modelScope+"/")
	if i := strings.LastIndex(p, "/batch_norm/"); i >= 0 {
		return p[:i], p[i+1:]
	}
	i := strings.LastIndex(p, "/")
	return p[:max(i, 0)], p[i+1:]
}

// matches reports whether src holds exactly the layer's variables, in
// their shapes.
func (l layer) matches(src map[string]*tensors.Tensor) bool {
	want := l.vars()
	if len(src) != len(want) {
		return false
	}
	for rel, shape := range want {
		if t, ok := src[rel]; !ok || !slices.Equal(t.Shape().Dimensions, shape) {
			return false
		}
	}
	return true
}

// setVar sets a model variable, creating it if the model has none yet:
// a later init replaces what an earlier one gave.
func (m *Model) setVar(fullName string, t *tensors.Tensor) error {
	scope, name := context.SplitScope(fullName)
	if v := m.ctx.GetVariableByScopeAndName(scope, name); v != nil {
		return v.SetValue(t)
	}
	m.ctx.InAbsPath(scope).VariableWithValue(name, t)
	return nil
}
