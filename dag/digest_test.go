package dag_test

import (
	"strings"
	"testing"

	"litho/dag"
	"litho/dag/dagtest"
)

// TestPipelineDigest: the digest follows the decoded definition, not the
// text: formatting, comments, a default written out, the store and gates
// leave it, a parameter (in the file or by --set) or a rename changes it.
func TestPipelineDigest(t *testing.T) {
	const base = "source \"cols\" {}\nstage \"pick\" \"p\" {\n  inputs = { in = source.out }\n  want = [\"a\"]\n}\n"
	digest := func(t *testing.T, src string, sets ...string) string {
		t.Helper()
		p, err := dag.Parse("d.hcl", []byte(src), wiringRegistry(), sets)
		if err != nil {
			t.Fatal(err)
		}
		return p.Digest()
	}
	want := digest(t, base)
	if len(want) != 64 {
		t.Fatalf("digest %q is not SHA-256 hex", want)
	}
	cases := []struct {
		name string
		src  string
		sets []string
		same bool
	}{
		{"comments and layout", "# a comment\nsource \"cols\" {\n}\n\nstage \"pick\" \"p\" {\n  want   = [\"a\"] # kept\n  inputs = {\n    in = source.out\n  }\n}\n", nil, true},
		{"a default written out", "source \"cols\" { has = [\"a\", \"b\"] }\nstage \"pick\" \"p\" {\n  inputs = { in = source.out }\n  want = [\"a\"]\n}\n", nil, true},
		{"store and gate", "store { path = \"elsewhere\" }\n" + base + "gate \"g\" {\n  metric = \"x\"\n  min = 1\n}\n", nil, true},
		{"a parameter", "source \"cols\" {}\nstage \"pick\" \"p\" {\n  inputs = { in = source.out }\n  want = [\"b\"]\n}\n", nil, false},
		{"--set", base, []string{`p.want=["b"]`}, false},
		{"a stage renamed", "source \"cols\" {}\nstage \"pick\" \"q\" {\n  inputs = { in = source.out }\n  want = [\"a\"]\n}\n", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := digest(t, tc.src, tc.sets...); (got == want) != tc.same {
				t.Errorf("digest %s, base %s: same = %v, want %v", got[:12], want[:12], got == want, tc.same)
			}
		})
	}
}

// TestPipelineDigestWiring: block order leaves the digest, rewiring an
// input changes it.
func TestPipelineDigestWiring(t *testing.T) {
	digest := func(src string) string {
		t.Helper()
		p, err := dag.Parse("d.hcl", []byte(src), dagtest.Kinds(&dagtest.Counter{}), nil)
		if err != nil {
			t.Fatal(err)
		}
		return p.Digest()
	}
	src, a, b := "source \"gen\" {}\n", "stage \"upper\" \"a\" {\n  inputs = { in = source.data }\n}\n", "stage \"upper\" \"b\" {\n  inputs = { in = a.out }\n}\n"
	base := digest(src + a + b)
	if got := digest(b + src + a); got != base {
		t.Errorf("reordered blocks: digest %s, want %s", got[:12], base[:12])
	}
	rewired := strings.Replace(b, "a.out", "source.data", 1)
	if got := digest(src + a + rewired); got == base {
		t.Error("rewiring b's input left the digest unchanged")
	}
}
