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
// gave when they took their measure/3 layout (named columns, a borehole
// column, nulls), so the bins downstream of a re-keyed ingest cut off;
// bin's TestBinsUnchanged holds the bins to those of measure/2. The
// digest covers every borehole's table, in borehole order.
func TestFourTablesUnchanged(t *testing.T) {
	want := map[string]string{
		"gra": "be11d5e969e7f70394f6458386dc971f44259be51d0cbb8f5fc878fd97cb4b7f",
		"ms":  "b465050057bbebd1fe69715a7198340b8e1679baf6222591791fcc3cf489cb50",
		"ngr": "d8a199457fb7bec67c1787cc1fff046256225ca919e23cdbf7763b7371713ae8",
		"rgb": "63121378896ad371729162e9e9faec526122319d84515db3c9926b0aee336bdf",
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
