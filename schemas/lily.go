package schemas

// LILYVersion is the version of the LILY CSV layouts below: which columns
// litho requires, which it reads, and how it types them. Ingest's key
// includes it.
const LILYVersion = "lily/1"

// Column names shared by the four LILY files.
const (
	ColExp       = "Exp"
	ColSite      = "Site"
	ColHole      = "Hole"
	ColCore      = "Core"
	ColType      = "Type"
	ColSect      = "Sect"
	ColAW        = "A/W"
	ColOffset    = "Offset (cm)"
	ColDepth     = "Depth CSF-A (m)"
	ColDepthB    = "Depth CSF-B (m)"
	ColPrincipal = "Principal"
)

// IDColumns are the identification and depth columns at the head of every
// LILY file, in file order; the measurement columns follow them.
var IDColumns = []string{
	ColExp, ColSite, ColHole, ColCore, ColType, ColSect, ColAW,
	ColOffset, ColDepth, ColDepthB,
}

// TailColumns follow the measurement columns in every LILY file, in file
// order: run metadata, the described lithology and the site location.
var TailColumns = []string{
	"Timestamp (UTC)", "Instrument", "Instrument group", "Text ID", "Test No.",
	"Comments", "Sample comments", "Test comments", "Result comments",
	"Prefix", ColPrincipal, "Suffix", "Full Lithology", "Simplified Lithology",
	"Lithology Type", "Degree of Consolidation", "Lithology Subtype",
	"Expanded Core Type", "Latitude (DD)", "Longitude (DD)", "Water Depth (mbsl)",
}

// Measurement is one numeric column litho reads from a LILY file.
type Measurement struct {
	Column string // header name in the CSV
	Field  string // column name in the ingested Parquet table
	Unit   string
}

// LILYFile describes one of the four LILY CSV files. Files are read by
// header name: column order does not matter and unknown columns are ignored.
type LILYFile struct {
	Instrument string // "gra", "ms", "ngr", "rgb": the stage input/output name
	FileName   string // name in the LILY distribution
	// Measures are required numeric columns; a row whose value is empty,
	// unparseable or not finite is rejected.
	Measures []Measurement
	// Extra are measurement columns present in the real files that litho
	// does not read (kept here so the generator writes the full layout).
	Extra []string
}

// Required lists the columns a file must have: borehole identity, depth,
// described lithology and the measurements. Core, Type, Sect and Offset
// are read when present (they locate and order rows).
func (f *LILYFile) Required() []string {
	cols := []string{ColExp, ColSite, ColHole, ColDepth, ColPrincipal}
	for _, m := range f.Measures {
		cols = append(cols, m.Column)
	}
	return cols
}

// Columns is the full header of the file in LILY order.
func (f *LILYFile) Columns() []string {
	cols := append([]string(nil), IDColumns...)
	for _, m := range f.Measures {
		cols = append(cols, m.Column)
	}
	cols = append(cols, f.Extra...)
	return append(cols, TailColumns...)
}

// The four LILY files, in pipeline order.
var (
	GRAFile = &LILYFile{
		Instrument: "gra", FileName: "GRA_DataLITH.csv",
		Measures: []Measurement{{"Bulk density (GRA)", "gra", "g/cm³"}},
	}
	MSFile = &LILYFile{
		Instrument: "ms", FileName: "MS_DataLITH.csv",
		Measures: []Measurement{{"Magnetic susceptibility (instr. units)", "ms", "instr. units"}},
	}
	NGRFile = &LILYFile{
		Instrument: "ngr", FileName: "NGR_DataLITH.csv",
		Measures: []Measurement{{"NGR total counts (cps)", "ngr", "cps"}},
		Extra:    []string{"Error (cps)"},
	}
	RGBFile = &LILYFile{
		Instrument: "rgb", FileName: "RGB_DataLITH.csv",
		Measures: []Measurement{{"R", "r", ""}, {"G", "g", ""}, {"B", "b", ""}},
	}
	LILYFiles = []*LILYFile{GRAFile, MSFile, NGRFile, RGBFile}
)

// LILYFileFor returns the layout of an instrument's file.
func LILYFileFor(instrument string) (*LILYFile, bool) {
	for _, f := range LILYFiles {
		if f.Instrument == instrument {
			return f, true
		}
	}
	return nil, false
}

// MeasureVersion is the version of MeasureRow and of the rejects table.
const MeasureVersion = "measure/2"

// MeasureRow is one ingested measurement row of one borehole, whatever the
// instrument: V0–V2 hold the instrument's measurements in LILYFile.Measures
// order (GRA, MS and NGR use V0; RGB uses R, G, B in V0, V1, V2). Section
// is the IODP section label built from Core, Type and Sect ("12H-3",
// "12H-CC"). Rows are sorted by depth, then section, offset, values and
// label, so a partition's bytes do not depend on the row order of the CSV.
type MeasureRow struct {
	Depth     float64 `parquet:"depth_m"`
	Section   string  `parquet:"section,dict"`
	Offset    float64 `parquet:"offset_cm"`
	V0        float64 `parquet:"v0"`
	V1        float64 `parquet:"v1"`
	V2        float64 `parquet:"v2"`
	Principal string  `parquet:"principal,dict"`
}

// RejectColumns is the header of ingest's rejects table (CSV): one row per
// CSV row that could not be used, in file then line order.
var RejectColumns = []string{"file", "line", "column", "reason", "value"}
