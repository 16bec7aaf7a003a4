// Package schemas holds the column layouts of the LILY CSV files litho reads
// and of every Parquet table it writes, with versions that enter stage keys.
package schemas

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/parquet-go/parquet-go"
)

// writerOptions are the fixed settings of every table litho writes.
var writerOptions = []parquet.WriterOption{
	parquet.CreatedBy("litho", "1", ""),
	parquet.Compression(&parquet.Snappy),
	parquet.MaxRowsPerRowGroup(65536),
}

// WriteParquet encodes rows with fixed writer settings, so equal rows give
// equal bytes: no timestamps, one row group per 64k rows, Snappy pages.
func WriteParquet[T any](rows []T) ([]byte, error) { return writeRows(rows, writerOptions) }

// writeWithMetadata is WriteParquet with one key-value metadata entry.
func writeWithMetadata[T any](rows []T, key, value string) ([]byte, error) {
	return writeRows(rows, append(slices.Clone(writerOptions), parquet.KeyValueMetadata(key, value)))
}

func writeRows[T any](rows []T, opts []parquet.WriterOption) ([]byte, error) {
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf, opts...)
	if _, err := w.Write(rows); err != nil {
		return nil, fmt.Errorf("write parquet: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("write parquet: %w", err)
	}
	return buf.Bytes(), nil
}

// ReadParquet decodes a whole Parquet file into rows of T.
func ReadParquet[T any](b []byte) ([]T, error) {
	rows, err := parquet.Read[T](bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("read parquet: %w", err)
	}
	return rows, nil
}
