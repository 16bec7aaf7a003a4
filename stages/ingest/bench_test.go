package ingest_test

import (
	"context"
	"sync/atomic"
	"testing"

	"litho/schemas"
	"litho/stages/stagetest"
)

// BenchmarkIngest reads the four files into per-borehole Parquet tables
// (kept in memory as the store would receive them).
func BenchmarkIngest(b *testing.B) {
	stagetest.BenchLILY(b, 20, func(dir string) {
		var out atomic.Int64
		if err := stagetest.IngestDir(context.Background(), dir, b.TempDir(), func(_ context.Context, _ *schemas.LILYFile, _ string, table []byte) error {
			out.Add(int64(len(table)))
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	})
}
