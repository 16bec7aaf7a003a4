package bin

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"testing"

	"litho/schemas"
	"litho/stages/stagetest"
	"litho/stages/synth"
)

// Binning the generated files gives the bins it gave before ingest named
// its columns and wrote nulls (measure/2; digest from commit 7707844):
// the ingest tables changed, their rows' order and values did not, so
// bin's outputs cut off. The digest covers each instrument alone and the
// production four, every borehole's table in borehole order.
func TestBinsUnchanged(t *testing.T) {
	want := stagetest.ByArch(t, map[string]string{
		"amd64": "a558b1b8ecba15606ffe39cf223be9ece3ceb586b64ab0205aeea3385d10a4a1",
		"arm64": "9eaccfea8eb9098dd72ac979558ed5098a8546772cfb96f9acc3396c0602f506",
	})
	dir := t.TempDir()
	if err := synth.WriteDir(context.Background(), dir, 5, 1); err != nil {
		t.Fatal(err)
	}
	tables := ingestTables(t, dir)
	sets := [][]string{four}
	for _, f := range schemas.LILYFiles {
		sets = append(sets, []string{f.Instrument})
	}
	h := sha256.New()
	for _, set := range sets {
		for _, bh := range slices.Sorted(maps.Keys(tables)) {
			b, err := binOne(bh, defaults(), set, tables[bh])
			if err != nil {
				t.Fatal(err)
			}
			if b != nil {
				fmt.Fprintf(h, "%v %s %x\n", set, bh, sha256.Sum256(b))
			}
		}
	}
	if got := fmt.Sprintf("%x", h.Sum(nil)); got != want {
		t.Errorf("bins: digest %s, want %s", got, want)
	}
}
