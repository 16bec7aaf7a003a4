package dag

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// ParamType is the type of a stage parameter as the pipeline sees it.
type ParamType int

const (
	Int ParamType = iota
	Float
	String
	Bool
	Ints
	Floats
	Strings
	StringMap   // an HCL object of strings: { ms = "identity" }
	StringLists // an HCL tuple of string tuples: [["gra", "ms"], ["r"]]
)

func (t ParamType) String() string {
	return [...]string{"int", "float", "string", "bool", "list(int)", "list(float)", "list(string)", "map(string)", "list(list(string))"}[t]
}

// ParamSpec describes one parameter. Register derives the specs from the
// fields of the kind's parameter struct, so a parameter is declared once:
//
//	type Params struct {
//		LatentDim int    `param:"latent_dim" doc:"latent dimensions"`
//		Backend   string `param:"backend,presentation" doc:"..."`
//		Folds     int    `param:"folds,dimension" doc:"..."`
//	}
//
// Field types are int, int64, float64, string, bool, []int, []float64,
// []string, map[string]string and [][]string; untagged fields are not parameters, and
// the fields of an untagged embedded struct are the struct's own.
type ParamSpec struct {
	Name string
	Type ParamType
	// Default is the kind's value in its canonical Go type: int64,
	// float64, string, bool, []int64, []float64, []string,
	// map[string]string or [][]string.
	Default any
	Doc     string
	// Presentation parameters change how a stage reports, not what it
	// computes; they stay out of the key.
	Presentation bool
	// Dimension parameters choose which partitions a stage makes (folds,
	// replicates), not what one partition computes: the partition's name
	// carries that. They stay out of partition keys, and out of the
	// stage's key at their default, so a pipeline that does not partition
	// keeps the keys it had before the parameter existed.
	Dimension bool

	index []int // the field in the parameter struct
}

// ParamError is a check failure that names its parameter, so that Parse
// reports it at the attribute or --set that gave the value.
type ParamError struct {
	Name string
	Msg  string
}

func (e *ParamError) Error() string { return "parameter " + e.Name + ": " + e.Msg }

// ParamErrorf returns a *ParamError for the named parameter.
func ParamErrorf(name, format string, args ...any) error {
	return &ParamError{Name: name, Msg: fmt.Sprintf(format, args...)}
}

// checker is implemented by parameter structs that validate themselves.
// Check sees every parameter at once; errors.Join of several ParamErrors
// reports each at its own attribute.
type checker interface{ Check() error }

// ParamsOf returns the parameters of the running stage. P is the type of
// the kind's Params; asking for another is a programming error.
func ParamsOf[P any](x *Exec) P { return paramsAs[P](x.Kind, x.params) }

// NodeParams returns a node's decoded parameters (for CheckWiring).
func NodeParams[P any](n *Node) P { return paramsAs[P](n.Kind, n.Params) }

func paramsAs[P any](k *Kind, params any) P {
	p, ok := params.(P)
	if !ok {
		panic(fmt.Sprintf("dag: stage kind %s has parameters of type %T, not %T", k.Name, params, p))
	}
	// A copy: partitions run concurrently and must not share slices.
	return cloneParams(k, p).(P)
}

var paramTypes = map[reflect.Type]ParamType{
	reflect.TypeFor[int](): Int, reflect.TypeFor[int64](): Int, reflect.TypeFor[float64](): Float,
	reflect.TypeFor[string](): String, reflect.TypeFor[bool](): Bool,
	reflect.TypeFor[[]int](): Ints, reflect.TypeFor[[]float64](): Floats, reflect.TypeFor[[]string](): Strings,
	reflect.TypeFor[map[string]string](): StringMap, reflect.TypeFor[[][]string](): StringLists,
}

