package schemas

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/parquet-go/parquet-go"
)

// FeaturesKey is the Parquet key-value metadata entry that names a scaled
// table's model inputs: a JSON list in X order, e.g. ["gra","ms"] or,
// with spatial context, ["gra@-1","gra","gra@+1"]. Train records it in
// the checkpoint and embed compares the two, so a model never meets a
// table of other features; other tools read it with any Parquet library.
const FeaturesKey = "litho.features"

// ScaledTable is one split after scaling: every row's X holds the model
// inputs named by Features, in that order.
type ScaledTable struct {
	Features []string
	Rows     []ScaledRow
}

// WriteScaled encodes the table with WriteParquet's fixed settings and
// the feature names as metadata, so equal tables give equal bytes.
func WriteScaled(t *ScaledTable) ([]byte, error) {
	if len(t.Features) == 0 {
		return nil, fmt.Errorf("scaled table: no features")
	}
	for _, r := range t.Rows {
		if len(r.X) != len(t.Features) {
			return nil, fmt.Errorf("scaled table: borehole %s bin %d has %d values, want %d (%v)",
				r.Borehole, r.Bin, len(r.X), len(t.Features), t.Features)
		}
	}
	names, err := json.Marshal(t.Features)
	if err != nil {
		return nil, fmt.Errorf("scaled table: %w", err)
	}
	return writeWithMetadata(t.Rows, FeaturesKey, string(names))
}

// ReadScaled decodes a table WriteScaled wrote; one without feature names
// (an older layout) is an error.
func ReadScaled(b []byte) (*ScaledTable, error) {
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("read scaled table: %w", err)
	}
	names, ok := f.Lookup(FeaturesKey)
	if !ok {
		return nil, fmt.Errorf("read scaled table: no %s metadata (not written by scale %s)", FeaturesKey, ScaledVersion)
	}
	t := &ScaledTable{}
	if err := json.Unmarshal([]byte(names), &t.Features); err != nil {
		return nil, fmt.Errorf("read scaled table: metadata %s: %w", FeaturesKey, err)
	}
	if t.Rows, err = ReadParquet[ScaledRow](b); err != nil {
		return nil, err
	}
	return t, nil
}
