package ingest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
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
	// ReasonDepthRange: a depth outside [MinDepth, MaxDepth].
	ReasonDepthRange = "depth out of range"
	// ReasonBoreholeID: an Exp, Site or Hole that cannot name a borehole
	// (a partition): it holds '/', '\\' or a control character, or makes
	// the ID longer than MaxBoreholeID bytes.
	ReasonBoreholeID = "invalid borehole ID"
	ReasonPrincipal  = "missing Principal"
	ReasonEmpty      = "empty value"
	ReasonNumber     = "not a number"
	ReasonNonFinite  = "non-finite number"
	// ReasonNoValue: a measurement taken along several columns (PWC's
	// velocity directions) has none of them filled.
	ReasonNoValue = "empty value in every column"
)

// The plausible depths, metres CSF-A. Boreholes are at most a few
// kilometres deep (the deepest scientific ocean hole is about 3.3 km
// below the sea floor); a core top may read slightly above zero after
// expansion. Anything beyond is a unit or typing error, and unbounded
// depths would overflow the bin index downstream.
const (
	MinDepth = -10
	MaxDepth = 10_000
)

// MaxBoreholeID is the longest borehole ID (Exp-Site-Hole) ingest keeps:
// the longest partition name the engine accepts.
const MaxBoreholeID = 200

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
	measures [][]int  // per measurement: its columns
	parts    []int    // per measurement: the row slot of its first part, or -1
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
		core:   h.optional(schemas.ColCore),
		typ:    h.optional(schemas.ColType),
		sect:   h.optional(schemas.ColSect),
		offset: h.optional(schemas.ColOffset),
	}
	rest := req[5:]            // Required lists each measurement's columns in turn
	slot := len(spec.Measures) // parts follow the measurements
	for _, m := range spec.Measures {
		n := len(m.Columns())
		l.measures = append(l.measures, rest[:n])
		rest = rest[n:]
		at := -1
		if len(m.Parts) > 0 {
			at, slot = slot, slot+len(m.Parts)
		}
		l.parts = append(l.parts, at)
	}
	for _, c := range append([]int{l.core, l.typ, l.sect, l.offset}, req...) {
		l.maxCol = max(l.maxCol, c)
	}
	return l, nil
}

// row is one usable row. It holds no pointers, so millions of buffered
// rows cost the garbage collector nothing: strings are ids into the
// file's string table. v holds the value columns as in
// schemas.MeasureRow; NaN is null, in v and offset.
type row struct {
	depth, offset            float64
	v                        [schemas.MaxValues]float64
	borehole, section, label uint32
}

// result is what a worker made of one chunk.
type result struct {
	seq     int
	rows    []row
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

// Slots of the parser's last-value caches.
const (
	slotBorehole = iota
	slotSection
	slotLabel
	nslots
)

// strtab is one file's string table (boreholes, sections, labels), shared
// by the parsers. They consult it only when a column's value changes from
// the row before, so its lock is rarely taken, and rows carry final ids.
type strtab struct {
	mu    sync.Mutex
	ids   map[string]uint32
	names []string // read without the lock once parsing is over
}

func newStrtab() *strtab { return &strtab{ids: map[string]uint32{}} }

func (t *strtab) id(b []byte) uint32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	id, ok := t.ids[string(b)]
	if !ok {
		id = uint32(len(t.names))
		s := string(b)
		t.names = append(t.names, s)
		t.ids[s] = id
	}
	return id
}

// parser turns records into rows. Each worker owns one.
type parser struct {
	l    *layout
	tab  *strtab
	last [nslots]lastID
	// The record split last: plain records keep field ends, quoted ones
	// their unquoted fields.
	plain   bool
	rec     []byte
	ends    []int32
	fields  [][]byte
	scratch [][]byte
	key     []byte
}

// lastID remembers a column's previous value: consecutive rows nearly
// always share borehole, section and label.
type lastID struct {
	b  []byte
	id uint32
	ok bool
}

