package dag

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Pipeline is a decoded pipeline.hcl: the stores, the data source and the
// stage instances, with every parameter typed and defaulted.
type Pipeline struct {
	File  string
	Store StoreConfig
	// Executor is the executor block; its Kind is "" without one.
	Executor ExecutorConfig
	Nodes    []*Node // topological order, source first
	Gates    []Gate
	byName   map[string]*Node
}

// StoreConfig is the store block. Credentials never appear here.
type StoreConfig struct {
	Path     string
	Remote   string
	Endpoint string
	Insecure bool
}

// Node is one stage instance.
type Node struct {
	Name string
	Kind *Kind
	// Params is a value of the kind's parameter struct: its defaults with
	// the pipeline's and --set's values, checked. nil when it has none.
	Params any
	Inputs map[string]Ref
	// Resources is the kind's with the stage's resources block over it.
	Resources Resources
	Range     hcl.Range
	origins   map[string]origin // where each set parameter got its value
}

// Ref names another stage's output.
type Ref struct {
	Stage  string
	Output string
	Range  hcl.Range
}

func (r Ref) String() string { return r.Stage + "." + r.Output }

// Gate is a CI guard on one metric: a floor (Min) or a largest allowed drop
// relative to a baseline metrics file (MaxDrop).
type Gate struct {
	Name    string
	Metric  string
	Min     *float64
	MinMean *float64 // a floor on the mean over folds × seeds
	MaxDrop *float64
	Range   hcl.Range
}

// Node finds a stage instance by name.
func (p *Pipeline) Node(name string) (*Node, bool) {
	n, ok := p.byName[name]
	return n, ok
}

// NodeNames lists the instance names in run order.
func (p *Pipeline) NodeNames() []string {
	out := make([]string, len(p.Nodes))
	for i, n := range p.Nodes {
		out[i] = n.Name
	}
	return out
}

// consumed maps each stage to its outputs that some stage of the
// pipeline reads (whatever a run selects, so a source's outputs, and its
// key, do not depend on --to).
func (p *Pipeline) consumed() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, n := range p.Nodes {
		for _, ref := range n.Inputs {
			if out[ref.Stage] == nil {
				out[ref.Stage] = map[string]bool{}
			}
			out[ref.Stage][ref.Output] = true
		}
	}
	return out
}

// ConfigError carries the diagnostics of an invalid pipeline.
type ConfigError struct {
	Diags hcl.Diagnostics
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	for i, d := range e.Diags {
		if i > 0 {
			b.WriteString("\n")
		}
		if d.Subject != nil {
			fmt.Fprintf(&b, "%s:%d:%d: ", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		b.WriteString(d.Summary)
		if d.Detail != "" {
			b.WriteString("; " + d.Detail)
		}
	}
	return b.String()
}

var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "store"},
		{Type: "executor", LabelNames: []string{"kind"}},
		{Type: "source", LabelNames: []string{"kind"}},
		{Type: "stage", LabelNames: []string{"kind", "name"}},
		{Type: "gate", LabelNames: []string{"name"}},
	},
}

// SourceName is the instance name of the pipeline's data source.
const SourceName = "source"

