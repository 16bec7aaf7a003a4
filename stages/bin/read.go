package bin

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"

	"litho/schemas"
)

// readMeasures decodes the columns binning uses (depth, the first values
// of V0–V2 and Principal) from an ingest table, column by column: several
// times faster than reconstructing whole rows through reflection, and a
// one-measurement instrument skips two columns. The other fields of the
// returned rows are left zero.
func readMeasures(b []byte, values int) ([]schemas.MeasureRow, error) {
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("read parquet: %w", err)
	}
	rows := make([]schemas.MeasureRow, f.NumRows())
	floats := []struct {
		name string
		set  func(r *schemas.MeasureRow, v float64)
	}{
		{"depth_m", func(r *schemas.MeasureRow, v float64) { r.Depth = v }},
		{"v0", func(r *schemas.MeasureRow, v float64) { r.V0 = v }},
		{"v1", func(r *schemas.MeasureRow, v float64) { r.V1 = v }},
		{"v2", func(r *schemas.MeasureRow, v float64) { r.V2 = v }},
	}
	buf := make([]float64, 0, 4096)
	for _, c := range floats[:1+values] {
		col, ok := f.Schema().Lookup(c.name)
		if !ok {
			return nil, fmt.Errorf("read parquet: no column %s (not an ingest table)", c.name)
		}
		i := 0
		err := eachPage(f, col.ColumnIndex, func(p parquet.Page) error {
			r, ok := p.Values().(parquet.DoubleReader)
			if !ok {
				return fmt.Errorf("column %s is not float64", c.name)
			}
			buf = buf[:cap(buf)]
			for {
				n, err := r.ReadDoubles(buf)
				for _, v := range buf[:n] {
					if i >= len(rows) {
						return fmt.Errorf("column %s has more values than rows", c.name)
					}
					c.set(&rows[i], v)
					i++
				}
				if errors.Is(err, io.EOF) {
					return nil
				}
				if err != nil {
					return err
				}
			}
		})
		if err != nil {
			return nil, fmt.Errorf("read parquet: %w", err)
		}
	}
	if err := readLabels(f, rows); err != nil {
		return nil, fmt.Errorf("read parquet: %w", err)
	}
	return rows, nil
}

// readLabels fills Principal, sharing one string per distinct label.
func readLabels(f *parquet.File, rows []schemas.MeasureRow) error {
	col, ok := f.Schema().Lookup("principal")
	if !ok {
		return errors.New("no column principal (not an ingest table)")
	}
	labels := map[string]string{}
	vals := make([]parquet.Value, 1024)
	i := 0
	return eachPage(f, col.ColumnIndex, func(p parquet.Page) error {
		r := p.Values()
		for {
			n, err := r.ReadValues(vals)
			for _, v := range vals[:n] {
				if i >= len(rows) {
					return errors.New("column principal has more values than rows")
				}
				b := v.ByteArray()
				s, ok := labels[string(b)]
				if !ok {
					s = string(b)
					labels[s] = s
				}
				rows[i].Principal = s
				i++
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
		}
	})
}

// eachPage calls fn on every page of one column, over all row groups.
func eachPage(f *parquet.File, column int, fn func(parquet.Page) error) error {
	for _, rg := range f.RowGroups() {
		pages := rg.ColumnChunks()[column].Pages()
		for {
			p, err := pages.ReadPage()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				pages.Close()
				return err
			}
			err = fn(p)
			parquet.Release(p)
			if err != nil {
				pages.Close()
				return err
			}
		}
		if err := pages.Close(); err != nil {
			return err
		}
	}
	return nil
}
