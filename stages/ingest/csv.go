package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// The CSV layer splits a LILY file into chunks of whole records that
// workers parse independently. A chunk always starts at a record boundary,
// so the quote state at its start is known (outside quotes); a record
// boundary is a newline outside quoted fields (RFC 4180, with a quote that
// does not start a field read literally, as pandas reads it).

const (
	maxHeader  = 1 << 20
	sniffBytes = 4096
)

// chunkSize is the read size; a variable so tests can force records to
// straddle chunk boundaries.
var chunkSize = 4 << 20

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// chunk is a run of whole records.
type chunk struct {
	seq  int
	data []byte
	line int64 // line number of the first record (the header is line 1)
	// last is set on the final chunk; its last record may lack a newline.
	last bool
}

// header is the parsed first line of a file.
type header struct {
	names []string
	index map[string]int
	line  int64 // lines the header spans
}

// readHeader reads and checks the header. It returns the header and the
// bytes already read past it.
func readHeader(file string, r io.Reader) (*header, []byte, error) {
	buf := make([]byte, 0, 64<<10)
	for {
		end, err := headerEnd(buf)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", file, err)
		}
		if end >= 0 {
			h, err := parseHeader(buf[:end])
			if err != nil {
				return nil, nil, fmt.Errorf("%s: line 1: %w", file, err)
			}
			return h, buf[end:], nil
		}
		if len(buf) >= maxHeader {
			return nil, nil, fmt.Errorf("%s: no header line in the first %d bytes: not a CSV file", file, maxHeader)
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, rerr := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if rerr == io.EOF {
			if len(buf) == 0 {
				return nil, nil, fmt.Errorf("%s: empty file: no header", file)
			}
			if err := sniff(buf); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", file, err)
			}
			h, err := parseHeader(buf)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: line 1: %w", file, err)
			}
			return h, nil, nil
		}
		if rerr != nil {
			return nil, nil, fmt.Errorf("%s: read: %w", file, rerr)
		}
	}
}

// headerEnd returns the offset just past the header's newline, or -1 if
// more bytes are needed. It rejects binary content as soon as enough bytes
// have been seen.
func headerEnd(buf []byte) (int, error) {
	if len(buf) >= sniffBytes {
		if err := sniff(buf); err != nil {
			return 0, err
		}
	}
	if len(buf) == 0 {
		return -1, nil
	}
	end, _ := recordEnd(buf)
	if buf[end-1] != '\n' {
		return -1, nil
	}
	if err := sniff(buf[:end]); err != nil {
		return 0, err
	}
	return end, nil
}

// sniff rejects content that is not text: gzip or zip archives, NUL bytes,
// invalid UTF-8 in the first bytes.
func sniff(b []byte) error {
	if len(b) > sniffBytes {
		b = b[:sniffBytes]
	}
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return errors.New("not a CSV file: gzip-compressed (decompress it first)")
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return errors.New("not a CSV file: a zip archive (extract it first)")
	case bytes.HasPrefix(b, []byte("PAR1")):
		return errors.New("not a CSV file: a Parquet file")
	case bytes.IndexByte(b, 0) >= 0:
		return errors.New("not a CSV file: binary content (NUL bytes) in the first bytes")
	}
	// A multi-byte rune may be cut at the end of the sample.
	for i := 0; i < 3 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	if !utf8.Valid(b) {
		return errors.New("not a CSV file: the first bytes are not UTF-8 text")
	}
	return nil
}

func parseHeader(line []byte) (*header, error) {
	line = bytes.TrimPrefix(line, utf8BOM)
	line = trimEOL(line)
	var fields []string
	if err := splitAll(line, func(i int, f []byte) { fields = append(fields, strings.TrimSpace(string(f))) }); err != nil {
		return nil, err
	}
	if len(fields) == 1 {
		for _, d := range []string{";", "\t", "|"} {
			if strings.Count(fields[0], d) > 0 {
				return nil, fmt.Errorf("wrong delimiter: the header is separated by %q, LILY files use ','", d)
			}
		}
	}
	h := &header{names: fields, index: map[string]int{}, line: 1 + int64(bytes.Count(line, []byte{'\n'}))}
	for i, name := range fields {
		if _, dup := h.index[name]; dup && name != "" {
			return nil, fmt.Errorf("duplicate column %q", name)
		}
		h.index[name] = i
	}
	return h, nil
}

// require returns the column indexes of names, or an error naming the
// first missing one.
func (h *header) require(names []string) ([]int, error) {
	idx := make([]int, len(names))
	for i, n := range names {
		j, ok := h.index[n]
		if !ok {
			return nil, fmt.Errorf("missing required column %q (header has %d columns)", n, len(h.names))
		}
		idx[i] = j
	}
	return idx, nil
}

// optional returns the column index of name, or -1.
func (h *header) optional(name string) int {
	if j, ok := h.index[name]; ok {
		return j
	}
	return -1
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'})
}

