package schemas

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"slices"

	"github.com/parquet-go/parquet-go"
)

// MeasureVersion is the version of the ingest tables and of the rejects
// table. measure/3: one layout per instrument, with a borehole column,
// the value columns named as declared instead of v0–v2, and nulls where a
// row has no offset, no section or no part (a PWC direction).
const MeasureVersion = "measure/3"

// MaxValues bounds the value columns of a LILY file: its measurements and
// their parts (PWC: vp and its four directions).
const MaxValues = 5

// ValueFields names the value columns of the file's ingest table: its
// measurements' fields in declaration order, then their parts' (vp, vp_x,
// vp_y, vp_z, vp_unknown). The measurements are never null, the parts
// may be.
func (f *LILYFile) ValueFields() []string {
	var out []string
	for _, m := range f.Measures {
		out = append(out, m.Field)
	}
	for _, m := range f.Measures {
		for _, p := range m.Parts {
			out = append(out, p.Field)
		}
	}
	return out
}

// MeasureRow is one ingested row of one borehole. Values holds the value
// columns in ValueFields order: GRA's gra in Values[0], RGB's r, g, b in
// Values[0:3], PWC's vp (the mean of the directions the row has) then its
// directions. NaN stands for null (an offset the CSV does not give, a
// direction not measured), as does an empty Section (a file without Core,
// Type and Sect). Section is the IODP section label built from Core, Type
// and Sect ("12H-3", "12H-CC").
type MeasureRow struct {
	Depth     float64
	Section   string
	Offset    float64
	Values    [MaxValues]float64
	Principal string
}

// MeasureTable is one instrument's ingest table of one borehole. Its
// Parquet columns are borehole, depth_m, section, offset_cm, the value
// columns named as ValueFields, and principal; section, offset_cm and the
// parts are optional columns, the others required. Rows are sorted by
// depth, then section, offset, values and label, so a table's bytes do
// not depend on the row order of the CSV.
type MeasureTable struct {
	File     *LILYFile
	Borehole string
	Rows     []MeasureRow
}

// Columns of every ingest table besides the value columns.
const (
	measureBorehole  = "borehole"
	measureDepth     = "depth_m"
	measureSection   = "section"
	measureOffset    = "offset_cm"
	measurePrincipal = "principal"
)

// measureColumns are the table's columns in order, and whether each is
// optional.
func measureColumns(f *LILYFile) ([]string, []bool) {
	vals := f.ValueFields()
	names := slices.Concat([]string{measureBorehole, measureDepth, measureSection, measureOffset}, vals, []string{measurePrincipal})
	optional := make([]bool, len(names))
	optional[2], optional[3] = true, true
	for i := 4 + len(f.Measures); i < 4+len(vals); i++ {
		optional[i] = true
	}
	return names, optional
}

// measureRecord is the Go shape of every ingest table: the value fields
// are named, or left out, per file at run time (measureTags), so that
// parquet-go writes them through its fast path for structs rather than
// value by value. A nil pointer or an empty Section is null.
type measureRecord struct {
	Borehole       string   `parquet:"borehole,dict"`
	Depth          float64  `parquet:"depth_m"`
	Section        string   `parquet:"section,optional,dict"`
	Offset         *float64 `parquet:"offset_cm,optional"`
	M0, M1, M2     float64  // the measurements
	P0, P1, P2, P3 *float64 // their parts
	Principal      string   `parquet:"principal,dict"`
}

// Slots of measureRecord for measurements and parts.
const (
	maxMeasures = 3
	maxParts    = 4
)

// measureTags names the record's value fields as the file's value columns
// and leaves out those it does not use.
func measureTags(f *LILYFile) []parquet.WriterOption {
	vals := f.ValueFields()
	nmeas := len(f.Measures)
	var opts []parquet.WriterOption
	tag := func(field, name string, optional bool) {
		t := `parquet:"-"`
		if name != "" && optional {
			t = `parquet:"` + name + `,optional"`
		} else if name != "" {
			t = `parquet:"` + name + `"`
		}
		opts = append(opts, parquet.StructTag(reflect.StructTag(t), field))
	}
	for i := range maxMeasures {
		name := ""
		if i < nmeas {
			name = vals[i]
		}
		tag(fmt.Sprintf("M%d", i), name, false)
	}
	for i := range maxParts {
		name := ""
		if nmeas+i < len(vals) {
			name = vals[nmeas+i]
		}
		tag(fmt.Sprintf("P%d", i), name, true)
	}
	return opts
}

