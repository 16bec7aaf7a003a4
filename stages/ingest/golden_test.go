package ingest_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"litho/schemas"
	"litho/stages/stagetest"
	"litho/stages/synth"
)

// Ingesting the generated GRA, MS, NGR and RGB files gives the tables it
// gave before the LILY layouts grew to nine files (digests from commit
// 9a9195b), so the bins downstream of a re-keyed ingest cut off. The
// digest covers every borehole's table, in borehole order.
func TestFourTablesUnchanged(t *testing.T) {
	want := map[string]string{
		"gra": "b586d76fcdc808a028eadb74f6ce2059163253f2aa84c7dba427bc9f824ac753",
		"ms":  "6949b3272b18a5c228a1d09f6f7427b7cb0393c25dbe38607ab522e991401ce0",
		"ngr": "cbbba96ff2b0208f8d3fe4c7348ea5e69733d0010e44b9ec762d9b46d42f429f",
		"rgb": "cd4d39c6f214111ffe2fda87d5e3d469d5799d9bd58cbc822d4270576ea4dbad",
	}
	dir := t.TempDir()
	if err := synth.WriteDir(context.Background(), dir, 5, 1); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	tables := map[string]map[string][]byte{}
	err := stagetest.IngestDir(context.Background(), dir, t.TempDir(), func(_ context.Context, spec *schemas.LILYFile, borehole string, table []byte) error {
		mu.Lock()
		defer mu.Unlock()
		if tables[spec.Instrument] == nil {
			tables[spec.Instrument] = map[string][]byte{}
		}
		tables[spec.Instrument][borehole] = table
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for inst, w := range want {
		h := sha256.New()
		parts := tables[inst]
		for _, b := range slices.Sorted(maps.Keys(parts)) {
			fmt.Fprintf(h, "%s %x\n", b, sha256.Sum256(parts[b]))
		}
		if got := fmt.Sprintf("%x", h.Sum(nil)); got != w {
			t.Errorf("%s tables (%d boreholes): digest %s, want %s", inst, len(parts), got, w)
		}
	}
	for _, f := range schemas.LILYFiles[4:] {
		if len(tables[f.Instrument]) == 0 {
			t.Errorf("%s: no tables", f.FileName)
		}
	}
}
