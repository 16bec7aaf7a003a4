package schemas

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// BinRow is one depth bin of one borehole: the mean of each binned
// feature (in its table's Features order), the described lithology and
// the raw row count per instrument (in its table's Instruments order).
type BinRow struct {
	Borehole  string
	Bin       int64   // round-half-even(depth / size)
	Depth     float64 // Bin × size, metres CSF-A
	Principal string
	Values    []float64
	Counts    []int32
}

// BinTable is bins of the instruments a pipeline joined. Its Parquet
// columns are borehole, bin, depth_m, one column per feature named as
// the feature (gra, ms, rsc_l, porosity, …), principal, and one count
// column per instrument (n_gra, …), so other tools read them by name.
type BinTable struct {
	Features    []string
	Instruments []string
	Rows        []BinRow
}

// Column is the index of a feature in the rows' Values.
func (t *BinTable) Column(feature string) (int, bool) {
	i := slices.Index(t.Features, feature)
	return i, i >= 0
}

// countPrefix names an instrument's count column.
const countPrefix = "n_"

// binColumns are the fixed columns; the feature columns follow depth_m.
var binColumns = []string{"borehole", "bin", "depth_m", "principal"}

// rowType is the struct the table's rows have in Parquet: its fields in
// column order, tagged with the column names.
func (t *BinTable) rowType() reflect.Type {
	field := func(i int, name string, typ reflect.Type) reflect.StructField {
		return reflect.StructField{Name: fmt.Sprintf("C%d", i), Type: typ, Tag: reflect.StructTag(`parquet:"` + name + `"`)}
	}
	str, i64, f64, i32 := reflect.TypeFor[string](), reflect.TypeFor[int64](), reflect.TypeFor[float64](), reflect.TypeFor[int32]()
	fields := []reflect.StructField{field(0, "borehole", str), field(1, "bin", i64), field(2, "depth_m", f64)}
	for _, f := range t.Features {
		fields = append(fields, field(len(fields), f, f64))
	}
	fields = append(fields, field(len(fields), "principal", str))
	for _, inst := range t.Instruments {
		fields = append(fields, field(len(fields), countPrefix+inst, i32))
	}
	return reflect.StructOf(fields)
}

// check rejects tables whose columns would collide or not read back.
func (t *BinTable) check() error {
	seen := map[string]bool{}
	for _, name := range slices.Concat(binColumns, t.Features) {
		if seen[name] || strings.HasPrefix(name, countPrefix) || name == "" {
			return fmt.Errorf("bin table: feature column %q is reserved or repeated", name)
		}
		seen[name] = true
	}
	for _, r := range t.Rows {
		if len(r.Values) != len(t.Features) || len(r.Counts) != len(t.Instruments) {
			return fmt.Errorf("bin table: borehole %s bin %d has %d values and %d counts, want %d and %d",
				r.Borehole, r.Bin, len(r.Values), len(r.Counts), len(t.Features), len(t.Instruments))
		}
	}
	return nil
}

// WriteBins encodes the table with WriteParquet's fixed settings, so
// equal tables give equal bytes.
func WriteBins(t *BinTable) ([]byte, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	typ := t.rowType()
	var buf bytes.Buffer
	schema := parquet.SchemaOf(reflect.New(typ).Interface())
	w := parquet.NewWriter(&buf, append([]parquet.WriterOption{schema}, writerOptions...)...)
	v := reflect.New(typ).Elem()
	for _, r := range t.Rows {
		v.Field(0).SetString(r.Borehole)
		v.Field(1).SetInt(r.Bin)
		v.Field(2).SetFloat(r.Depth)
		next := 3
		for _, x := range r.Values {
			v.Field(next).SetFloat(x)
			next++
		}
		v.Field(next).SetString(r.Principal)
		for _, n := range r.Counts {
			next++
			v.Field(next).SetInt(int64(n))
		}
		if err := w.Write(v.Addr().Interface()); err != nil {
			return nil, fmt.Errorf("write bins: %w", err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("write bins: %w", err)
	}
	return buf.Bytes(), nil
}

// ReadBins decodes a bin table; its features and instruments are the
// file's columns.
func ReadBins(b []byte) (*BinTable, error) {
	r := parquet.NewReader(bytes.NewReader(b))
	defer r.Close()
	t := &BinTable{}
	for _, f := range r.Schema().Fields() {
		switch name := f.Name(); {
		case slices.Contains(binColumns, name):
		case strings.HasPrefix(name, countPrefix):
			t.Instruments = append(t.Instruments, strings.TrimPrefix(name, countPrefix))
		default:
			t.Features = append(t.Features, name)
		}
	}
	typ := t.rowType()
	t.Rows = make([]BinRow, 0, r.NumRows())
	for range r.NumRows() {
		v := reflect.New(typ)
		if err := r.Read(v.Interface()); err != nil {
			return nil, fmt.Errorf("read bins: %w", err)
		}
		t.Rows = append(t.Rows, t.rowOf(v.Elem()))
	}
	return t, nil
}

// rowOf reads one decoded struct back into a BinRow.
func (t *BinTable) rowOf(v reflect.Value) BinRow {
	r := BinRow{Borehole: v.Field(0).String(), Bin: v.Field(1).Int(), Depth: v.Field(2).Float(),
		Values: make([]float64, len(t.Features)), Counts: make([]int32, len(t.Instruments))}
	next := 3
	for i := range r.Values {
		r.Values[i] = v.Field(next).Float()
		next++
	}
	r.Principal = v.Field(next).String()
	for i := range r.Counts {
		next++
		r.Counts[i] = int32(v.Field(next).Int())
	}
	return r
}