// deriveSpecs reads the specs off a parameter struct value. A struct the
// engine cannot decode is a programming error, reported at Register.
func deriveSpecs(kind string, params any) []ParamSpec {
	if params == nil {
		return nil
	}
	v := reflect.ValueOf(params)
	if v.Kind() != reflect.Struct {
		panic(fmt.Sprintf("dag: kind %q: Params must be a struct value, not %T", kind, params))
	}
	if _, ok := reflect.PointerTo(v.Type()).MethodByName("Check"); ok {
		if _, ok := params.(checker); !ok {
			panic(fmt.Sprintf("dag: kind %q: %T.Check needs a value receiver", kind, params))
		}
	}
	var specs []ParamSpec
	for _, f := range reflect.VisibleFields(v.Type()) {
		if _, ok := f.Tag.Lookup("param"); !ok {
			continue
		}
		ps := fieldSpec(kind, f)
		if slices.ContainsFunc(specs, func(o ParamSpec) bool { return o.Name == ps.Name }) {
			panic(fmt.Sprintf("dag: kind %q: two fields are parameter %s", kind, ps.Name))
		}
		ps.Default = ps.get(params)
		specs = append(specs, ps)
	}
	return specs
}

// fieldSpec is the spec of one tagged field, less its default.
func fieldSpec(kind string, f reflect.StructField) ParamSpec {
	tag := f.Tag.Get("param")
	name, opt, _ := strings.Cut(tag, ",")
	t, ok := paramTypes[f.Type]
	switch {
	case !ok:
		panic(fmt.Sprintf("dag: kind %q: parameter %s has unsupported type %s", kind, name, f.Type))
	case !f.IsExported() || name == "" || (opt != "" && opt != "presentation" && opt != "dimension"):
		panic(fmt.Sprintf("dag: kind %q: bad parameter field %s `param:%q`", kind, f.Name, tag))
	}
	return ParamSpec{Name: name, Type: t, Doc: f.Tag.Get("doc"), Presentation: opt == "presentation",
		Dimension: opt == "dimension", index: f.Index}
}

// get reads the parameter out of a parameter struct, in its canonical
// type: the key and the records see int64 whether the field is int or
// int64, an empty list or map, never null, and a map as a copy (its JSON
// has sorted keys, so the key does not depend on the order in the file).
func (ps ParamSpec) get(params any) any {
	f := reflect.ValueOf(params).FieldByIndex(ps.index)
	switch ps.Type {
	case Int:
		return f.Int()
	case Float:
		return f.Float()
	case String:
		return f.String()
	case Bool:
		return f.Bool()
	case Ints:
		out := make([]int64, f.Len())
		for i := range out {
			out[i] = f.Index(i).Int()
		}
		return out
	case Floats:
		return append([]float64{}, f.Interface().([]float64)...)
	case StringMap:
		m := map[string]string{}
		maps.Copy(m, f.Interface().(map[string]string))
		return m
	case StringLists:
		out := make([][]string, f.Len())
		for i, l := range f.Interface().([][]string) {
			out[i] = append([]string{}, l...)
		}
		return out
	}
	return append([]string{}, f.Interface().([]string)...)
}

// with returns a copy of params with the parameter set to v, a value of
// its canonical type (as toGo makes).
func (ps ParamSpec) with(params any, v any) (any, error) {
	if reflect.TypeOf(v) != reflect.TypeOf(ps.Default) {
		return nil, fmt.Errorf("parameter %s must be %s, got %T", ps.Name, article(ps.Type), v)
	}
	p := reflect.New(reflect.TypeOf(params)).Elem()
	p.Set(reflect.ValueOf(params))
	f := p.FieldByIndex(ps.index)
	if ints, ok := v.([]int64); ok {
		s := reflect.MakeSlice(f.Type(), len(ints), len(ints))
		for i, n := range ints {
			s.Index(i).SetInt(n)
		}
		f.Set(s)
	} else {
		f.Set(reflect.ValueOf(v).Convert(f.Type()))
	}
	return p.Interface(), nil
}

// cloneParams copies a parameter struct, slices and maps included.
func cloneParams(k *Kind, params any) any {
	for _, ps := range k.specs {
		if ps.Type >= Ints { // a list or a map
			params, _ = ps.with(params, ps.get(params))
		}
	}
	return params
}

// checkParams runs the struct's Check, if it has one.
func checkParams(params any) error {
	if c, ok := params.(checker); ok {
		return c.Check()
	}
	return nil
}

// paramErrors splits a Check error into its leaves, so each joined
// ParamError finds its own attribute.
func paramErrors(err error) []error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		if err == nil {
			return nil
		}
		return []error{err}
	}
	var out []error
	for _, e := range j.Unwrap() {
		out = append(out, paramErrors(e)...)
	}
	return out
}

