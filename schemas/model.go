package schemas

// ModelInfo describes the encoder that embedded the bins: embed writes it
// into its stats, and evaluate copies it into the metrics (evaluate
// imports no ML library, so the reconstructions are embed's).
type ModelInfo struct {
	Parameters int      `json:"parameters"` // trainable values (DESIGN.md §1b)
	Features   []string `json:"features"`   // its inputs, in order
	// ReconR2 is each feature's reconstruction R² on the test rows, and
	// ImputeR2, for a masked model only, each feature's R² when it is
	// masked and reconstructed from the others. Each is left out when
	// empty (no test rows, or no feature that varies).
	ReconR2  map[string]float64 `json:"recon_r2,omitempty"`
	ImputeR2 map[string]float64 `json:"impute_r2,omitempty"`
}
