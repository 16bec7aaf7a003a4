package dag_test

import (
	"testing"

	"litho/artifacts"
	"litho/dag"
)

// folds is scale → train → embed → summary in miniature: split's three
// items (a, b, c) are dealt to folds (a, c → fold1; b → fold2), train
// replicates per seed, embed reads both a fold/seed and a fold input.
const folds = `
source "gen" {}
stage "split" "split" {
  inputs = { in = source.data }
}
stage "fold" "scale" {
  inputs = { in = split.parts }
  folds  = 2
}
stage "rep" "train" {
  inputs = { in = scale.out }
  seeds  = ["s1", "s2"]
}
stage "pair" "embed" {
  inputs = { fine = train.out, coarse = scale.out }
}
stage "concat" "summary" {
  inputs = { in = embed.out }
}
`

func TestFoldsAndReplicatesArePartitions(t *testing.T) {
	h := newHarness(t)
	h.mustRun(h.parse(folds), dag.Options{})
	want := []string{"fold1/s1", "fold1/s2", "fold2/s1", "fold2/s2"}
	for _, stage := range []string{"train", "embed"} {
		for _, p := range want {
			if got := h.c.Get(stage + "/" + p); got != 1 {
				t.Errorf("%s/%s ran %d times, want 1", stage, p, got)
			}
		}
	}
	out, err := h.readOut("summary")
	if err != nil {
		t.Fatal(err)
	}
	// Each embed partition read train's partition of its name and, for
	// the coarse input, scale's fold: fold1 holds a and c, fold2 b.
	if want := "x:3/ax:3/c@s1+x:3/ax:3/c" + "x:3/ax:3/c@s2+x:3/ax:3/c" +
		"x:3/b@s1+x:3/b" + "x:3/b@s2+x:3/b" + "4"; out != want {
		t.Errorf("summary = %q, want %q", out, want)
	}
}

func TestOneItemEditRerunsOnlyItsFold(t *testing.T) {
	h := newHarness(t)
	h.mustRun(h.parse(folds), dag.Options{})
	h.mustRun(h.parse(folds, `split.bump="b"`), dag.Options{})
	for _, p := range []string{"fold1/s1", "fold1/s2"} {
		for _, stage := range []string{"train", "embed"} {
			if got := h.status(stage, p); got != dag.StatusCached {
				t.Errorf("%s/%s: %s, want cached (b is in fold2)", stage, p, got)
			}
		}
	}
	for _, p := range []string{"fold2/s1", "fold2/s2"} {
		if got := h.c.Get("train/" + p); got != 2 {
			t.Errorf("train/%s ran %d times, want 2", p, got)
		}
	}
	if got := h.c.Get("scale"); got != 2 {
		t.Errorf("scale ran %d times, want 2 (once per run)", got)
	}
}

func TestAddedSeedRunsOnlyItsPartitions(t *testing.T) {
	h := newHarness(t)
	h.mustRun(h.parse(folds), dag.Options{})
	n := h.mustRun(h.parse(folds, `train.seeds=["s1","s2","s3"]`), dag.Options{})
	// train and embed run fold1/s3 and fold2/s3; summary runs again.
	if n != 5 {
		t.Errorf("adding a seed caused %d executions, want 5", n)
	}
}

func TestOneFoldNoSeedsRunsWhole(t *testing.T) {
	h := newHarness(t)
	p := h.parse(folds, "scale.folds=1", "train.seeds=[]")
	h.mustRun(p, dag.Options{To: "embed"}) // concat reads partitions only
	for _, stage := range []string{"scale", "train", "embed"} {
		if got := h.c.Get(stage); got != 1 {
			t.Errorf("%s ran %d times unmapped, want 1", stage, got)
		}
	}
	// A dimension parameter at its default stays out of the key, so a
	// pipeline that does not partition keeps the keys it had.
	n, _ := p.Node("scale")
	if _, ok := dag.Fields(n, nil).Params["folds"]; ok {
		t.Error("folds = 1 is in scale's key")
	}
}

func TestPartOfFallsBackToAncestor(t *testing.T) {
	m := dag.OutputRecord{MediaType: dag.MediaManifest, Parts: map[string]artifacts.Digest{"fold1": "x", "fold1/s2": "y"}}
	for part, want := range map[string]artifacts.Digest{"fold1/s1": "x", "fold1/s2": "y", "fold1": "x", "fold2/s1": ""} {
		if got := dag.PartOf(m, part); got != want {
			t.Errorf("PartOf(%s) = %q, want %q", part, got, want)
		}
	}
	single := dag.OutputRecord{Digest: "z", MediaType: "text/plain"}
	if got := dag.PartOf(single, "fold3/s1"); got != "z" {
		t.Errorf("a single artifact gives %q, want its digest for every partition", got)
	}
}
