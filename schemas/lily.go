package schemas

// LILYVersion is the version of the LILY CSV layouts below: which files
// and columns litho requires, which it reads, and how it types them.
// Ingest's key includes it. lily/2: nine files (RSC, MSP, MAD, PWC, TCON
// added), measurements with alternate columns.
const LILYVersion = "lily/2"

// Column names shared by the LILY files.
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

// Measurement is one quantity litho reads from a LILY file: a feature a
// pipeline can bin, scale and train on. It is declared once, here, with
// everything the stages need to know of it.
type Measurement struct {
	Column string // header name in the CSV ("" when Parts name the columns)
	// Field is the feature name: the column of the ingest and bin tables,
	// what pipelines list.
	Field string
	Unit  string
	// Parts, in place of Column, are the columns of a quantity measured
	// along several (PWC's velocity directions): the row's value is the
	// mean of the parts it has, and a row with none of them is rejected.
	// The ingest table keeps each part as a column of its own, null where
	// the row lacks it.
	Parts []Part
	// Min and Max bound a plausible bin mean (DESIGN.md §2); bin drops a
	// bin whose mean lies outside, which also keeps the real files'
	// −9999 and 99999 sentinels out of the bins.
	Min, Max float64
	// Transform is the feature's distribution-aware scaling before the
	// z-score (DESIGN.md §1: identity, signed log or log).
	Transform string
}

// Transforms a Measurement may name.
const (
	Identity  = "identity"     // roughly normal: GRA
	SignedLog = "signed_log1p" // heavy-tailed, with negatives: MS, NGR: sign(x)·ln(1+|x|)
	Log1p     = "log1p"        // non-negative, skewed: R, G, B: ln(1+x)
)

// Part is one column of a measurement taken along several: its CSV
// header and its column in the ingest table.
type Part struct{ Column, Field string }

// Columns lists every CSV column the measurement reads.
func (m *Measurement) Columns() []string {
	if len(m.Parts) == 0 {
		return []string{m.Column}
	}
	cols := make([]string, len(m.Parts))
	for i, p := range m.Parts {
		cols[i] = p.Column
	}
	return cols
}

// LILYFile describes one LILY CSV file. Files are read by header name:
// column order does not matter and unknown columns are ignored.
type LILYFile struct {
	Instrument string // "gra", "ms", …: the stage input/output name
	FileName   string // name in the LILY distribution
	// Measures are the numeric columns litho reads; a row whose value is
	// empty, unparseable or not finite is rejected. At most three.
	Measures []Measurement
	// Extra are measurement columns present in the real files that litho
	// does not read (kept here so the generator writes the full layout).
	Extra []string
	// Discrete files hold a few samples per section (moisture and density,
	// P-wave, thermal conductivity) rather than a track's continuous log.
	Discrete bool
}

// Required lists the columns a file must have: borehole identity, depth,
// described lithology and the measurements. Core, Type, Sect and Offset
// are read when present (they locate and order rows).
func (f *LILYFile) Required() []string {
	cols := []string{ColExp, ColSite, ColHole, ColDepth, ColPrincipal}
	for _, m := range f.Measures {
		cols = append(cols, m.Columns()...)
	}
	return cols
}

// Columns is the full header of the file in LILY order.
func (f *LILYFile) Columns() []string {
	cols := append([]string(nil), IDColumns...)
	for _, m := range f.Measures {
		cols = append(cols, m.Columns()...)
	}
	cols = append(cols, f.Extra...)
	return append(cols, TailColumns...)
}

const susceptibility = "Magnetic susceptibility (instr. units)"

