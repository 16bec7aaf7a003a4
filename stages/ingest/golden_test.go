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
	want := stagetest.ByArch(t, map[string]map[string]string{
		"amd64": {
			"gra": "8563631531ce96dd572df4a7dad49b3290016bb9cfeda8a1b945caababee9e5b",
			"ms":  "49261c69e19083a4206fe0a578610ee6bf60e34bcb78a754841e3f331c6105f5",
			"ngr": "4f3b666c8b6fc36f4a04bd77657f2d47a807424aeff862aec13c319465016558",
			"rgb": "52d28c4c748d9a7517f5545d00f5370e768ed3736c11ba2e449b5d5a005a564b",
		},
		"arm64": {
			"gra": "db7ff6f3200c75ec8a9441386b66c68c3feaa911ea4937d06ee53279f301642d",
			"ms":  "1d60fd1c9e85aa8d71959b7d963cd44762678ad67c97b04ab15baa66cc1950be",
			"ngr": "ddc537c12e3548163d0c63775e3c100c0a44a64ab6eba47ba786787a08b453e6",
			"rgb": "aac69b49823dda5fed75709481d1243f73adf939e7ade4abadb9304830f5d3fe",
		},
	})
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