// checkValues rejects a file whose value columns do not fit MeasureRow
// and measureRecord or collide with the table's other columns.
func checkValues(f *LILYFile) error {
	names, _ := measureColumns(f)
	nvals, nmeas := len(f.ValueFields()), len(f.Measures)
	if nvals > MaxValues || nmeas > maxMeasures || nvals-nmeas > maxParts {
		return fmt.Errorf("%s: %d measurements and %d parts, at most %d, %d and %d in all",
			f.FileName, nmeas, nvals-nmeas, maxMeasures, maxParts, MaxValues)
	}
	for i, name := range names {
		if name == "" || slices.Contains(names[:i], name) {
			return fmt.Errorf("%s: ingest column %q is empty or repeated", f.FileName, name)
		}
	}
	return nil
}

// WriteMeasures encodes the table with WriteParquet's fixed settings, so
// equal tables give equal bytes.
func WriteMeasures(t *MeasureTable) ([]byte, error) {
	if err := checkValues(t.File); err != nil {
		return nil, err
	}
	nvals, nmeas := len(t.File.ValueFields()), len(t.File.Measures)
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[measureRecord](&buf, slices.Concat(writerOptions, measureTags(t.File))...)
	const batch = 4096
	recs := make([]measureRecord, batch)
	for start := 0; start < len(t.Rows); start += batch {
		rows := t.Rows[start:min(start+batch, len(t.Rows))]
		recs = recs[:len(rows)]
		for i := range rows {
			// Fields are set in place, and the pointers refer to the row:
			// no copies of records or values.
			r, rec := &rows[i], &recs[i]
			rec.Borehole, rec.Depth, rec.Section, rec.Offset, rec.Principal = t.Borehole, r.Depth, r.Section, orNull(&r.Offset), r.Principal
			ms := [maxMeasures]*float64{&rec.M0, &rec.M1, &rec.M2}
			ps := [maxParts]**float64{&rec.P0, &rec.P1, &rec.P2, &rec.P3}
			for j := range nmeas {
				*ms[j] = r.Values[j]
			}
			for j := nmeas; j < nvals; j++ {
				*ps[j-nmeas] = orNull(&r.Values[j])
			}
		}
		if _, err := w.Write(recs); err != nil {
			return nil, fmt.Errorf("write %s table: %w", t.File.Instrument, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("write %s table: %w", t.File.Instrument, err)
	}
	return buf.Bytes(), nil
}

// orNull is the pointer an optional column is written from: nil (null)
// for NaN.
func orNull(v *float64) *float64 {
	if math.IsNaN(*v) {
		return nil
	}
	return v
}

// ReadMeasures decodes an ingest table of file f by column name; a table
// of another layout is an error naming the column it lacks.
func ReadMeasures(b []byte, f *LILYFile) (*MeasureTable, error) {
	pf, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("read %s table: %w", f.Instrument, err)
	}
	names, optional := measureColumns(f)
	idx := make([]int, len(names))
	for i, name := range names {
		col, ok := pf.Schema().Lookup(name)
		if !ok || col.Node.Optional() != optional[i] {
			kind := "required"
			if optional[i] {
				kind = "optional"
			}
			return nil, fmt.Errorf("read %s table: no %s column %s (not an ingest %s table)", f.Instrument, kind, name, MeasureVersion)
		}
		idx[i] = col.ColumnIndex
	}
	rows, err := readRows(pf)
	if err != nil {
		return nil, fmt.Errorf("read %s table: %w", f.Instrument, err)
	}
	t := &MeasureTable{File: f, Rows: make([]MeasureRow, len(rows))}
	for i, row := range rows {
		cell := func(c int) parquet.Value {
			for _, v := range row {
				if v.Column() == idx[c] {
					return v
				}
			}
			return parquet.NullValue()
		}
		double := func(c int) float64 {
			if v := cell(c); !v.IsNull() {
				return v.Double()
			}
			return math.NaN()
		}
		switch bh := string(cell(0).ByteArray()); {
		case i == 0:
			t.Borehole = bh
		case bh != t.Borehole:
			return nil, fmt.Errorf("read %s table: row %d is borehole %q, row 0 %q: a partition holds one borehole", f.Instrument, i, bh, t.Borehole)
		}
		r := &t.Rows[i]
		r.Depth, r.Section, r.Offset = double(1), string(cell(2).ByteArray()), double(3)
		for j := range len(names) - 5 {
			r.Values[j] = double(4 + j)
		}
		r.Principal = string(cell(len(names) - 1).ByteArray())
	}
	return t, nil
}
