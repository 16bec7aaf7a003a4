package dag_test

import (
	"context"
	"strings"
	"testing"

	"litho/artifacts"
	"litho/artifacts/storetest"
	"litho/dag"
)

// optionalKinds are a source with two outputs, optional or not, of which
// it makes only "a", and a consumer that records what its Exec says of
// each input.
func optionalKinds(seen map[string][2]bool, optional bool) *dag.Registry {
	src := &dag.Kind{Name: "maybe", Version: "1", Source: true, Volatile: true,
		Outputs: []dag.OutputSpec{{Name: "a", Optional: optional}, {Name: "b", Optional: optional}},
		Run:     func(ctx context.Context, x *dag.Exec) error { return x.Put(ctx, "a", []byte("a")) }}
	probe := &dag.Kind{Name: "probe", Version: "1",
		Inputs:  []dag.InputSpec{{Name: "a", Optional: true}, {Name: "b", Optional: true}, {Name: "c", Optional: true}},
		Outputs: []dag.OutputSpec{{Name: "out"}},
		Run: func(ctx context.Context, x *dag.Exec) error {
			for _, in := range []string{"a", "b", "c"} {
				seen[in] = [2]bool{x.Connected(in), x.HasInput(in)}
			}
			return x.Put(ctx, "out", []byte("ok"))
		}}
	return dag.NewRegistry(src, probe)
}

func runOptional(t *testing.T, reg *dag.Registry) error {
	t.Helper()
	local := storetest.Local(t)
	p, err := dag.Parse("test.hcl", []byte(`
source "maybe" {}
stage "probe" "probe" {
  inputs = { a = source.a, b = source.b }
}
`), reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &dag.Runner{Store: artifacts.NewStore(local), Fingerprints: artifacts.NewFingerprinter(""), Jobs: 1, TempBase: local.TempDir()}
	_, err = r.Run(context.Background(), p, dag.Options{})
	return err
}

// An optional output the source did not make reaches its consumer as a
// connected input without content, so the consumer can tell "wired but
// absent" (an error worth naming) from "not wired" (nothing to do).
func TestMissingOptionalOutput(t *testing.T) {
	seen := map[string][2]bool{}
	if err := runOptional(t, optionalKinds(seen, true)); err != nil {
		t.Fatal(err)
	}
	want := map[string][2]bool{"a": {true, true}, "b": {true, false}, "c": {false, false}}
	for in, w := range want {
		if seen[in] != w {
			t.Errorf("input %s: Connected, HasInput = %v, want %v", in, seen[in], w)
		}
	}
}

// A declared output that is not optional must be produced.
func TestMissingRequiredOutputFails(t *testing.T) {
	err := runOptional(t, optionalKinds(map[string][2]bool{}, false))
	if err == nil || !strings.Contains(err.Error(), `maybe produced no output "b"`) {
		t.Fatalf("error %v", err)
	}
}

// A stage that leaves an optional output unproduced stays cached: its
// record, lacking that output, still fits its kind.
func TestOptionalOutputStaysCached(t *testing.T) {
	runs := 0
	reg := optionalKinds(map[string][2]bool{}, true)
	reg.Register(&dag.Kind{Name: "half", Version: "1", Inputs: []dag.InputSpec{{Name: "in"}},
		Outputs: []dag.OutputSpec{{Name: "a"}, {Name: "b", Optional: true}},
		Run:     func(ctx context.Context, x *dag.Exec) error { runs++; return x.Put(ctx, "a", []byte("a")) }})
	local := storetest.Local(t)
	p, err := dag.Parse("test.hcl", []byte("source \"maybe\" {}\nstage \"half\" \"half\" {\n  inputs = { in = source.a }\n}\n"), reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &dag.Runner{Store: artifacts.NewStore(local), Fingerprints: artifacts.NewFingerprinter(""), Jobs: 1, TempBase: local.TempDir()}
	for range 2 {
		if _, err := r.Run(context.Background(), p, dag.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if runs != 1 {
		t.Errorf("the stage ran %d times, want once", runs)
	}
}