// origin is where a parameter got its value: an attribute, or a --set.
type origin struct {
	rng hcl.Range
	set string // the --set text, when the value came from one
}

// diag reports a problem with the named parameter's value at its origin.
func (o origin) diag(name, msg string) *hcl.Diagnostic {
	if o.set != "" {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid --set", Detail: fmt.Sprintf("%q: %s.", o.set, msg)}
	}
	return errAt(o.rng, "Invalid parameter value", fmt.Sprintf("%s: %s.", name, msg))
}

// set decodes v into the parameter and remembers where it came from.
func (n *Node) set(ps ParamSpec, v cty.Value, o origin) error {
	gv, err := paramValue(v, ps.Type)
	if err == nil {
		n.Params, err = ps.with(n.Params, gv)
	}
	if err == nil {
		n.origins[ps.Name] = o
	}
	return err
}

// paramValue converts a literal HCL value to the canonical Go type of t.
func paramValue(v cty.Value, t ParamType) (any, error) {
	switch t {
	case StringMap:
		return stringMap(v)
	case StringLists:
		return stringLists(v)
	}
	return toGo(v, t)
}

// stringLists converts an HCL tuple (or list) of string tuples to Go.
func stringLists(v cty.Value) ([][]string, error) {
	if v.IsNull() || !v.IsKnown() {
		return nil, fmt.Errorf("must be %s, not null", article(StringLists))
	}
	if !v.Type().IsTupleType() && !v.Type().IsListType() {
		return nil, fmt.Errorf("must be %s, got %s", article(StringLists), v.Type().FriendlyName())
	}
	out := [][]string{}
	for it := v.ElementIterator(); it.Next(); {
		i, ev := it.Element()
		l, err := toGo(ev, Strings)
		if err != nil {
			return nil, fmt.Errorf("must be %s: element %s %s", article(StringLists), i.AsBigFloat().Text('f', 0), err)
		}
		out = append(out, l.([]string))
	}
	return out, nil
}

// stringMap converts an HCL object (or map) of strings to a Go map.
func stringMap(v cty.Value) (map[string]string, error) {
	if v.IsNull() || !v.IsKnown() {
		return nil, fmt.Errorf("must be %s, not null", article(StringMap))
	}
	if !v.Type().IsObjectType() && !v.Type().IsMapType() {
		return nil, fmt.Errorf("must be %s, got %s", article(StringMap), v.Type().FriendlyName())
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		s, err := toGo(ev, String)
		if err != nil {
			return nil, fmt.Errorf("must be %s: %s %s", article(StringMap), k.AsString(), err)
		}
		out[k.AsString()] = s.(string)
	}
	return out, nil
}

// check runs the kind's Check once every value is in.
func (n *Node) check() hcl.Diagnostics {
	return n.place(checkParams(n.Params))
}

// place reports a check's errors, each at the origin of the parameter it
// names, else at the block.
func (n *Node) place(checkErr error) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, err := range paramErrors(checkErr) {
		var pe *ParamError
		if errors.As(err, &pe) && n.origins[pe.Name] != (origin{}) {
			diags = append(diags, n.origins[pe.Name].diag(pe.Name, pe.Msg))
			continue
		}
		diags = append(diags, errAt(n.Range, "Invalid parameters", fmt.Sprintf("%s %q: %s.", n.Kind.Name, n.Name, err)))
	}
	return diags
}

// Reset makes n an instance of k with k's defaults overridden by values
// (parameter name → value of its canonical type), checked; --data swaps
// the source for the LILY files this way.
func (n *Node) Reset(k *Kind, values map[string]any) error {
	params := cloneParams(k, k.Params)
	for name, v := range values {
		ps, ok := k.Param(name)
		if !ok {
			return fmt.Errorf("%s has no parameter %q", k.Name, name)
		}
		var err error
		if params, err = ps.with(params, v); err != nil {
			return err
		}
	}
	if err := checkParams(params); err != nil {
		return err
	}
	n.Kind, n.Params, n.origins = k, params, map[string]origin{}
	return nil
}