// splitAll calls fn for every field of one record, unquoting quoted
// fields. An unterminated quote is an error.
func splitAll(rec []byte, fn func(i int, f []byte)) error {
	var scratch []byte
	for i := 0; ; i++ {
		f, rest, err := nextField(rec, &scratch)
		if err != nil {
			return err
		}
		fn(i, f)
		if rest == nil {
			return nil
		}
		rec = rest
	}
}

// nextField returns the first field of rec and the rest after its comma;
// rest is nil after the last field. Quoted fields are unquoted into
// *scratch, so f is valid only until the next call.
func nextField(rec []byte, scratch *[]byte) (f, rest []byte, err error) {
	if len(rec) == 0 || rec[0] != '"' {
		if i := bytes.IndexByte(rec, ','); i >= 0 {
			return rec[:i], rec[i+1:], nil
		}
		return rec, nil, nil
	}
	s := (*scratch)[:0]
	i := 1
	for {
		j := bytes.IndexByte(rec[i:], '"')
		if j < 0 {
			return nil, nil, errors.New("unterminated quoted field")
		}
		s = append(s, rec[i:i+j]...)
		i += j + 1
		if i < len(rec) && rec[i] == '"' {
			s = append(s, '"')
			i++
			continue
		}
		break
	}
	*scratch = s
	// Text after the closing quote up to the comma is kept, as lenient
	// readers do.
	k := bytes.IndexByte(rec[i:], ',')
	if k < 0 {
		return append(s, rec[i:]...), nil, nil
	}
	s = append(s, rec[i:i+k]...)
	*scratch = s
	return s, rec[i+k+1:], nil
}

// lastBoundary returns the index of the last newline in data that ends a
// record, or -1. data starts at a record boundary. A quote opens a quoted
// field only at the start of a field; inside one, a doubled quote is a
// quote and a single one closes it (as nextField reads them), so a stray
// quote inside an unquoted field does not swallow the rest of the file.
func lastBoundary(data []byte) int {
	if bytes.IndexByte(data, '"') < 0 {
		return bytes.LastIndexByte(data, '\n')
	}
	last := -1
	// outside records the last newline in data[from:to], read unquoted.
	outside := func(from, to int) {
		if k := bytes.LastIndexByte(data[from:to], '\n'); k >= 0 {
			last = from + k
		}
	}
	i := 0
	for {
		j := bytes.IndexByte(data[i:], '"')
		if j < 0 {
			outside(i, len(data))
			return last
		}
		j += i
		outside(i, j)
		if j > 0 && data[j-1] != ',' && data[j-1] != '\n' {
			i = j + 1 // a literal quote inside an unquoted field
			continue
		}
		// A quoted field: find its closing quote.
		k := j + 1
		for {
			q := bytes.IndexByte(data[k:], '"')
			if q < 0 || k+q+1 == len(data) {
				return last // still open (or undecidable) at the end of data
			}
			k += q
			if data[k+1] != '"' {
				break
			}
			k += 2
		}
		i = k + 1
	}
}

// chunks reads r after the header (pre holds bytes already read) and sends
// chunks of whole records until EOF. Buffers come from free when one is
// there (workers hand them back once parsed). progress receives bytes read.
func chunks(ctx context.Context, r io.Reader, pre []byte, firstLine int64, out chan<- chunk, free chan []byte, progress func(int64)) error {
	defer close(out)
	carry := append([]byte(nil), pre...)
	line := firstLine
	for seq := 0; ; seq++ {
		size := chunkSize
		for size < 2*len(carry) {
			size *= 2
		}
		buf := getBuffer(free, size)
		n := copy(buf, carry)
		m, err := io.ReadFull(r, buf[n:])
		progress(int64(m))
		buf = buf[:n+m]
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return fmt.Errorf("read: %w", err)
		}
		cut := len(buf)
		if !eof {
			cut = lastBoundary(buf) + 1
			if cut == 0 { // one record larger than the buffer: read more
				carry = append(carry[:0], buf...)
				seq--
				continue
			}
		}
		// Keep the partial record before the buffer goes to a worker.
		carry = append(carry[:0], buf[cut:]...)
		c := chunk{seq: seq, data: buf[:cut], line: line, last: eof}
		line += int64(bytes.Count(c.data, []byte{'\n'}))
		select {
		case out <- c:
		case <-ctx.Done():
			return ctx.Err()
		}
		if eof {
			return nil
		}
	}
}

// getBuffer reuses a free buffer of at least size bytes, or makes one.
func getBuffer(free chan []byte, size int) []byte {
	select {
	case b := <-free:
		if cap(b) >= size {
			return b[:size]
		}
	default:
	}
	return make([]byte, size)
}

// putBuffer hands a parsed chunk's buffer back, or drops it when enough
// are waiting.
func putBuffer(free chan []byte, b []byte) {
	select {
	case free <- b[:cap(b)]:
	default:
	}
}
