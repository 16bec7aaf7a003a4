package cli

import (
	"strings"
	"testing"
	"time"
)

// A page without </body> gets the sections at its end; the provenance
// section escapes what records hold and dates the computation.
func TestWithSectionsAppends(t *testing.T) {
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	st := []provenanceStage{
		{Stage: "src", Kind: "lily", Host: "<h>", Start: start, End: start.Add(time.Minute), Fingerprints: [][3]string{{"gra", "abc", "/d/GRA.csv"}}},
		{Stage: "train", Kind: "train", Start: start.Add(2 * time.Minute), End: start.Add(90 * time.Minute)},
	}
	sec, err := provenanceSection(provenance{Litho: "v1", Now: time.Unix(0, 0), Pipeline: "p.hcl", PipelineDigest: "d1g", Stages: st})
	if err != nil {
		t.Fatal(err)
	}
	s := string(withSections([]byte("<p>x</p>"), []byte("<section id=\"a\"></section>\n"), sec))
	if !strings.HasPrefix(s, "<p>x</p><section id=\"a\"></section>\n<section id=\"provenance\">") || !strings.HasSuffix(s, "</section>\n") {
		t.Errorf("sections not appended in order:\n%s", s)
	}
	for _, want := range []string{"&lt;h&gt;", "/d/GRA.csv", "litho v1", "1970-01-01", "Pipeline p.hcl, digest <code>sha256:d1g</code>",
		"Computed between 2026-03-01 10:00:00Z and 2026-03-01 11:30:00Z"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in:\n%s", want, s)
		}
	}
	page := string(withSections([]byte("<html><body><p>x</p></body></html>"), []byte("<hr>")))
	if page != "<html><body><p>x</p><hr></body></html>" {
		t.Errorf("section not before </body>: %s", page)
	}
}
