package scale

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"litho/dag"
	"litho/schemas"
)

func registry() *dag.Registry {
	return dag.NewRegistry(Kind(), &dag.Kind{Name: "bins", Version: "1", Source: true,
		Outputs: []dag.OutputSpec{{Name: "bins", MediaType: schemas.MediaManifest, Partitioned: true}}})
}

// parse parses a pipeline whose scale stage has body; body starts on line 4.
func parse(body string, sets ...string) (*dag.Pipeline, error) {
	src := "source \"bins\" {}\nstage \"scale\" \"scale\" {\n  inputs = { bins = source.bins }\n  " + body + "\n}\n"
	return dag.Parse("p.hcl", []byte(src), registry(), sets)
}

func scaleParams(t *testing.T, p *dag.Pipeline) Params {
	t.Helper()
	n, ok := p.Node("scale")
	if !ok {
		t.Fatal("no scale node")
	}
	return dag.NodeParams[Params](n)
}

func TestParamsDecode(t *testing.T) {
	tests := []struct {
		name string
		body string
		sets []string
		want func(*Params)
	}{
		{"defaults", "", nil, func(*Params) {}},
		{"v1 features, standard", `features = ["gra", "ms", "ngr"]
  scaling = "standard"`, nil, func(p *Params) { p.Features, p.Scaling = []string{"gra", "ms", "ngr"}, Standard }},
		{"override in file", `transforms = { ms = "identity" }`, nil, func(p *Params) { p.Transforms = map[string]string{"ms": "identity"} }},
		{"override by --set", "", []string{`scale.transforms={ms="identity"}`, "scale.context=1"},
			func(p *Params) { p.Transforms, p.Context = map[string]string{"ms": "identity"}, 1 }},
		{"features by --set", "", []string{`scale.features=["rsc_l","msp"]`},
			func(p *Params) { p.Features = []string{"rsc_l", "msp"} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parse(tc.body, tc.sets...)
			if err != nil {
				t.Fatal(err)
			}
			want := DefaultParams()
			tc.want(&want)
			got := scaleParams(t, p)
			if !slices.Equal(got.Features, want.Features) || got.Scaling != want.Scaling || got.Context != want.Context ||
				!maps.Equal(got.Transforms, want.Transforms) {
				t.Errorf("params %+v, want %+v", got, want)
			}
		})
	}
}

func TestParamDiagnostics(t *testing.T) {
	valid := strings.Join(schemas.FeatureNames(), ", ")
	tests := []struct {
		name, body string
		sets       []string
		want       string
	}{
		{"unknown feature", `features = ["gra", "foo"]`, nil,
			`p.hcl:4:14: Invalid parameter value; features: unknown feature "foo"; valid: ` + valid + "."},
		{"unknown feature by --set", "", []string{`scale.features=["GRA"]`},
			`Invalid --set; "scale.features=[\"GRA\"]": unknown feature "GRA"; valid: ` + valid + "."},
		{"listed twice", `features = ["gra", "ms", "gra"]`, nil, `p.hcl:4:14: Invalid parameter value; features: "gra" is listed twice.`},
		{"no features", `features = []`, nil, `p.hcl:4:14: Invalid parameter value; features: must list at least one feature`},
		{"scaling", `scaling = "minmax"`, nil, `p.hcl:4:13: Invalid parameter value; scaling: must be one of [distribution standard], got "minmax".`},
		{"override of a feature not scaled", `transforms = { rsc_l = "identity" }`, nil,
			`p.hcl:4:16: Invalid parameter value; transforms: "rsc_l" is not among features [gra, ms, ngr, r, g, b].`},
		{"unknown transform", `transforms = { ms = "log" }`, nil,
			`p.hcl:4:16: Invalid parameter value; transforms: ms = "log": transform must be one of identity, log1p, signed_log1p.`},
		{"transforms not a map", `transforms = "identity"`, nil, `p.hcl:4:16: Invalid parameter value; transforms: must be a map(string), got string.`},
		{"negative context", `context = -1`, nil, `p.hcl:4:13: Invalid parameter value; context: must be at least 0, got -1.`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(tc.body, tc.sets...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("diagnostics:\n%v\nwant one containing %q", err, tc.want)
			}
		})
	}
}

// What the wiring check reports once the bins upstream are known: a
// declared feature whose instrument is not joined names that instrument.
func TestCheckFeatures(t *testing.T) {
	available := []string{"gra", "ms", "ngr"}
	tests := []struct {
		features []string
		want     string // "" = accepted
	}{
		{[]string{"ngr", "gra"}, ""},
		{[]string{"gra", "r"}, `parameter features: "r" needs instrument rgb, which the bins do not join; available: gra, ms, ngr`},
		{[]string{"porosity"}, `"porosity" needs instrument mad`},
		{[]string{"zz"}, `unknown feature "zz"; valid: gra, ms, ngr`},
		{nil, "must list at least one feature; valid: gra, ms, ngr"},
	}
	for _, tc := range tests {
		err := CheckFeatures(tc.features, available)
		if tc.want == "" && err != nil {
			t.Errorf("%v: %v", tc.features, err)
		}
		if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%v: error %v, want one containing %q", tc.features, err, tc.want)
		}
	}
}

// Feature names and their order are part of scale's key.
func TestFeatureOrderIsInTheKey(t *testing.T) {
	key := func(body string) string {
		p, err := parse(body)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := p.Node("scale")
		return dag.Fields(n, nil).Key()
	}
	base := key(`features = ["gra", "ms"]`)
	for _, body := range []string{`features = ["ms", "gra"]`, `features = ["gra", "ms", "ngr"]`, `features = ["gra", "ms"]
  context = 1`, `features = ["gra", "ms"]
  transforms = { ms = "identity" }`} {
		if key(body) == base {
			t.Errorf("%s: same key as features = [gra, ms]", body)
		}
	}
	if key(`features = ["gra", "ms"]`) != base {
		t.Error("equal parameters gave different keys")
	}
}