// Parse decodes a pipeline. sets are --set overrides "STAGE.PARAM=VALUE".
// All problems come back together as a *ConfigError.
func Parse(filename string, src []byte, reg *Registry, sets []string) (*Pipeline, error) {
	f, diags := hclparse.NewParser().ParseHCL(src, filename)
	if diags.HasErrors() {
		return nil, &ConfigError{diags}
	}
	content, diags := f.Body.Content(rootSchema)
	p := &Pipeline{File: filename, byName: map[string]*Node{}}
	var nodes []*Node
	stores := 0
	broken := map[string]bool{}
	for _, b := range content.Blocks {
		switch b.Type {
		case "store":
			stores++
			if stores > 1 {
				diags = append(diags, errAt(b.DefRange, "Duplicate store block", "A pipeline has one store block."))
				continue
			}
			diags = append(diags, decodeStore(b, &p.Store)...)
		case "executor":
			if p.Executor.Kind != "" {
				diags = append(diags, errAt(b.DefRange, "Duplicate executor block", "A pipeline has one executor block."))
				continue
			}
			diags = append(diags, decodeExecutor(b, &p.Executor)...)
		case "source", "stage":
			n, d := decodeNode(b, reg)
			diags = append(diags, d...)
			if n == nil {
				// Already reported; references to it would only repeat that.
				broken[blockName(b)] = true
				continue
			}
			if prev, dup := p.byName[n.Name]; dup {
				diags = append(diags, errAt(b.DefRange, "Duplicate stage name",
					fmt.Sprintf("%q is already declared at %s.", n.Name, prev.Range)))
				continue
			}
			p.byName[n.Name] = n
			nodes = append(nodes, n)
		case "gate":
			g, d := decodeGate(b)
			diags = append(diags, d...)
			if g != nil {
				p.Gates = append(p.Gates, *g)
			}
		}
	}
	if len(nodes) == 0 && len(broken) == 0 {
		// An emptied file must not pass CI by running nothing.
		diags = append(diags, errAt(hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos}, "Empty pipeline",
			"The pipeline declares no source and no stage, so there is nothing to run or check; `litho init` writes the default pipeline."))
	}
	diags = append(diags, applySets(p, sets)...)
	for _, n := range nodes {
		diags = append(diags, n.check()...)
	}
	diags = append(diags, checkRefs(p, nodes, broken)...)
	if !diags.HasErrors() {
		diags = append(diags, checkWiring(p, nodes)...)
	}
	if !diags.HasErrors() {
		order, d := topoSort(nodes)
		diags = append(diags, d...)
		p.Nodes = order
	}
	if diags.HasErrors() {
		sortDiags(diags)
		return nil, &ConfigError{diags}
	}
	return p, nil
}

// checkWiring runs the kinds' CheckWiring over nodes whose references
// all resolved.
func checkWiring(p *Pipeline, nodes []*Node) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, n := range nodes {
		if n.Kind.CheckWiring == nil {
			continue
		}
		up := map[string]*Node{}
		for slot, ref := range n.Inputs {
			up[slot], _ = p.Node(ref.Stage)
		}
		diags = append(diags, n.place(n.Kind.CheckWiring(n, up))...)
	}
	return diags
}

func errAt(r hcl.Range, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: r.Ptr()}
}

func sortDiags(diags hcl.Diagnostics) {
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := diags[i].Subject, diags[j].Subject
		if a == nil || b == nil {
			return a != nil
		}
		return a.Start.Byte < b.Start.Byte
	})
}

func decodeStore(b *hcl.Block, sc *StoreConfig) hcl.Diagnostics {
	attrs, diags := b.Body.JustAttributes()
	for name, a := range attrs {
		v, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		switch name {
		case "path", "remote", "endpoint":
			s, err := toGo(v, String)
			if err != nil {
				diags = append(diags, errAt(a.Expr.Range(), "Invalid store setting", fmt.Sprintf("%s %s.", name, err)))
				continue
			}
			if name != "path" && strings.Contains(s.(string), "@") {
				// The value is not quoted back: it holds a credential.
				diags = append(diags, errAt(a.Expr.Range(), "Credentials in the store block",
					name+" must not contain user:secret@; credentials come from the AWS environment variables or shared credentials file, never from the pipeline."))
				continue
			}
			*map[string]*string{"path": &sc.Path, "remote": &sc.Remote, "endpoint": &sc.Endpoint}[name] = s.(string)
		case "insecure":
			bv, err := toGo(v, Bool)
			if err != nil {
				diags = append(diags, errAt(a.Expr.Range(), "Invalid store setting", "insecure "+err.Error()+"."))
				continue
			}
			sc.Insecure = bv.(bool)
		default:
			diags = append(diags, errAt(a.NameRange, "Unknown store setting",
				fmt.Sprintf("%q is not a store setting; valid: path, remote, endpoint, insecure. Credentials come from the AWS environment variables or shared credentials file, never from the pipeline.", name)))
		}
	}
	return diags
}

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

