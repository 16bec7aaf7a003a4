package dag

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

func blockName(b *hcl.Block) string {
	if b.Type == "stage" {
		return b.Labels[1]
	}
	return SourceName
}

func decodeNode(b *hcl.Block, reg *Registry) (*Node, hcl.Diagnostics) {
	kindName := b.Labels[0]
	name := blockName(b)
	if b.Type == "stage" {
		if !hclsyntax.ValidIdentifier(name) {
			return nil, hcl.Diagnostics{errAt(b.LabelRanges[1], "Invalid stage name",
				fmt.Sprintf("%q must be an identifier (letters, digits, _ and -).", name))}
		}
	}
	isSource := b.Type == "source"
	k, ok := reg.Lookup(kindName)
	if !ok || k.Source != isSource {
		what := "stage kind"
		if isSource {
			what = "source kind"
		}
		return nil, hcl.Diagnostics{errAt(b.LabelRanges[0], "Unknown "+what,
			fmt.Sprintf("%q is not a %s; valid: %s.", kindName, what, strings.Join(reg.Names(isSource), ", ")))}
	}
	n := &Node{Name: name, Kind: k, Params: cloneParams(k, k.Params), Inputs: map[string]Ref{}, Resources: k.Resources,
		Range: b.DefRange, origins: map[string]origin{}}
	attrs, blocks, diags := nodeBody(b)
	for i, rb := range blocks {
		if i > 0 {
			diags = append(diags, errAt(rb.DefRange, "Duplicate resources block", "A stage has one resources block."))
			continue
		}
		diags = append(diags, decodeResources(rb, &n.Resources)...)
	}
	for _, a := range sortedAttrs(attrs) {
		if a.Name == "inputs" && !isSource {
			diags = append(diags, decodeInputs(n, a)...)
			continue
		}
		ps, ok := k.Param(a.Name)
		if !ok {
			diags = append(diags, errAt(a.NameRange, "Unknown parameter",
				fmt.Sprintf("%s %q has no parameter %q; valid: %s.", k.Name, name, a.Name, paramNames(k))))
			continue
		}
		v, d := a.Expr.Value(nil)
		if d.HasErrors() {
			diags = append(diags, errAt(a.Expr.Range(), "Invalid parameter value",
				fmt.Sprintf("%s must be a literal %s: %s", a.Name, ps.Type, d[0].Summary)))
			continue
		}
		o := origin{rng: a.Expr.Range()}
		if err := n.set(ps, v, o); err != nil {
			diags = append(diags, o.diag(a.Name, err.Error()))
		}
	}
	return n, diags
}

// nodeBody splits a stage block into its attributes (parameters and
// inputs) and its resources blocks, its one kind of nested block.
// hclsyntax's JustAttributes refuses any block, hidden or not, so the
// attributes are read from the syntax tree.
func nodeBody(b *hcl.Block) (hcl.Attributes, []*hcl.Block, hcl.Diagnostics) {
	content, _, diags := b.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "resources"}}})
	sb, ok := b.Body.(*hclsyntax.Body)
	if !ok {
		attrs, d := b.Body.JustAttributes()
		return attrs, content.Blocks, append(diags, d...)
	}
	attrs := hcl.Attributes{}
	for name, a := range sb.Attributes {
		attrs[name] = a.AsHCLAttribute()
	}
	for _, nb := range sb.Blocks {
		if nb.Type != "resources" {
			diags = append(diags, errAt(nb.TypeRange, fmt.Sprintf("Unexpected %q block", nb.Type),
				"A stage has parameters, inputs and one resources block."))
		}
	}
	return attrs, content.Blocks, diags
}

func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Range.Start.Byte < out[j].Range.Start.Byte })
	return out
}

func paramNames(k *Kind) string {
	var names []string
	for _, p := range k.specs {
		names = append(names, p.Name)
	}
	if !k.Source {
		names = append(names, "inputs")
	}
	return strings.Join(names, ", ")
}

func decodeInputs(n *Node, a *hcl.Attribute) hcl.Diagnostics {
	pairs, diags := hcl.ExprMap(a.Expr)
	if diags.HasErrors() {
		return hcl.Diagnostics{errAt(a.Expr.Range(), "Invalid inputs",
			"inputs must be an object of input name = stage.output, e.g. { train = scale.train }.")}
	}
	for _, pr := range pairs {
		kv, d := pr.Key.Value(nil)
		if d.HasErrors() || kv.Type() != cty.String || kv.IsNull() {
			diags = append(diags, errAt(pr.Key.Range(), "Invalid input name", "Input names are identifiers."))
			continue
		}
		slot := kv.AsString()
		if _, ok := n.Kind.Input(slot); !ok {
			var names []string
			for _, in := range n.Kind.Inputs {
				names = append(names, in.Name)
			}
			diags = append(diags, errAt(pr.Key.Range(), "Unknown input",
				fmt.Sprintf("%s %q has no input %q; valid: %s.", n.Kind.Name, n.Name, slot, strings.Join(names, ", "))))
			continue
		}
		tr, d := hcl.AbsTraversalForExpr(pr.Value)
		if d.HasErrors() || len(tr) != 2 {
			diags = append(diags, errAt(pr.Value.Range(), "Invalid input reference",
				fmt.Sprintf("Input %q must name another stage's output as STAGE.OUTPUT.", slot)))
			continue
		}
		step, ok := tr[1].(hcl.TraverseAttr)
		if !ok {
			diags = append(diags, errAt(pr.Value.Range(), "Invalid input reference",
				fmt.Sprintf("Input %q must name another stage's output as STAGE.OUTPUT.", slot)))
			continue
		}
		n.Inputs[slot] = Ref{Stage: tr.RootName(), Output: step.Name, Range: pr.Value.Range()}
	}
	return diags
}