func newParser(l *layout, tab *strtab) *parser {
	return &parser{
		l: l, tab: tab,
		ends:    make([]int32, 0, l.maxCol+2),
		fields:  make([][]byte, l.maxCol+1),
		scratch: make([][]byte, l.maxCol+1),
	}
}

func (p *parser) id(slot int, b []byte) uint32 {
	c := &p.last[slot]
	if c.ok && bytes.Equal(c.b, b) {
		return c.id
	}
	id := p.tab.id(b)
	c.b, c.id, c.ok = append(c.b[:0], b...), id, true
	return id
}

// parseChunk parses every record of c. A short final record without a
// newline means the file was cut off: that fails the file.
func (p *parser) parseChunk(c chunk) result {
	res := result{seq: c.seq, rows: make([]row, 0, len(c.data)/160)}
	data, line := c.data, c.line
	for len(data) > 0 {
		end, quotes := recordEnd(data)
		rec := data[:end]
		data = data[end:]
		nl := int64(1) // lines the record spans
		if quotes {
			nl = max(int64(bytes.Count(rec, []byte{'\n'})), 1)
		}
		if len(trim(rec)) == 0 {
			line += nl
			continue
		}
		terminated := rec[len(rec)-1] == '\n'
		rec = trimEOL(rec)
		res.nrows++
		if rj, ok := p.parseRecord(rec, quotes, &res); !ok {
			if c.last && len(data) == 0 && !terminated && (rj.reason == ReasonFieldCount || rj.reason == ReasonQuote) {
				res.err = fmt.Errorf("%s: truncated file: the last line %d ends early (%s)", p.l.file, line, rj.reason)
				return res
			}
			rj.line = line
			res.rejects = append(res.rejects, rj)
		}
		line += nl
	}
	return res
}

// recordEnd returns the length of the first record in data including its
// newline, and whether it holds a quote. Quoting follows lastBoundary: a
// quote opens a quoted field only at the start of a field, where newlines
// do not end the record.
func recordEnd(data []byte) (int, bool) {
	nl := bytes.IndexByte(data, '\n')
	if nl < 0 {
		nl = len(data) - 1
	}
	if bytes.IndexByte(data[:nl+1], '"') < 0 {
		return nl + 1, false
	}
	quoted := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case quoted:
			if c == '"' {
				if i+1 < len(data) && data[i+1] == '"' {
					i++
				} else {
					quoted = false
				}
			}
		case c == '"':
			quoted = i == 0 || data[i-1] == ','
		case c == '\n':
			return i + 1, true
		}
	}
	return len(data), true
}

