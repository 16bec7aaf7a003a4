package scale_test

import (
	"strings"
	"testing"

	"litho/dag"
	"litho/stages"
)

// TestFeaturesOfUnjoinedInstruments: a feature whose instrument the bins
// do not join is a diagnostic at the features attribute, before anything
// runs; the features the join has pass.
func TestFeaturesOfUnjoinedInstruments(t *testing.T) {
	const src = `source "synth" {}
stage "ingest" "ingest" {
  inputs = { gra = source.gra, ms = source.ms, ngr = source.ngr }
}
stage "bin" "bin" {
  inputs = { gra = ingest.gra, ms = ingest.ms, ngr = ingest.ngr }
}
stage "scale" "scale" {
  inputs   = { bins = bin.bins }
  features = FEATURES
}
`
	for features, want := range map[string]string{
		`["ngr", "gra"]`:      "",
		`["gra", "r"]`:        `p.hcl:10:14: Invalid parameter value; features: "r" needs instrument rgb, which the bins do not join; available: gra, ms, ngr`,
		`["gra", "porosity"]`: `"porosity" needs instrument mad`,
	} {
		_, err := dag.Parse("p.hcl", []byte(strings.Replace(src, "FEATURES", features, 1)), stages.Registry(), nil)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", features, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: err = %v, want %q", features, err, want)
		}
	}
}
