package dag

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// shape is embedded untagged: its parameters are testParams' own.
type shape struct {
	Depth   int     `param:"depth" doc:"levels"`
	Rate    float64 `param:"rate"`
	scratch int     // untagged: not a parameter
}

type testParams struct {
	shape
	Name    string            `param:"name"`
	Ks      []int             `param:"ks"`
	Labels  map[string]string `param:"labels"`
	Verbose bool              `param:"verbose,presentation"`
	Note    string            // untagged: not a parameter
}

func (p testParams) Check() error {
	errs := []error{AtLeast("depth", p.Depth, 1), OneOf("name", p.Name, "a", "b")}
	if p.Name == "b" && len(p.Ks) == 0 {
		errs = append(errs, errors.New("name b needs ks"))
	}
	if p.Name == "b" && p.Rate == 0.5 {
		errs = append(errs, ParamErrorf("rate", "must not be 0.5 with name b"))
	}
	for k := range p.Labels {
		if k == "bad" {
			errs = append(errs, ParamErrorf("labels", "key %q is not allowed", k))
		}
	}
	return errors.Join(errs...)
}

var testDefaults = testParams{shape: shape{Depth: 2, Rate: 0.5}, Name: "a", Ks: []int{1, 2}, Labels: map[string]string{}}

func testRegistry() *Registry {
	return NewRegistry(&Kind{Name: "t", Version: "1", Source: true, Params: testDefaults,
		Outputs: []OutputSpec{{Name: "out", MediaType: "text/plain"}}})
}

func TestParamSpecsFromStruct(t *testing.T) {
	k, _ := testRegistry().Lookup("t")
	var got []string
	for _, ps := range k.ParamSpecs() {
		b, _ := json.Marshal(ps.Default)
		got = append(got, ps.Name+" "+ps.Type.String()+" "+string(b))
	}
	want := []string{"depth int 2", "rate float 0.5", "name string \"a\"", "ks list(int) [1,2]", "labels map(string) {}", "verbose bool false"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("specs %q, want %q", got, want)
	}
	if ps, _ := k.Param("depth"); ps.Doc != "levels" || ps.Presentation {
		t.Errorf("depth: %+v", ps)
	}
	if ps, _ := k.Param("verbose"); !ps.Presentation {
		t.Errorf("verbose is not a presentation parameter")
	}
}

func TestParamDecoding(t *testing.T) {
	with := func(mod func(*testParams)) testParams {
		p := testDefaults
		p.Ks = []int{1, 2}
		p.Labels = map[string]string{}
		mod(&p)
		return p
	}
	tests := []struct {
		name string
		body string // inside source "t" { ... } on line 2
		sets []string
		want testParams
		errs []string // each must be among the diagnostics
	}{
		{name: "defaults", want: testDefaults},
		{name: "embedded and own fields", body: `depth = 5
  ks = [4]
  name = "b"
  rate = 1`,
			want: with(func(p *testParams) { p.Depth, p.Ks, p.Name, p.Rate = 5, []int{4}, "b", 1 })},
		{name: "error naming no parameter at the block", body: `ks = []
  name = "b"
  rate = 1`,
			errs: []string{`p.hcl:1:1: Invalid parameters; t "source": name b needs ks.`}},
		{name: "set over attribute", body: `depth = 5`, sets: []string{"source.depth=7", "source.verbose=true"},
			want: with(func(p *testParams) { p.Depth, p.Verbose = 7, true })},
		{name: "checked after sets", body: `depth = 0`, sets: []string{"source.depth=3"},
			want: with(func(p *testParams) { p.Depth = 3 })},
		{name: "type mismatch in file", body: `depth = "x"`,
			errs: []string{`p.hcl:2:11: Invalid parameter value; depth: must be an int, got string.`}},
		{name: "type mismatch in --set", sets: []string{"source.ks=x"},
			errs: []string{`Invalid --set; "source.ks=x": "x" is not a literal list(int).`}},
		{name: "check error at attribute", body: `name = "c"`,
			errs: []string{`p.hcl:2:10: Invalid parameter value; name: must be one of [a b], got "c".`}},
		{name: "check error at --set", sets: []string{"source.depth=0"},
			errs: []string{`Invalid --set; "source.depth=0": must be at least 1, got 0.`}},
		{name: "each joined error at its origin", body: `depth = 0
  name = "c"`,
			errs: []string{`p.hcl:2:11: Invalid parameter value; depth: must be at least 1, got 0.`,
				`p.hcl:3:10: Invalid parameter value; name: must be one of [a b], got "c".`}},
		{name: "map attribute", body: `labels = { x = "1", y = "two" }`,
			want: with(func(p *testParams) { p.Labels = map[string]string{"x": "1", "y": "two"} })},
		{name: "map --set over attribute", body: `labels = { x = "1" }`, sets: []string{`source.labels={y="2"}`},
			want: with(func(p *testParams) { p.Labels = map[string]string{"y": "2"} })},
		{name: "empty map", body: `labels = {}`, want: testDefaults},
		{name: "map of a list", body: `labels = ["x"]`,
			errs: []string{`p.hcl:2:12: Invalid parameter value; labels: must be a map(string), got tuple.`}},
		{name: "map with a number", body: `labels = { x = 1 }`,
			errs: []string{`p.hcl:2:12: Invalid parameter value; labels: must be a map(string): x must be a string, got number.`}},
		{name: "map --set not an object", sets: []string{"source.labels=x"},
			errs: []string{`Invalid --set; "source.labels=x": "x" is not a literal map(string).`}},
		{name: "map check error at attribute", body: `labels = { bad = "x" }`,
			errs: []string{`p.hcl:2:12: Invalid parameter value; labels: key "bad" is not allowed.`}},
		{name: "error naming an unset parameter at the block", body: `name = "b"`,
			errs: []string{`p.hcl:1:1: Invalid parameters; t "source": parameter rate: must not be 0.5 with name b.`}},
	}
	reg := testRegistry()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "source \"t\" {\n  " + tt.body + "\n}\n"
			p, err := Parse("p.hcl", []byte(src), reg, tt.sets)
			if len(tt.errs) > 0 {
				for _, want := range tt.errs {
					if err == nil || !strings.Contains(err.Error(), want) {
						t.Errorf("diagnostics:\n%v\nwant one containing %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			n, _ := p.Node(SourceName)
			if got := n.Params.(testParams); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("params %+v, want %+v", got, tt.want)
			}
		})
	}
}

