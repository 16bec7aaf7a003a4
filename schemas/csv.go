package schemas

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// elementKeys name the key-value metadata entry that names the elements
// of a list column, a JSON list of strings: pandas and DuckDB read the CSV
// export's columns by those names.
var elementKeys = map[string]string{"x": FeaturesKey, "z": LatentKey}

// ParquetToCSV writes a Parquet table as CSV with a header of its column
// names. A list column (a scaled row's x, a latent row's z) becomes one
// column per element, named by the table's metadata (gra, ms, ... or
// z0, z1, ...) or, without it, by the column and the index; every row's
// list must then have the same length.
func ParquetToCSV(w io.Writer, b []byte) error {
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return fmt.Errorf("open parquet: %w", err)
	}
	rows, err := readRows(f)
	if err != nil {
		return err
	}
	cols, err := csvColumns(f, rows)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	header, err := csvHeader(cols)
	if err != nil {
		return err
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for i, row := range rows {
		rec, err := csvRecord(cols, row)
		if err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvColumn is one leaf column of the table and the CSV columns it fills:
// one name for a plain column, one per element for a list.
type csvColumn struct {
	names []string
	list  bool
}

func readRows(f *parquet.File) ([]parquet.Row, error) {
	r := parquet.NewReader(f)
	defer r.Close()
	rows := make([]parquet.Row, f.NumRows())
	for n := 0; n < len(rows); {
		m, err := r.ReadRows(rows[n:])
		n += m
		if err == io.EOF && n < len(rows) || err != nil && err != io.EOF {
			return nil, fmt.Errorf("read parquet: %d of %d rows: %v", n, len(rows), err)
		}
	}
	return rows, nil
}

// csvColumns names the CSV columns of each leaf column; a list's width is
// that of the first row, or of its metadata names in an empty table.
func csvColumns(f *parquet.File, rows []parquet.Row) ([]csvColumn, error) {
	leaves := f.Schema().Columns()
	cols := make([]csvColumn, len(leaves))
	for i, path := range leaves {
		leaf, _ := f.Schema().Lookup(path...)
		if leaf.MaxRepetitionLevel == 0 {
			cols[i] = csvColumn{names: []string{strings.Join(path, ".")}}
			continue
		}
		width := -1
		if len(rows) > 0 {
			width = len(cells(rows[0], i))
		}
		names, err := elementNames(f, path[0], width)
		if err != nil {
			return nil, err
		}
		cols[i] = csvColumn{names: names, list: true}
	}
	return cols, nil
}

// elementNames are the names of a list column's width elements, from the
// metadata if the table has them (width -1: as many as it names).
func elementNames(f *parquet.File, column string, width int) ([]string, error) {
	if meta, ok := f.Lookup(elementKeys[column]); ok && elementKeys[column] != "" {
		var names []string
		if err := json.Unmarshal([]byte(meta), &names); err != nil {
			return nil, fmt.Errorf("metadata %s: %w", elementKeys[column], err)
		}
		if width >= 0 && len(names) != width {
			return nil, fmt.Errorf("metadata %s names %d elements, column %s has %d", elementKeys[column], len(names), column, width)
		}
		return names, nil
	}
	names := make([]string, max(width, 0))
	for i := range names {
		names[i] = column + strconv.Itoa(i)
	}
	return names, nil
}

// csvHeader flattens the columns' names, which must be distinct for a
// reader to find a column by name.
func csvHeader(cols []csvColumn) ([]string, error) {
	var header []string
	for _, c := range cols {
		header = append(header, c.names...)
	}
	for i, name := range header {
		if slices.Contains(header[:i], name) {
			return nil, fmt.Errorf("two CSV columns named %q", name)
		}
	}
	return header, nil
}

// csvRecord is one row's cells: a null is an empty cell.
func csvRecord(cols []csvColumn, row parquet.Row) ([]string, error) {
	var rec []string
	for i, c := range cols {
		vals := cells(row, i)
		switch {
		case c.list && len(vals) != len(c.names):
			return nil, fmt.Errorf("a list of %d values, want %d (%v)", len(vals), len(c.names), c.names)
		case !c.list && len(vals) == 0:
			vals = []string{""}
		}
		rec = append(rec, vals...)
	}
	return rec, nil
}

// cells formats the non-null values of leaf column col in row.
func cells(row parquet.Row, col int) []string {
	var out []string
	for _, v := range row {
		if v.Column() == col && !v.IsNull() {
			out = append(out, formatValue(v))
		}
	}
	return out
}

func formatValue(v parquet.Value) string {
	switch v.Kind() {
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean())
	case parquet.Int32:
		return strconv.FormatInt(int64(v.Int32()), 10)
	case parquet.Int64:
		return strconv.FormatInt(v.Int64(), 10)
	case parquet.Float:
		return strconv.FormatFloat(float64(v.Float()), 'g', -1, 32)
	case parquet.Double:
		return strconv.FormatFloat(v.Double(), 'g', -1, 64)
	}
	return string(v.ByteArray())
}
