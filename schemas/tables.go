package schemas

// Versions of the tables litho writes. A stage's implementation version
// includes the versions of the tables it reads and writes, so changing a
// layout changes every key that depends on it.
const (
	BinVersion        = "bin/2"
	ScaledVersion     = "scaled/2"
	LatentVersion     = "latent/1"
	AssignmentVersion = "assignment/1"
)

// ScaledRow is a bin after scaling: X holds the model inputs its
// ScaledTable names, in that order. Split is "train", "val" or "test".
type ScaledRow struct {
	Borehole  string    `parquet:"borehole"`
	Bin       int64     `parquet:"bin"`
	Depth     float64   `parquet:"depth_m"`
	Split     string    `parquet:"split"`
	Principal string    `parquet:"principal"`
	X         []float32 `parquet:"x,list"`
}

// LatentRow is the encoder mean μ of one bin.
type LatentRow struct {
	Borehole  string    `parquet:"borehole"`
	Bin       int64     `parquet:"bin"`
	Depth     float64   `parquet:"depth_m"`
	Split     string    `parquet:"split"`
	Principal string    `parquet:"principal"`
	Z         []float32 `parquet:"z,list"`
}

// CollapsedStd is the standard deviation below which a latent dimension
// counts as collapsed, unused by the encoder (DESIGN.md §1).
const CollapsedStd = 0.1

// Epoch is one epoch of a training history (train's history output,
// read by evaluate for the training curve). It holds no timings, so equal
// runs write equal bytes. Not "EpochRow" like the others: the Parquet
// schema carries the type's name, and the history has always said Epoch.
type Epoch struct {
	Epoch     int64   `parquet:"epoch"` // 1-based
	TrainLoss float64 `parquet:"train_loss"`
	ValLoss   float64 `parquet:"val_loss"` // NaN without validation rows
	Beta      float64 `parquet:"beta"`
}

// AssignmentRow is the cluster of one bin under one method and k.
// Clusters are numbered in order of first appearance in row order.
type AssignmentRow struct {
	Borehole string `parquet:"borehole"`
	Bin      int64  `parquet:"bin"`
	Method   string `parquet:"method"` // "kmeans" or "gmm"
	K        int32  `parquet:"k"`
	Cluster  int32  `parquet:"cluster"`
}

// Media types of stage outputs.
const (
	MediaParquet  = "application/vnd.apache.parquet"
	MediaJSON     = "application/json"
	MediaPNG      = "image/png"
	MediaSVG      = "image/svg+xml"
	MediaCSV      = "text/csv"
	MediaHTML     = "text/html"
	MediaBinary   = "application/octet-stream"
	MediaManifest = "application/vnd.litho.manifest+json"
	// Metrics and reports carry their own types: the CLI finds the
	// outputs it summarises, gates and copies out by type, not by name.
	MediaMetrics = "application/vnd.litho.metrics+json"
	MediaReport  = "application/vnd.litho.report+html"
)
