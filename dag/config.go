package dag

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
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
