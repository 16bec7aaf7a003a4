package dag_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"litho/dag"
)

// pick wants columns its upstream "cols" source declares in its own list.
type pickParams struct {
	Want []string `param:"want"`
}

type colsParams struct {
	Has []string `param:"has"`
}

func wiringRegistry() *dag.Registry {
	return dag.NewRegistry(
		&dag.Kind{Name: "cols", Version: "1", Source: true, Params: colsParams{Has: []string{"a", "b"}},
			Outputs: []dag.OutputSpec{{Name: "out"}}},
		&dag.Kind{Name: "pick", Version: "1", Params: pickParams{Want: []string{"a"}},
			Inputs: []dag.InputSpec{{Name: "in"}}, Outputs: []dag.OutputSpec{{Name: "out"}},
			CheckWiring: func(n *dag.Node, up map[string]*dag.Node) error {
				has := dag.NodeParams[colsParams](up["in"])
				var errs []error
				for _, w := range dag.NodeParams[pickParams](n).Want {
					if !slices.Contains(has.Has, w) {
						errs = append(errs, dag.ParamErrorf("want", "%q is not upstream (has %v)", w, has.Has))
					}
				}
				return errors.Join(errs...)
			}},
	)
}

// TestCheckWiring: a kind's check against its upstream nodes runs at
// parse time, and its errors point at the parameter, or at the block.
func TestCheckWiring(t *testing.T) {
	cases := []struct {
		name, want string
		sets       []string
		ok         bool
	}{
		{name: "satisfied", want: `["a", "b"]`, ok: true},
		{name: "at the attribute", want: `["a", "c"]`},
		{name: "upstream changed by --set", want: `["a", "b"]`, sets: []string{`source.has=["a"]`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := fmt.Sprintf("source \"cols\" {}\nstage \"pick\" \"p\" {\n  inputs = { in = source.out }\n  want = %s\n}\n", tc.want)
			_, err := dag.Parse("w.hcl", []byte(src), wiringRegistry(), tc.sets)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "w.hcl:4:10: Invalid parameter value; want:") {
				t.Errorf("err = %v, want a diagnostic at w.hcl:4:10", err)
			}
		})
	}
}