func decodeGate(b *hcl.Block) (*Gate, hcl.Diagnostics) {
	g := &Gate{Name: b.Labels[0], Range: b.DefRange}
	attrs, diags := b.Body.JustAttributes()
	for name, a := range attrs {
		v, d := a.Expr.Value(nil)
		if d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		switch name {
		case "metric":
			s, err := toGo(v, String)
			if err != nil {
				diags = append(diags, errAt(a.Expr.Range(), "Invalid gate", "metric "+err.Error()+"."))
				continue
			}
			g.Metric = s.(string)
		case "min", "min_mean", "max_drop":
			f, err := toGo(v, Float)
			if err != nil {
				diags = append(diags, errAt(a.Expr.Range(), "Invalid gate", name+" "+err.Error()+"."))
				continue
			}
			x := f.(float64)
			*map[string]**float64{"min": &g.Min, "min_mean": &g.MinMean, "max_drop": &g.MaxDrop}[name] = &x
		default:
			diags = append(diags, errAt(a.NameRange, "Unknown gate setting",
				fmt.Sprintf("%q is not a gate setting; valid: metric, min, min_mean, max_drop.", name)))
		}
	}
	if g.Metric == "" {
		diags = append(diags, errAt(b.DefRange, "Missing gate metric", `A gate needs metric = "method.kK.name", e.g. "gmm.k18.ari".`))
	}
	if g.Min == nil && g.MinMean == nil && g.MaxDrop == nil {
		diags = append(diags, errAt(b.DefRange, "Gate without a bound", "Set min, min_mean or max_drop (or several)."))
	}
	return g, diags
}

// applySets applies --set STAGE.PARAM=VALUE overrides.
func applySets(p *Pipeline, sets []string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, s := range sets {
		lhs, val, ok := strings.Cut(s, "=")
		stage, param, ok2 := strings.Cut(lhs, ".")
		if !ok || !ok2 {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid --set",
				Detail: fmt.Sprintf("%q: want STAGE.PARAM=VALUE, e.g. train.latent_dim=8.", s)})
			continue
		}
		n, found := p.byName[stage]
		if !found {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid --set",
				Detail: fmt.Sprintf("%q: no stage named %q.", s, stage)})
			continue
		}
		ps, found := n.Kind.Param(param)
		if !found {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid --set",
				Detail: fmt.Sprintf("%q: %s has no parameter %q; valid: %s.", s, n.Kind.Name, param, paramNames(n.Kind))})
			continue
		}
		v, err := parseSetValue(ps, val)
		if err == nil {
			err = n.set(ps, v, origin{set: s})
		}
		if err != nil {
			diags = append(diags, origin{set: s}.diag(param, err.Error()))
		}
	}
	return diags
}

// parseSetValue reads VALUE as an HCL expression; a string parameter also
// accepts bare text, so --set source.dir=/data/lily works unquoted.
func parseSetValue(ps ParamSpec, text string) (cty.Value, error) {
	expr, d := hclsyntax.ParseExpression([]byte(text), "--set", hcl.InitialPos)
	if !d.HasErrors() {
		if v, d := expr.Value(nil); !d.HasErrors() && (ps.Type != String || v.Type() == cty.String) {
			return v, nil
		}
	}
	if ps.Type == String {
		return cty.StringVal(text), nil
	}
	return cty.NilVal, fmt.Errorf("%q is not a literal %s", text, ps.Type)
}

func checkRefs(p *Pipeline, nodes []*Node, broken map[string]bool) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, n := range nodes {
		for _, in := range n.Kind.Inputs {
			ref, ok := n.Inputs[in.Name]
			if !ok {
				if !in.Optional {
					diags = append(diags, errAt(n.Range, "Missing input",
						fmt.Sprintf("%s %q needs input %q (inputs = { %s = STAGE.OUTPUT }).", n.Kind.Name, n.Name, in.Name, in.Name)))
				}
				continue
			}
			up, ok := p.byName[ref.Stage]
			if !ok && broken[ref.Stage] {
				continue
			}
			if !ok {
				diags = append(diags, errAt(ref.Range, "Reference to undeclared stage",
					fmt.Sprintf("Input %q refers to %q, which is not declared.", in.Name, ref.Stage)))
				continue
			}
			_, ok = up.Kind.Output(ref.Output)
			if !ok {
				var names []string
				for _, o := range up.Kind.Outputs {
					names = append(names, o.Name)
				}
				diags = append(diags, errAt(ref.Range, "Unknown output",
					fmt.Sprintf("%s %q has no output %q; valid: %s.", up.Kind.Name, up.Name, ref.Output, strings.Join(names, ", "))))
				continue
			}
		}
	}
	return diags
}

