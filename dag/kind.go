// Package dag turns a pipeline into a graph of stage instances, computes
// their keys, and runs what is not cached. It knows stage kinds only
// through the Kind description; it imports no ML or storage-client code.
package dag

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
)

// InputSpec declares a named input slot.
type InputSpec struct {
	Name     string
	Optional bool
	// Map marks an input the stage maps over: when it is partitioned the
	// stage runs once per partition, with one key per partition; a single
	// artifact is one unnamed partition, so the stage then runs once, as
	// an unmapped stage does (see partition.go).
	Map bool
}

// OutputSpec declares a named output.
type OutputSpec struct {
	Name      string
	MediaType string
	// Partitioned outputs are always manifests of partition name →
	// artifact. Any other output is a manifest when the stage runs
	// mapped, or when it puts partitions into it (scale's folds).
	Partitioned bool
	// External outputs are files outside the store, fingerprinted by
	// content (a data source's input files).
	External bool
	// Optional outputs may be left unproduced (a source's file that is not
	// in its directory); a stage reading one finds its input connected but
	// absent (Exec.Connected without Exec.HasInput). Partitioned outputs
	// are always produced, if empty.
	Optional bool
}

// Kind describes a stage kind: what it takes, what it makes, and how.
type Kind struct {
	Name    string
	Version string // implementation version; part of every key
	Doc     string
	// Source kinds are declared with a `source "NAME"` block; the
	// instance is called "source".
	Source bool
	// Volatile kinds run every time (they fingerprint files outside the
	// store); their outputs' digests decide what runs downstream.
	Volatile bool
	// Params is the kind's parameter struct (see ParamSpec) holding the
	// defaults; nil when the kind has none. The pipeline overrides fields,
	// the struct's Check method (if any) runs once on the result, and Run
	// reads it with ParamsOf.
	Params  any
	Inputs  []InputSpec
	Outputs []OutputSpec
	Run     func(ctx context.Context, x *Exec) error
	// Replicates, when set, names replicate partitions from the
	// parameters (train's seeds): each partition the stage would run on
	// runs once per name, as partition JoinPart(p, name), which Run reads
	// with Exec.Replicate. No names, no replicate dimension.
	Replicates func(params any) []string
	// CheckWiring, when set, checks a node against the nodes its inputs
	// come from (input slot → node) once every reference resolves: a
	// list of features against the instruments an upstream stage joins.
	// An error naming a parameter (ParamErrorf) is placed at it.
	CheckWiring func(n *Node, upstream map[string]*Node) error
	// Columns, when set, says from a node alone which columns a table
	// output will have (bin: the features of the instruments it joins),
	// so downstream CheckWiring can check what it asks for.
	Columns func(n *Node, output string) []string
	// Resources is what the kind's jobs ask a scheduler for unless a
	// stage's resources block says otherwise (train: a GPU).
	Resources Resources

	specs []ParamSpec // derived from Params by Register
}

// ParamSpecs lists the parameters in declaration order.
func (k *Kind) ParamSpecs() []ParamSpec { return k.specs }

// Param returns the spec of the named parameter.
func (k *Kind) Param(name string) (ParamSpec, bool) {
	for _, p := range k.specs {
		if p.Name == name {
			return p, true
		}
	}
	return ParamSpec{}, false
}

// Input returns the spec of the named input.
func (k *Kind) Input(name string) (InputSpec, bool) {
	for _, in := range k.Inputs {
		if in.Name == name {
			return in, true
		}
	}
	return InputSpec{}, false
}

// Output returns the spec of the named output.
func (k *Kind) Output(name string) (OutputSpec, bool) {
	for _, o := range k.Outputs {
		if o.Name == name {
			return o, true
		}
	}
	return OutputSpec{}, false
}

// Registry holds the stage kinds a pipeline may use.
type Registry struct {
	kinds map[string]*Kind
}

// NewRegistry returns a registry holding kinds.
func NewRegistry(kinds ...*Kind) *Registry {
	r := &Registry{kinds: map[string]*Kind{}}
	for _, k := range kinds {
		r.Register(k)
	}
	return r
}

// Register adds a kind; registering a name twice is a programming error.
func (r *Registry) Register(k *Kind) {
	if _, dup := r.kinds[k.Name]; dup {
		panic(fmt.Sprintf("dag: kind %q registered twice", k.Name))
	}
	k.specs = deriveSpecs(k.Name, k.Params)
	r.kinds[k.Name] = k
}

// Lookup finds a kind by name.
func (r *Registry) Lookup(name string) (*Kind, bool) {
	k, ok := r.kinds[name]
	return k, ok
}

// Names lists the registered kinds, sorted.
func (r *Registry) Names(source bool) []string {
	var out []string
	for n, k := range r.kinds {
		if k.Source == source {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// AtLeast is a shared check: the parameter must be at least lo (a NaN
// never is).
func AtLeast[T cmp.Ordered](name string, v, lo T) error {
	if !(v >= lo) {
		return ParamErrorf(name, "must be at least %v, got %v", lo, v)
	}
	return nil
}

// OneOf is a shared check: the parameter must be one of allowed.
func OneOf[T comparable](name string, v T, allowed ...T) error {
	if !slices.Contains(allowed, v) {
		return ParamErrorf(name, "must be one of %v, got %#v", allowed, v)
	}
	return nil
}