// split fills p.fields with the columns the layout reads and checks the
// field count.
func (p *parser) split(rec []byte, quotes bool) string {
	if !quotes {
		return p.splitPlain(rec)
	}
	p.plain = false
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

// splitPlain is split for records without quotes, the common case: it
// records where fields end instead of storing slices (no write barriers)
// and finds commas eight bytes at a time.
func (p *parser) splitPlain(rec []byte) string {
	const lows, commas = 0x7f7f7f7f7f7f7f7f, 0x2c2c2c2c2c2c2c2c
	p.plain, p.rec = true, rec
	ends, want := p.ends[:0], p.l.maxCol+1
	i := 0
scan:
	for ; i+8 <= len(rec); i += 8 {
		t := binary.LittleEndian.Uint64(rec[i:]) ^ commas
		// The high bit of each byte of m is set exactly where t has a zero
		// byte, that is where rec has a comma.
		m := ^(((t & lows) + lows) | t | lows)
		for ; m != 0; m &= m - 1 {
			ends = append(ends, int32(i+bits.TrailingZeros64(m)>>3))
			if len(ends) == want {
				break scan
			}
		}
	}
	if len(ends) < want {
		for ; i < len(rec); i++ {
			if rec[i] == ',' {
				if ends = append(ends, int32(i)); len(ends) == want {
					break
				}
			}
		}
	}
	p.ends = ends
	if len(ends) < want { // every field seen: the record ends the last one
		if len(ends)+1 != p.l.nfields {
			return ReasonFieldCount
		}
		p.ends = append(ends, int32(len(rec)))
		return ""
	}
	if want+bytes.Count(rec[ends[want-1]+1:], []byte{','})+1 != p.l.nfields {
		return ReasonFieldCount
	}
	return ""
}

// field returns column i of the record split last.
func (p *parser) field(i int) []byte {
	if !p.plain {
		return p.fields[i]
	}
	start := int32(0)
	if i > 0 {
		start = p.ends[i-1] + 1
	}
	return p.rec[start:p.ends[i]]
}

// parseRecord parses one record into res.rows, or returns the reject.
func (p *parser) parseRecord(rec []byte, quotes bool, res *result) (rejectRow, bool) {
	if reason := p.split(rec, quotes); reason != "" {
		return rejectRow{reason: reason, value: clip(rec)}, false
	}
	l := p.l
	exp, site, hole := trim(p.field(l.exp)), trim(p.field(l.site)), trim(p.field(l.hole))
	for i, v := range [][]byte{exp, site, hole} {
		col := l.names[[]int{l.exp, l.site, l.hole}[i]]
		if len(v) == 0 {
			return rejectRow{column: col, reason: ReasonBorehole}, false
		}
		if !validIDPart(v) {
			return rejectRow{column: col, reason: ReasonBoreholeID, value: clip(v)}, false
		}
	}
	if n := len(exp) + len(site) + len(hole) + 2; n > MaxBoreholeID {
		return rejectRow{column: l.names[l.exp] + "|" + l.names[l.site] + "|" + l.names[l.hole], reason: ReasonBoreholeID,
			value: clip(fmt.Appendf(nil, "%s-%s-%s", exp, site, hole))}, false
	}
	var out row
	depth, reason := number(p.field(l.depth))
	if reason != "" {
		if reason == ReasonEmpty {
			reason = ReasonDepth
		}
		return rejectRow{column: l.names[l.depth], reason: reason, value: clip(p.field(l.depth))}, false
	}
	if !(depth >= MinDepth && depth <= MaxDepth) {
		return rejectRow{column: l.names[l.depth], reason: ReasonDepthRange, value: clip(p.field(l.depth))}, false
	}
	out.depth = depth
	label := trim(p.field(l.label))
	if len(label) == 0 {
		return rejectRow{column: l.names[l.label], reason: ReasonPrincipal}, false
	}
	for i, cols := range l.measures {
		if at := l.parts[i]; at >= 0 {
			v, rj, ok := p.parts(cols, out.v[at:at+len(cols)])
			if !ok {
				return rj, false
			}
			out.v[i] = v
			continue
		}
		v, reason := number(p.field(cols[0]))
		if reason != "" {
			return rejectRow{column: l.names[cols[0]], reason: reason, value: clip(p.field(cols[0]))}, false
		}
		out.v[i] = v
	}
	out.label = p.id(slotLabel, label)
	p.key = append(append(append(append(append(p.key[:0], exp...), '-'), site...), '-'), hole...)
	out.borehole = p.id(slotBorehole, p.key)
	p.key = append(append(append(append(p.key[:0], p.optional(l.core)...), p.optional(l.typ)...), '-'), p.optional(l.sect)...)
	if len(p.key) == 1 { // no Core, Type or Sect
		p.key = p.key[:0]
	}
	out.section = p.id(slotSection, p.key)
	// Offset only orders rows; an unreadable one is not worth a reject,
	// it is null.
	out.offset = math.NaN()
	if l.offset >= 0 {
		if v, reason := number(p.field(l.offset)); reason == "" {
			out.offset = v
		}
	}
	res.rows = append(res.rows, out)
	return rejectRow{}, true
}

// parts reads a measurement taken along several columns (PWC's x, y, z
// and unknown directions) into vals, NaN where a column is not measured,
// and returns the mean of those that hold a number, summed in column order
// as pandas' row mean does. An empty or NaN cell is a direction not
// measured, which pandas' mean skips too; anything else unreadable
// rejects the row, as does a row with no direction at all.
func (p *parser) parts(cols []int, vals []float64) (float64, rejectRow, bool) {
	sum, n := 0.0, 0
	for i, c := range cols {
		b := p.field(c)
		v, reason := number(b)
		vals[i] = math.NaN()
		switch {
		case reason == "":
			vals[i] = v
			sum += v
			n++
		case reason == ReasonEmpty || isNaN(b):
		default:
			return 0, rejectRow{column: p.l.names[c], reason: reason, value: clip(b)}, false
		}
	}
	if n == 0 {
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = p.l.names[c]
		}
		return 0, rejectRow{column: strings.Join(names, "|"), reason: ReasonNoValue}, false
	}
	return sum / float64(n), rejectRow{}, true
}

