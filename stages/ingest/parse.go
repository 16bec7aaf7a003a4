package ingest

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"unsafe"

	"litho/schemas"
)

// Reasons a row is rejected. Each rejected row gets exactly one: the first
// problem found, checking identity, depth, label, then measurements.
const (
	ReasonFieldCount = "wrong number of fields"
	ReasonQuote      = "unterminated quoted field"
	ReasonBorehole   = "missing borehole"
	ReasonDepth      = "missing depth"
	ReasonPrincipal  = "missing Principal"
	ReasonEmpty      = "empty value"
	ReasonNumber     = "not a number"
	ReasonNonFinite  = "non-finite number"
)

// layout maps the columns ingest reads to their positions in one file.
type layout struct {
	file     string
	nfields  int
	exp      int
	site     int
	hole     int
	depth    int
	label    int
	core     int // -1 when absent
	typ      int
	sect     int
	offset   int
	measures []int
	names    []string // header names, for reject messages
	maxCol   int
}

func newLayout(file string, h *header, spec *schemas.LILYFile) (*layout, error) {
	req, err := h.require(spec.Required())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	l := &layout{
		file: file, nfields: len(h.names), names: h.names,
		exp: req[0], site: req[1], hole: req[2], depth: req[3], label: req[4],
		measures: req[5:],
		core:     h.optional(schemas.ColCore),
		typ:      h.optional(schemas.ColType),
		sect:     h.optional(schemas.ColSect),
		offset:   h.optional(schemas.ColOffset),
	}
	for _, c := range append([]int{l.core, l.typ, l.sect, l.offset}, req...) {
		l.maxCol = max(l.maxCol, c)
	}
	return l, nil
}

// parsed is one usable row.
type parsed struct {
	borehole string
	row      schemas.MeasureRow
}

// result is what a worker made of one chunk.
type result struct {
	seq     int
	rows    []parsed
	rejects []rejectRow
	nrows   int64
	err     error
}

type rejectRow struct {
	line   int64
	column string
	reason string
	value  string
}

// parser turns records into rows. Each worker owns one, with its own
// string table so repeated labels share memory without locking.
type parser struct {
	l       *layout
	strs    map[string]string
	fields  [][]byte
	scratch [][]byte
	key     []byte
}

func newParser(l *layout) *parser {
	return &parser{
		l: l, strs: map[string]string{},
		fields:  make([][]byte, l.maxCol+1),
		scratch: make([][]byte, l.maxCol+1),
	}
}

func (p *parser) intern(b []byte) string {
	if s, ok := p.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	p.strs[s] = s
	return s
}

// parseChunk parses every record of c. A short final record without a
// newline means the file was cut off: that fails the file.
func (p *parser) parseChunk(c chunk) result {
	res := result{seq: c.seq, rows: make([]parsed, 0, len(c.data)/200)}
	data, line := c.data, c.line
	for len(data) > 0 {
		end := recordEnd(data)
		rec := data[:end]
		data = data[end:]
		if len(bytes.TrimSpace(rec)) == 0 {
			line += int64(bytes.Count(rec, []byte{'\n'}))
			continue
		}
		terminated := rec[len(rec)-1] == '\n'
		nl := int64(bytes.Count(rec, []byte{'\n'}))
		rec = trimEOL(rec)
		res.nrows++
		if rj, ok := p.parseRecord(rec, &res); !ok {
			if c.last && len(data) == 0 && !terminated && rj.reason != "" && (rj.reason == ReasonFieldCount || rj.reason == ReasonQuote) {
				res.err = fmt.Errorf("%s: truncated file: the last line %d ends early (%s)", p.l.file, line, rj.reason)
				return res
			}
			rj.line = line
			res.rejects = append(res.rejects, rj)
		}
		line += max(nl, 1)
	}
	return res
}

