package dag

import (
	"reflect"
	"strings"
	"testing"
)

type groupParams struct {
	Groups [][]string `param:"groups" doc:"feature groups"`
}

func (p groupParams) Check() error {
	for _, g := range p.Groups {
		if len(g) == 0 {
			return ParamErrorf("groups", "a group is empty")
		}
	}
	return nil
}

func groupRegistry() *Registry {
	return NewRegistry(&Kind{Name: "t", Version: "1", Source: true, Params: groupParams{},
		Outputs: []OutputSpec{{Name: "out", MediaType: "text/plain"}}})
}

// A list of lists of strings decodes from a tuple of tuples in the file
// or a --set, enters the key as nested JSON, and reports a bad value at
// its attribute.
func TestStringListsParam(t *testing.T) {
	tests := []struct {
		name string
		body string // inside source "t" { ... } on line 2
		sets []string
		want [][]string
		err  string
	}{
		{name: "default", want: [][]string{}},
		{name: "attribute", body: `groups = [["gra", "ms"], ["r"]]`, want: [][]string{{"gra", "ms"}, {"r"}}},
		{name: "--set over attribute", body: `groups = [["a"]]`, sets: []string{`source.groups=[["b", "c"], ["d"]]`},
			want: [][]string{{"b", "c"}, {"d"}}},
		{name: "a flat list", body: `groups = ["gra", "ms"]`,
			err: `p.hcl:2:12: Invalid parameter value; groups: must be a list(list(string)): element 0 must be a list(string), got string.`},
		{name: "a number inside", body: `groups = [["gra"], [1]]`,
			err: `p.hcl:2:12: Invalid parameter value; groups: must be a list(list(string)): element 1 must be a list(string): element must be a string, got number.`},
		{name: "not a list", body: `groups = "gra"`,
			err: `p.hcl:2:12: Invalid parameter value; groups: must be a list(list(string)), got string.`},
		{name: "check error at attribute", body: `groups = [["gra"], []]`,
			err: `p.hcl:2:12: Invalid parameter value; groups: a group is empty.`},
		{name: "--set not a literal", sets: []string{"source.groups=x"},
			err: `Invalid --set; "source.groups=x": "x" is not a literal list(list(string)).`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "source \"t\" {\n  " + tt.body + "\n}\n"
			p, err := Parse("p.hcl", []byte(src), groupRegistry(), tt.sets)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("diagnostics:\n%v\nwant one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			n, _ := p.Node(SourceName)
			if got := NodeParams[groupParams](n).Groups; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("groups %q, want %q", got, tt.want)
			}
		})
	}
	n := parseNode(t, groupRegistry(), `source.groups=[["b", "a"], ["c"]]`)
	if got, want := keyJSON(t, n), `{"groups":[["b","a"],["c"]]}`; got != want {
		t.Errorf("key params %s, want %s", got, want)
	}
	if got := keyJSON(t, parseNode(t, groupRegistry())); got != `{"groups":[]}` {
		t.Errorf("default key params %s", got)
	}
}

// The parameters a running stage sees are a deep copy: changing an inner
// list leaves the node's own value alone.
func TestStringListsCopied(t *testing.T) {
	n := parseNode(t, groupRegistry(), `source.groups=[["a"]]`)
	NodeParams[groupParams](n).Groups[0][0] = "changed"
	if got := NodeParams[groupParams](n).Groups[0][0]; got != "a" {
		t.Errorf("inner list shared: %q", got)
	}
}
