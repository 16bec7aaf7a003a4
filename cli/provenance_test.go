package cli

import (
	"strings"
	"testing"
	"time"
)

// A page without </body> gets the section at its end; the section
// escapes what records hold.
func TestWithProvenanceAppends(t *testing.T) {
	st := []provenanceStage{{Stage: "src", Kind: "lily", Host: "<h>", Fingerprints: [][3]string{{"gra", "abc", "/d/GRA.csv"}}}}
	got, err := withProvenance([]byte("<p>x</p>"), "v1", time.Unix(0, 0), st)
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	if !strings.HasPrefix(s, "<p>x</p><section id=\"provenance\">") || !strings.HasSuffix(s, "</section>\n") {
		t.Errorf("section not appended:\n%s", s)
	}
	for _, want := range []string{"&lt;h&gt;", "/d/GRA.csv", "litho v1", "1970-01-01"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in:\n%s", want, s)
		}
	}
}
