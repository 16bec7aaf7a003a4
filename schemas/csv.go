package schemas

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// ParquetToCSV writes a Parquet table as CSV with a header of its leaf
// column paths. Repeated values (lists such as a latent vector) are joined
// with ';' in one cell.
func ParquetToCSV(w io.Writer, b []byte) error {
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return fmt.Errorf("open parquet: %w", err)
	}
	leaves := f.Schema().Columns()
	header := make([]string, len(leaves))
	for i, path := range leaves {
		header[i] = strings.Join(path, ".")
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	r := parquet.NewReader(f)
	defer r.Close()
	rows := make([]parquet.Row, 256)
	for {
		n, err := r.ReadRows(rows)
		for _, row := range rows[:n] {
			cells := make([][]string, len(leaves))
			for _, v := range row {
				if v.IsNull() {
					continue
				}
				cells[v.Column()] = append(cells[v.Column()], formatValue(v))
			}
			rec := make([]string, len(leaves))
			for i, c := range cells {
				rec[i] = strings.Join(c, ";")
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read parquet: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
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