// isNaN reports a cell spelling NaN (pandas reads "NaN", "nan", "NAN").
func isNaN(b []byte) bool { return bytes.EqualFold(trim(b), []byte("nan")) }

// optional is a column read when the file has it.
func (p *parser) optional(col int) []byte {
	if col < 0 {
		return nil
	}
	return trim(p.field(col))
}

// number parses a decimal cell; the reason is "" on success.
func number(b []byte) (float64, string) {
	b = trim(b)
	if len(b) == 0 {
		return 0, ReasonEmpty
	}
	if v, ok := fastDecimal(b); ok {
		return v, ""
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

// trim is bytes.TrimSpace with a fast exit for the usual cell that starts
// and ends with a printable ASCII byte.
func trim(b []byte) []byte {
	if len(b) == 0 || b[0]-'!' < 0x7f-'!' && b[len(b)-1]-'!' < 0x7f-'!' {
		return b
	}
	return bytes.TrimSpace(b)
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// fastDecimal parses plain decimals ([-+]digits[.digits]) of at most 15
// significant digits. The mantissa and the power of ten are then exact
// float64s and one IEEE division rounds correctly, so the result equals
// strconv.ParseFloat's (Clinger's fast path). Anything else returns false.
func fastDecimal(b []byte) (float64, bool) {
	i, neg := 0, false
	switch b[0] {
	case '-':
		neg, i = true, 1
	case '+':
		i = 1
	}
	var mant uint64
	sig, frac, digits, dot := 0, 0, 0, false
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			if mant != 0 {
				sig++
			}
			if dot {
				frac++
			}
			digits++
			if sig > 15 {
				return 0, false
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
	}
	if digits == 0 || frac >= len(pow10) {
		return 0, false
	}
	v := float64(mant) / pow10[frac]
	if neg {
		v = -v
	}
	return v, true
}

// validIDPart reports whether an Exp, Site or Hole can be part of a
// partition name: valid UTF-8 without '/', '\\' or a control character.
func validIDPart(b []byte) bool {
	for _, c := range b {
		if c < ' ' || c == '/' || c == '\\' || c >= 0x7f {
			return isPrintableUTF8(b)
		}
	}
	return true
}

// isPrintableUTF8 is validIDPart's slow path, for bytes beyond ASCII.
func isPrintableUTF8(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if r == '/' || r == '\\' || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// clip keeps a rejected value short enough for the rejects table. A value
// holding control characters or invalid UTF-8 is written Go-quoted, so
// escape sequences from the data never reach a terminal that shows it.
func clip(b []byte) string {
	const n = 120
	s := string(b)
	if len(b) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(b[cut]) {
			cut--
		}
		s = string(b[:cut]) + "…"
	}
	if !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
		return strconv.Quote(s)
	}
	return s
}