// topoSort orders nodes so that every stage follows its inputs, keeping
// declaration order among independent stages; a cycle is a diagnostic.
func topoSort(nodes []*Node) ([]*Node, hcl.Diagnostics) {
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	byName := map[string]*Node{}
	for _, n := range nodes {
		byName[n.Name] = n
	}
	var order []*Node
	var diags hcl.Diagnostics
	var visit func(n *Node, path []string) bool
	visit = func(n *Node, path []string) bool {
		switch state[n.Name] {
		case done:
			return true
		case visiting:
			i := indexOf(path, n.Name)
			cycle := append(append([]string{}, path[i:]...), n.Name)
			diags = append(diags, errAt(n.Range, "Cycle in pipeline",
				fmt.Sprintf("Stages depend on each other in a loop: %s.", strings.Join(cycle, " → "))))
			return false
		}
		state[n.Name] = visiting
		for _, in := range n.Kind.Inputs {
			if ref, ok := n.Inputs[in.Name]; ok {
				if !visit(byName[ref.Stage], append(path, n.Name)) {
					return false
				}
			}
		}
		state[n.Name] = done
		order = append(order, n)
		return true
	}
	for _, n := range nodes {
		if !visit(n, nil) {
			break
		}
	}
	return order, diags
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return 0
}

// toGo converts a literal HCL value to the Go type of t.
func toGo(v cty.Value, t ParamType) (any, error) {
	if v.IsNull() || !v.IsKnown() {
		return nil, fmt.Errorf("must be %s, not null", article(t))
	}
	switch t {
	case Int, Float:
		if v.Type() != cty.Number {
			return nil, fmt.Errorf("must be %s, got %s", article(t), v.Type().FriendlyName())
		}
		bf := v.AsBigFloat()
		if t == Float {
			f, _ := bf.Float64()
			if math.IsInf(f, 0) {
				return nil, fmt.Errorf("%s is out of range", bf.Text('g', 6))
			}
			return f, nil
		}
		if !bf.IsInt() {
			return nil, fmt.Errorf("must be a whole number, got %s", bf.Text('g', -1))
		}
		i, acc := bf.Int64()
		if acc != big.Exact {
			return nil, fmt.Errorf("%s is out of range", bf.Text('g', -1))
		}
		return i, nil
	case String:
		if v.Type() != cty.String {
			return nil, fmt.Errorf("must be a string, got %s", v.Type().FriendlyName())
		}
		return v.AsString(), nil
	case Bool:
		if v.Type() != cty.Bool {
			return nil, fmt.Errorf("must be a bool, got %s", v.Type().FriendlyName())
		}
		return v.True(), nil
	}
	elem := map[ParamType]ParamType{Ints: Int, Floats: Float, Strings: String}[t]
	if !v.Type().IsTupleType() && !v.Type().IsListType() {
		return nil, fmt.Errorf("must be %s, got %s", article(t), v.Type().FriendlyName())
	}
	var ints []int64
	var floats []float64
	var strs []string
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		g, err := toGo(ev, elem)
		if err != nil {
			return nil, fmt.Errorf("must be %s: element %s", article(t), err)
		}
		switch x := g.(type) {
		case int64:
			ints = append(ints, x)
		case float64:
			floats = append(floats, x)
		case string:
			strs = append(strs, x)
		}
	}
	switch t {
	case Ints:
		return nonNil(ints), nil
	case Floats:
		return nonNil(floats), nil
	}
	return nonNil(strs), nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func article(t ParamType) string {
	if t == Int {
		return "an int"
	}
	return "a " + t.String()
}
