package schemas

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// LatentKey is the Parquet key-value metadata entry that names a latent
// table's z elements, a JSON list: ["z0","z1",...]. The CSV export names
// its columns by it, as it names a scaled table's x by FeaturesKey.
const LatentKey = "litho.latent"

// WriteLatent encodes latent rows of dim dimensions with WriteParquet's
// fixed settings and the element names as metadata.
func WriteLatent(rows []LatentRow, dim int) ([]byte, error) {
	names := make([]string, dim)
	for i := range names {
		names[i] = "z" + strconv.Itoa(i)
	}
	for _, r := range rows {
		if len(r.Z) != dim {
			return nil, fmt.Errorf("latent table: borehole %s bin %d has %d values, want %d", r.Borehole, r.Bin, len(r.Z), dim)
		}
	}
	meta, err := json.Marshal(names)
	if err != nil {
		return nil, fmt.Errorf("latent table: %w", err)
	}
	return writeWithMetadata(rows, LatentKey, string(meta))
}