// recordEnd returns the length of the first record in data including its
// newline; quoted newlines do not end a record.
func recordEnd(data []byte) int {
	nl := bytes.IndexByte(data, '\n')
	if nl < 0 {
		return len(data)
	}
	if bytes.IndexByte(data[:nl], '"') < 0 {
		return nl + 1
	}
	quoted := false
	for i, c := range data {
		switch c {
		case '"':
			quoted = !quoted
		case '\n':
			if !quoted {
				return i + 1
			}
		}
	}
	return len(data)
}

// split fills p.fields with the columns the layout reads and checks the
// field count.
func (p *parser) split(rec []byte) string {
	n := 0
	rest := rec
	for rest != nil {
		var f []byte
		if n <= p.l.maxCol {
			var err error
			f, rest, err = nextField(rest, &p.scratch[n])
			if err != nil {
				return ReasonQuote
			}
			p.fields[n] = f
			n++
			continue
		}
		// Past the last column read: only count the remaining fields.
		if bytes.IndexByte(rest, '"') < 0 {
			n += 1 + bytes.Count(rest, []byte{','})
			break
		}
		var err error
		if _, rest, err = nextField(rest, &p.key); err != nil {
			return ReasonQuote
		}
		n++
	}
	if n != p.l.nfields {
		return ReasonFieldCount
	}
	return ""
}

// parseRecord parses one record into res.rows, or returns the reject.
func (p *parser) parseRecord(rec []byte, res *result) (rejectRow, bool) {
	if reason := p.split(rec); reason != "" {
		return rejectRow{reason: reason, value: clip(rec)}, false
	}
	l := p.l
	f := p.fields
	exp, site, hole := bytes.TrimSpace(f[l.exp]), bytes.TrimSpace(f[l.site]), bytes.TrimSpace(f[l.hole])
	for i, v := range [][]byte{exp, site, hole} {
		if len(v) == 0 {
			return rejectRow{column: l.names[[]int{l.exp, l.site, l.hole}[i]], reason: ReasonBorehole}, false
		}
	}
	var out parsed
	depth, reason := number(f[l.depth])
	if reason != "" {
		if reason == ReasonEmpty {
			reason = ReasonDepth
		}
		return rejectRow{column: l.names[l.depth], reason: reason, value: clip(f[l.depth])}, false
	}
	out.row.Depth = depth
	label := bytes.TrimSpace(f[l.label])
	if len(label) == 0 {
		return rejectRow{column: l.names[l.label], reason: ReasonPrincipal}, false
	}
	var vals [3]float64
	for i, c := range l.measures {
		v, reason := number(f[c])
		if reason != "" {
			return rejectRow{column: l.names[c], reason: reason, value: clip(f[c])}, false
		}
		vals[i] = v
	}
	out.row.V0, out.row.V1, out.row.V2 = vals[0], vals[1], vals[2]
	out.row.Principal = p.intern(label)
	p.key = append(append(append(append(append(p.key[:0], exp...), '-'), site...), '-'), hole...)
	out.borehole = p.intern(p.key)
	out.row.Core = p.optional(l.core)
	out.row.Type = p.optional(l.typ)
	out.row.Sect = p.optional(l.sect)
	if l.offset >= 0 {
		// Offset only orders rows; an unreadable one is not worth a reject.
		if v, reason := number(f[l.offset]); reason == "" {
			out.row.Offset = v
		}
	}
	res.rows = append(res.rows, out)
	return rejectRow{}, true
}

func (p *parser) optional(col int) string {
	if col < 0 {
		return ""
	}
	return p.intern(bytes.TrimSpace(p.fields[col]))
}

// number parses a decimal cell; the reason is "" on success.
func number(b []byte) (float64, string) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return 0, ReasonEmpty
	}
	// ParseFloat does not keep the string, so no copy is needed.
	v, err := strconv.ParseFloat(unsafe.String(&b[0], len(b)), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, ReasonNonFinite
		}
		return 0, ReasonNumber
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, ReasonNonFinite
	}
	return v, ""
}

// clip keeps a rejected value short enough for the rejects table.
func clip(b []byte) string {
	const n = 120
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