// The LILY files the research used (DESIGN.md §2), in pipeline order: the
// four of the production model first.
var (
	GRAFile = &LILYFile{
		Instrument: "gra", FileName: "GRA_DataLITH.csv",
		Measures: []Measurement{{Column: "Bulk density (GRA)", Field: "gra", Unit: "g/cm³", Min: 0.3, Max: 4.0, Transform: Identity}},
	}
	MSFile = &LILYFile{
		Instrument: "ms", FileName: "MS_DataLITH.csv",
		Measures: []Measurement{{Column: susceptibility, Field: "ms", Unit: "instr. units", Min: -500, Max: 9500, Transform: SignedLog}},
	}
	NGRFile = &LILYFile{
		Instrument: "ngr", FileName: "NGR_DataLITH.csv",
		Measures: []Measurement{{Column: "NGR total counts (cps)", Field: "ngr", Unit: "cps", Min: -10, Max: 500, Transform: SignedLog}},
		Extra:    []string{"Error (cps)"},
	}
	RGBFile = &LILYFile{
		Instrument: "rgb", FileName: "RGB_DataLITH.csv",
		Measures: []Measurement{
			{Column: "R", Field: "r", Min: 0, Max: 255, Transform: Log1p},
			{Column: "G", Field: "g", Min: 0, Max: 255, Transform: Log1p},
			{Column: "B", Field: "b", Min: 0, Max: 255, Transform: Log1p},
		},
	}
	RSCFile = &LILYFile{
		Instrument: "rsc", FileName: "RSC_DataLITH.csv",
		Measures: []Measurement{
			{Column: "Reflectance L*", Field: "rsc_l", Min: 0, Max: 100, Transform: Identity},
			{Column: "Reflectance a*", Field: "rsc_a", Min: -60, Max: 60, Transform: Identity},
			{Column: "Reflectance b*", Field: "rsc_b", Min: -60, Max: 60, Transform: Identity},
		},
	}
	MSPFile = &LILYFile{
		Instrument: "msp", FileName: "MSP_DataLITH.csv",
		Measures: []Measurement{{Column: susceptibility, Field: "msp", Unit: "instr. units", Min: -500, Max: 9500, Transform: SignedLog}},
	}
	MADFile = &LILYFile{
		Instrument: "mad", FileName: "MAD_DataLITH.csv", Discrete: true,
		Measures: []Measurement{
			{Column: "Porosity (vol%)", Field: "porosity", Unit: "vol%", Min: 0, Max: 100, Transform: Identity},
			{Column: "Grain density (g/cm^3)", Field: "grain_density", Unit: "g/cm³", Min: 1.5, Max: 5.5, Transform: Identity},
			{Column: "Bulk density (g/cm^3)", Field: "bulk_density", Unit: "g/cm³", Min: 1.0, Max: 3.5, Transform: Identity},
		},
	}
	PWCFile = &LILYFile{
		Instrument: "pwc", FileName: "PWC_DataLITH.csv", Discrete: true,
		Measures: []Measurement{{Field: "vp", Unit: "m/s",
			Parts: []Part{
				{"P-wave velocity x (m/s)", "vp_x"}, {"P-wave velocity y (m/s)", "vp_y"},
				{"P-wave velocity z (m/s)", "vp_z"}, {"P-wave velocity unknown (m/s)", "vp_unknown"},
			},
			Min: 1000, Max: 8000, Transform: Identity}},
	}
	TCONFile = &LILYFile{
		Instrument: "tcon", FileName: "TCON_DataLITH.csv", Discrete: true,
		Measures: []Measurement{{Column: "Thermal conductivity mean (W/(m*K))", Field: "tcon", Unit: "W/(m·K)", Min: 0.1, Max: 7, Transform: Identity}},
	}
	LILYFiles = []*LILYFile{GRAFile, MSFile, NGRFile, RGBFile, RSCFile, MSPFile, MADFile, PWCFile, TCONFile}
)

// Feature finds a feature's declaration and the file it comes from.
func Feature(name string) (*Measurement, *LILYFile, bool) {
	for _, f := range LILYFiles {
		for i := range f.Measures {
			if f.Measures[i].Field == name {
				return &f.Measures[i], f, true
			}
		}
	}
	return nil, nil, false
}

// FeatureNames lists every feature, in declaration order.
func FeatureNames() []string {
	var out []string
	for _, f := range LILYFiles {
		for _, m := range f.Measures {
			out = append(out, m.Field)
		}
	}
	return out
}

// LILYFileFor returns the layout of an instrument's file.
func LILYFileFor(instrument string) (*LILYFile, bool) {
	for _, f := range LILYFiles {
		if f.Instrument == instrument {
			return f, true
		}
	}
	return nil, false
}

// RejectColumns is the header of ingest's rejects table (CSV): one row per
// CSV row that could not be used, in file then line order.
var RejectColumns = []string{"file", "line", "column", "reason", "value"}