func parseNode(t *testing.T, reg *Registry, sets ...string) *Node {
	t.Helper()
	p, err := Parse("p.hcl", []byte(`source "t" {}`), reg, sets)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := p.Node(SourceName)
	return n
}

func keyJSON(t *testing.T, n *Node) string {
	t.Helper()
	b, err := json.Marshal(keyParams(n, false))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestKeyParams(t *testing.T) {
	reg := testRegistry()
	base := keyJSON(t, parseNode(t, reg))
	if want := `{"depth":2,"ks":[1,2],"labels":{},"name":"a","rate":0.5}`; base != want {
		t.Errorf("key params %s, want %s", base, want)
	}
	if got := keyJSON(t, parseNode(t, reg, "source.verbose=true")); got != base {
		t.Errorf("a presentation parameter changed the key params: %s", got)
	}
	if got := keyJSON(t, parseNode(t, reg, "source.depth=3")); got == base {
		t.Error("a parameter did not change the key params")
	}
	// A map's keys are sorted in the key, whatever their order in the file.
	for _, set := range []string{`source.labels={b="2", a="1"}`, `source.labels={a="1", b="2"}`} {
		if got, want := keyJSON(t, parseNode(t, reg, set)), `{"depth":2,"ks":[1,2],"labels":{"a":"1","b":"2"},"name":"a","rate":0.5}`; got != want {
			t.Errorf("%s: key params %s, want %s", set, got, want)
		}
	}
	// The key sees values, not Go types: an int64 and an int field, a nil
	// and an empty list, encode alike.
	type wide struct {
		Depth int64 `param:"depth"`
		Ks    []int `param:"ks"`
	}
	type narrow struct {
		Depth int   `param:"depth"`
		Ks    []int `param:"ks"`
	}
	for _, params := range []any{wide{Depth: 2}, narrow{Depth: 2, Ks: []int{}}} {
		n := parseNode(t, NewRegistry(&Kind{Name: "t", Version: "1", Source: true, Params: params}))
		if got := keyJSON(t, n); got != `{"depth":2,"ks":[]}` {
			t.Errorf("%T: key params %s", params, got)
		}
	}
}

func TestParamsOfIsACopy(t *testing.T) {
	reg := testRegistry()
	n := parseNode(t, reg)
	x := &Exec{Kind: n.Kind, params: n.Params}
	p := ParamsOf[testParams](x)
	p.Ks[0] = 99
	p.Labels["x"] = "changed"
	if n.Params.(testParams).Ks[0] != 1 || len(n.Params.(testParams).Labels) != 0 {
		t.Error("a stage's change to its parameters reached the node")
	}
}

func TestReset(t *testing.T) {
	reg := testRegistry()
	k, _ := reg.Lookup("t")
	n := &Node{}
	if err := n.Reset(k, map[string]any{"depth": int64(4), "ks": []int64{3}, "labels": map[string]string{"x": "y"}}); err != nil {
		t.Fatal(err)
	}
	if got := n.Params.(testParams); got.Depth != 4 || !reflect.DeepEqual(got.Ks, []int{3}) || got.Name != "a" || got.Labels["x"] != "y" {
		t.Errorf("params %+v", got)
	}
	for _, bad := range []map[string]any{{"depth": 4}, {"nope": "x"}, {"depth": int64(0)}, {"labels": map[string]any{}}} {
		if err := n.Reset(k, bad); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
}

type ptrCheck struct {
	N int `param:"n"`
}

func (p *ptrCheck) Check() error { return nil }

func TestRegisterRejectsBadParamStructs(t *testing.T) {
	tests := map[string]any{
		"unsupported type": struct {
			N uint `param:"n"`
		}{},
		"[]int64": struct {
			N []int64 `param:"n"`
		}{},
		"map[string]int": struct {
			N map[string]int `param:"n"`
		}{},
		"duplicate name": struct {
			A int `param:"n"`
			B int `param:"n"`
		}{},
		"unexported": struct {
			n int `param:"n"`
		}{},
		"unknown option": struct {
			N int `param:"n,hidden"`
		}{},
		"pointer":              &testDefaults,
		"Check on the pointer": ptrCheck{},
	}
	for name, params := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("registered")
				}
			}()
			NewRegistry(&Kind{Name: "bad", Version: "1", Params: params})
		})
	}
}
