package schemas

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"slices"
	"unsafe"

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

// measureSchema is the Parquet schema of the file's ingest table, its
// columns in order (a parquet.Group would sort them by name).
func measureSchema(f *LILYFile) *parquet.Schema {
	names, optional := measureColumns(f)
	str, f64 := reflect.TypeFor[string](), reflect.TypeFor[float64]()
	fields := make([]reflect.StructField, len(names))
	for i, name := range names {
		typ, tag := f64, name
		if i == 0 || i == 2 || i == len(names)-1 {
			typ, tag = str, tag+",dict"
		}
		if optional[i] {
			tag += ",optional"
		}
		fields[i] = reflect.StructField{Name: fmt.Sprintf("C%d", i), Type: typ, Tag: reflect.StructTag(`parquet:"` + tag + `"`)}
	}
	return parquet.SchemaOf(reflect.New(reflect.StructOf(fields)).Interface())
}

// checkValues rejects a file whose value columns do not fit MeasureRow
// or collide with the table's other columns.
func checkValues(f *LILYFile) error {
	names, _ := measureColumns(f)
	if n := len(names) - 5; n > MaxValues {
		return fmt.Errorf("%s: %d value columns, at most %d", f.FileName, n, MaxValues)
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
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, append([]parquet.WriterOption{measureSchema(t.File)}, writerOptions...)...)
	nvals, nmeas := len(t.File.ValueFields()), len(t.File.Measures)
	ncols := 5 + nvals
	const batch = 1024
	rows := make([]parquet.Row, 0, batch)
	vals := make([]parquet.Value, 0, batch*ncols)
	for start := 0; start < len(t.Rows); start += batch {
		rows, vals = rows[:0], vals[:0]
		for _, r := range t.Rows[start:min(start+batch, len(t.Rows))] {
			n := len(vals)
			vals = append(vals, stringValue(t.Borehole, 0), parquet.DoubleValue(r.Depth).Level(0, 0, 1))
			if r.Section == "" {
				vals = append(vals, parquet.NullValue().Level(0, 0, 2))
			} else {
				vals = append(vals, stringValue(r.Section, 2).Level(0, 1, 2))
			}
			vals = append(vals, optionalDouble(r.Offset, 3))
			for i, v := range r.Values[:nvals] {
				if i < nmeas {
					vals = append(vals, parquet.DoubleValue(v).Level(0, 0, 4+i))
				} else {
					vals = append(vals, optionalDouble(v, 4+i))
				}
			}
			vals = append(vals, stringValue(r.Principal, ncols-1))
			rows = append(rows, vals[n:len(vals):len(vals)])
		}
		if _, err := w.WriteRows(rows); err != nil {
			return nil, fmt.Errorf("write %s table: %w", t.File.Instrument, err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("write %s table: %w", t.File.Instrument, err)
	}
	return buf.Bytes(), nil
}

// stringValue is a required string cell. It refers to s's bytes, not a
// copy: the writer copies them into its pages and never writes to them.
func stringValue(s string, col int) parquet.Value {
	return parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(s), len(s))).Level(0, 0, col)
}

// optionalDouble is a cell of an optional column: NaN is null.
func optionalDouble(v float64, col int) parquet.Value {
	if math.IsNaN(v) {
		return parquet.NullValue().Level(0, 0, col)
	}
	return parquet.DoubleValue(v).Level(0, 1, col)
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
		t.Borehole = string(cell(0).ByteArray())
		r := &t.Rows[i]
		r.Depth, r.Section, r.Offset = double(1), string(cell(2).ByteArray()), double(3)
		for j := range len(names) - 5 {
			r.Values[j] = double(4 + j)
		}
		r.Principal = string(cell(len(names) - 1).ByteArray())
	}
	return t, nil
}
