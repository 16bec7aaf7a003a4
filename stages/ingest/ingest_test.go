package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/parquet-go/parquet-go"

	"litho/schemas"
)

// ingestFile runs File on a testdata fixture and returns the partitions,
// the rejects CSV and the stats.
func ingestFile(t *testing.T, name string, cfg Config) (map[string][]byte, string, Stats, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if cfg.Spec == nil {
		cfg.Spec = schemas.GRAFile
	}
	cfg.Name = name
	var rej bytes.Buffer
	rejects, err := NewRejects(&rej)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	parts := map[string][]byte{}
	st, err := File(context.Background(), cfg, f, rejects, nil, func(_ context.Context, b string, table []byte) error {
		mu.Lock()
		defer mu.Unlock()
		if _, dup := parts[b]; dup {
			t.Errorf("borehole %s put twice", b)
		}
		parts[b] = table
		return nil
	})
	if ferr := rejects.Flush(); ferr != nil {
		t.Fatal(ferr)
	}
	return parts, rej.String(), st, err
}

func readRows(t *testing.T, spec *schemas.LILYFile, b []byte) []schemas.MeasureRow {
	t.Helper()
	tab, err := schemas.ReadMeasures(b, spec)
	if err != nil {
		t.Fatal(err)
	}
	return tab.Rows
}

// sameRows compares rows as printed, so NaN (null) equals NaN.
var nan = math.NaN()

func sameRows(a, b []schemas.MeasureRow) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

// vals is a row's Values.
func vals(v ...float64) (out [schemas.MaxValues]float64) {
	copy(out[:], v)
	return out
}

// The valid fixture's content, as ingest must type and order it.
var wantValid = map[string][]schemas.MeasureRow{
	"372-U1517-C": {
		{Depth: 0.025, Section: "1H-1", Offset: 2.5, Values: vals(1.512), Principal: "nannofossil ooze"},
		{Depth: 0.025, Section: "1H-1", Offset: 2.5, Values: vals(1.512), Principal: "nannofossil ooze"},
		{Depth: 0.05, Section: "1H-1", Offset: 5, Values: vals(1.53), Principal: "nannofossil ooze"},
		{Depth: 0.075, Section: "1H-1", Offset: 7.5, Values: vals(1.498), Principal: "clay"},
	},
	"368X-U1503-A": {
		{Depth: 9.51, Section: "2R-CC", Offset: 1, Values: vals(2.41), Principal: "basalt"},
		{Depth: 9.525, Section: "2R-1", Offset: 2.5, Values: vals(2.433), Principal: "basalt"},
	},
}

// Every well-formed variant of the same rows (BOM and CRLF, every field
// quoted, columns reversed plus an unknown column, a bare quote inside an
// unquoted comment) gives identical tables,
// whether rows stay in memory or spill, and whatever the chunk size.
func TestValidVariants(t *testing.T) {
	ref, _, _, err := ingestFile(t, "valid.csv", Config{})
	if err != nil {
		t.Fatal(err)
	}
	for b, want := range wantValid {
		if got := readRows(t, schemas.GRAFile, ref[b]); !reflect.DeepEqual(got, want) {
			t.Errorf("%s rows:\n got %+v\nwant %+v", b, got, want)
		}
	}
	if len(ref) != len(wantValid) {
		t.Errorf("partitions %d, want %d", len(ref), len(wantValid))
	}
	cases := []struct {
		file      string
		spillRows int
		chunk     int
	}{
		{"valid.csv", 0, 7},
		{"valid.csv", 2, 0},
		{"bom_crlf.csv", 0, 0},
		{"bom_crlf.csv", 1, 13},
		{"quoted.csv", 0, 0},
		{"quoted.csv", 3, 50},
		{"reordered.csv", 0, 0},
		{"stray_quote.csv", 0, 0},
		{"stray_quote.csv", 0, 40},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			if c.chunk > 0 {
				old := chunkSize
				chunkSize = c.chunk
				defer func() { chunkSize = old }()
			}
			parts, rej, st, err := ingestFile(t, c.file, Config{SpillRows: c.spillRows, TempDir: t.TempDir(), Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			if st.Rows != 6 || st.Kept != 6 || st.Duplicates != 1 || st.Boreholes != 2 {
				t.Errorf("stats %+v", st)
			}
			if strings.Count(rej, "\n") != 1 {
				t.Errorf("rejects, want header only:\n%s", rej)
			}
			for b, want := range ref {
				if !bytes.Equal(parts[b], want) {
					t.Errorf("%s: table differs from valid.csv's", b)
				}
			}
		})
	}
}

// Files that are not usable LILY CSV fail with an error naming the file
// and the problem, and put nothing.
func TestMalformedFiles(t *testing.T) {
	cases := []struct {
		file   string
		want   string
		header bool // a problem of the header line
	}{
		{"missing_column.csv", `missing_column.csv: missing required column "Principal"`, true},
		{"semicolon.csv", `semicolon.csv: line 1: wrong delimiter: the header is separated by ";"`, true},
		{"garbage.bin", "garbage.bin: not a CSV file", true},
		{"empty.csv", "empty.csv: empty file", true},
		{"truncated.csv", "truncated.csv: truncated file: the last line 8 ends early", false},
		{"truncated_quote.csv", "truncated_quote.csv: truncated file: the last line 6 ends early (unterminated quoted field)", false},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			parts, _, _, err := ingestFile(t, c.file, Config{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
			if len(parts) != 0 {
				t.Errorf("put %d partitions from a failed file", len(parts))
			}
			// Header-level problems are also what CheckHeader reports.
			if c.header {
				f, _ := os.Open(filepath.Join("testdata", c.file))
				defer f.Close()
				if err := CheckHeader(c.file, f, schemas.GRAFile); err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("CheckHeader: %v, want %q", err, c.want)
				}
			}
		})
	}
	f, _ := os.Open(filepath.Join("testdata", "valid.csv"))
	defer f.Close()
	if err := CheckHeader("valid.csv", f, schemas.GRAFile); err != nil {
		t.Errorf("CheckHeader(valid.csv): %v", err)
	}
}

// Unusable rows are kept in the rejects table with line, column, reason
// and raw value; usable rows around them are kept.
func TestRejects(t *testing.T) {
	parts, rej, st, err := ingestFile(t, "bad_cells.csv", Config{})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(rej)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	const gra = "Bulk density (GRA)"
	want := [][]string{
		schemas.RejectColumns,
		{"bad_cells.csv", "3", gra, ReasonEmpty, ""},
		{"bad_cells.csv", "4", gra, ReasonNonFinite, "NaN"},
		{"bad_cells.csv", "5", gra, ReasonNumber, "abc"},
		{"bad_cells.csv", "6", gra, ReasonNonFinite, "1e999"},
		{"bad_cells.csv", "7", "Depth CSF-A (m)", ReasonDepth, ""},
		{"bad_cells.csv", "8", "Principal", ReasonPrincipal, ""},
		{"bad_cells.csv", "9", "Hole", ReasonBorehole, ""},
		{"bad_cells.csv", "12", "", ReasonFieldCount, "372,U1517,C,1,H,1,,7.5,0.075,0.075"},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("rejects:\n got %q\nwant %q", recs, want)
	}
	if st.Rows != 11 || st.Kept != 3 || st.RejectCount() != 8 || st.Rejected[ReasonNonFinite] != 2 {
		t.Errorf("stats %+v", st)
	}
	if got := len(readRows(t, schemas.GRAFile, parts["372-U1517-C"])); got != 2 {
		t.Errorf("372-U1517-C kept %d rows, want 2", got)
	}
	if got := len(readRows(t, schemas.GRAFile, parts["368X-U1503-A"])); got != 1 {
		t.Errorf("368X-U1503-A kept %d rows, want 1", got)
	}
}

// A file with other instruments' columns only is refused by name.
func TestWrongInstrument(t *testing.T) {
	_, _, _, err := ingestFile(t, "valid.csv", Config{Spec: schemas.RGBFile})
	if err == nil || !strings.Contains(err.Error(), `valid.csv: missing required column "R"`) {
		t.Fatalf("error %v", err)
	}
}

// The fast decimal path gives exactly strconv.ParseFloat's value, and
// declines what it cannot do exactly.
func TestFastDecimal(t *testing.T) {
	cases := []struct {
		in string
		ok bool
	}{
		{"0", true}, {"-0", true}, {"1.512", true}, {"-3.25", true}, {"+7", true}, {"0.005", true},
		{"12345.678901234", true}, {"123456789012345", true}, {"0.000000000000000000001", true},
		{"1234567890123456", false}, {"1e5", false}, {"NaN", false}, {".", false}, {"-", false},
		{"1.2.3", false}, {"0x10", false}, {"1_000", false}, {"0.00000000000000000000001", false},
	}
	for _, c := range cases {
		got, ok := fastDecimal([]byte(c.in))
		if ok != c.ok {
			t.Errorf("fastDecimal(%q) ok=%v, want %v", c.in, ok, c.ok)
			continue
		}
		if want, _ := strconv.ParseFloat(c.in, 64); ok && math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("fastDecimal(%q) = %v, ParseFloat %v", c.in, got, want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		s := strconv.FormatFloat((r.Float64()-0.5)*math.Pow(10, float64(r.IntN(12)-4)), 'f', r.IntN(9), 64)
		got, ok := fastDecimal([]byte(s))
		want, _ := strconv.ParseFloat(s, 64)
		if ok && math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("fastDecimal(%q) = %v, ParseFloat %v", s, got, want)
		}
	}
}

// The eight-bytes-at-a-time splitter finds the same fields and field
// counts as the general quote-aware one.
func TestSplitPlainMatchesGeneral(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte("a,1.5,,xyz ,-,0,,,,ab")
	for range 20000 {
		nf := 1 + r.IntN(12)
		l := &layout{nfields: nf, maxCol: r.IntN(nf)}
		var rec []byte
		for range r.IntN(60) {
			rec = append(rec, alphabet[r.IntN(len(alphabet))])
		}
		fast := newParser(l, newStrtab())
		gotReason := fast.splitPlain(rec)
		var all [][]byte
		splitAll(rec, func(_ int, f []byte) { all = append(all, append([]byte(nil), f...)) })
		wantReason := ""
		if len(all) != nf {
			wantReason = ReasonFieldCount
		}
		if gotReason != wantReason {
			t.Fatalf("%q with %d fields: reason %q, want %q", rec, nf, gotReason, wantReason)
		}
		if wantReason == "" {
			for i := 0; i <= l.maxCol; i++ {
				if !bytes.Equal(fast.field(i), all[i]) {
					t.Fatalf("%q field %d: %q, want %q", rec, i, fast.field(i), all[i])
				}
			}
		}
	}
	for _, c := range []struct{ in, out string }{{"", ""}, {" a ", "a"}, {"a", "a"}, {"\u00a01", "1"}, {"\t", ""}} {
		if got := string(trim([]byte(c.in))); got != c.out {
			t.Errorf("trim(%q) = %q, want %q", c.in, got, c.out)
		}
	}
}

func TestLastBoundary(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{
		{"a,b\nc,d\ne", 7},
		{"a,b", -1},
		{"a,\"x\ny\"\nc", 7},              // quoted newline skipped
		{"a,\"x\ny\",\"open\nmore", -1},   // newline inside a closed field is not a boundary
		{"a,\"x\ny\"\nb,\"open\nmore", 7}, // last boundary before the open field
		{"a,5\" pipe\nb,c\nd", 13},        // a bare quote mid-field is literal
		{"a,\"q\"\"\nstill\"\nx", 13},     // doubled quote inside quotes
		{"a,\"ends with quote\"", -1},     // undecidable at the end
		{"\"h\nx\"\n\"y", 5},              // quoted field at record start
	}
	for _, c := range cases {
		if got := lastBoundary([]byte(c.in)); got != c.want {
			t.Errorf("lastBoundary(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

// A measurement taken along several columns (PWC's velocity directions)
// is the mean of the directions a row has, found by header name whatever
// their order, and each direction is kept, null where empty or NaN (not
// measured); a row without any, or with an unreadable one, is rejected
// with its reason. Core catchers, lettered expeditions and duplicated
// rows are as in any file.
func TestParts(t *testing.T) {
	parts, rej, st, err := ingestFile(t, "pwc.csv", Config{Spec: schemas.PWCFile})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]schemas.MeasureRow{
		"372-U1517-C": {
			// vp, then x, y, z, unknown
			{Depth: 0.30, Section: "1H-1", Offset: 30, Values: vals(1520.5, 1520.5, nan, nan, nan), Principal: "nannofossil ooze"},
			{Depth: 1.90, Section: "1H-2", Offset: 40, Values: vals(1540, nan, nan, 1540, nan), Principal: "nannofossil ooze"},
			{Depth: 3.75, Section: "1H-3", Offset: 75, Values: vals((1600+1610+1620.5)/3.0, 1600, 1610, 1620.5, nan), Principal: "clay"},
			{Depth: 4.70, Section: "1H-4", Offset: 20, Values: vals(1580, nan, nan, nan, 1580), Principal: "clay"},
			{Depth: 5.40, Section: "1H-4", Offset: 90, Values: vals(1555, nan, nan, 1555, nan), Principal: "clay"},
		},
		"368X-U1503-A": {
			{Depth: 9.60, Section: "2R-CC", Offset: 10, Values: vals(4500, 4500, 4600, 4400, nan), Principal: "basalt"},
			{Depth: 9.60, Section: "2R-CC", Offset: 10, Values: vals(4500, 4500, 4600, 4400, nan), Principal: "basalt"},
		},
	}
	for b, rows := range want {
		if got := readRows(t, schemas.PWCFile, parts[b]); !sameRows(got, rows) {
			t.Errorf("%s rows:\n got %+v\nwant %+v", b, got, rows)
		}
	}
	all := strings.Join(schemas.PWCFile.Measures[0].Columns(), "|")
	wantRej := [][]string{
		schemas.RejectColumns,
		{"pwc.csv", "7", all, ReasonNoValue, ""},
		{"pwc.csv", "8", "P-wave velocity y (m/s)", ReasonNumber, "abc"},
		{"pwc.csv", "9", "P-wave velocity x (m/s)", ReasonNonFinite, "Inf"},
		{"pwc.csv", "12", all, ReasonNoValue, ""},
	}
	if recs, err := csv.NewReader(strings.NewReader(rej)).ReadAll(); err != nil || !reflect.DeepEqual(recs, wantRej) {
		t.Errorf("rejects:\n got %q (%v)\nwant %q", recs, err, wantRej)
	}
	if st.Rows != 11 || st.Kept != 7 || st.Duplicates != 1 || st.Boreholes != 2 ||
		st.Rejected[ReasonNoValue] != 2 || st.Rejected[ReasonNumber] != 1 || st.Rejected[ReasonNonFinite] != 1 {
		t.Errorf("stats %+v", st)
	}
}

// A file of three measurements fills Values[0:3] in declaration order; a row
// with any of them empty or NaN is rejected.
func TestThreeMeasures(t *testing.T) {
	parts, rej, st, err := ingestFile(t, "mad.csv", Config{Spec: schemas.MADFile})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readRows(t, schemas.MADFile, parts["379T-U1532-A"]), []schemas.MeasureRow{
		{Depth: 20.2, Section: "3H-2", Offset: 70, Values: vals(64.1, 2.70, 1.63), Principal: "nannofossil ooze"},
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("rows %+v, want %+v", got, want)
	}
	if got := readRows(t, schemas.MADFile, parts["379T-U1532-B"]); len(got) != 1 || got[0].Values[2] != 1.37 {
		t.Errorf("hole B rows %+v", got)
	}
	wantRej := [][]string{
		schemas.RejectColumns,
		{"mad.csv", "3", "Grain density (g/cm^3)", ReasonEmpty, ""},
		{"mad.csv", "4", "Bulk density (g/cm^3)", ReasonNonFinite, "NaN"},
	}
	if recs, err := csv.NewReader(strings.NewReader(rej)).ReadAll(); err != nil || !reflect.DeepEqual(recs, wantRej) {
		t.Errorf("rejects:\n got %q (%v)\nwant %q", recs, err, wantRej)
	}
	if st.Rows != 4 || st.Kept != 2 {
		t.Errorf("stats %+v", st)
	}
}

// Every declared file's full header passes the check; without any one of
// its required columns (a PWC direction included) it fails naming it.
func TestEveryFileHeader(t *testing.T) {
	for _, spec := range schemas.LILYFiles {
		cols := spec.Columns()
		if err := CheckHeader(spec.FileName, strings.NewReader(strings.Join(cols, ",")+"\n"), spec); err != nil {
			t.Errorf("%s: %v", spec.FileName, err)
		}
		for _, req := range spec.Required() {
			var kept []string
			for _, c := range cols {
				if c != req {
					kept = append(kept, c)
				}
			}
			err := CheckHeader(spec.FileName, strings.NewReader(strings.Join(kept, ",")+"\n"), spec)
			if want := spec.FileName + `: missing required column "` + req + `"`; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("without %q: %v, want %q", req, err, want)
			}
		}
	}
}

// Depths outside [MinDepth, MaxDepth] and Exp/Site/Hole cells that cannot
// name a borehole are rejected row by row with line, column and reason;
// the rows around them, and the bounds themselves, are kept. A value with
// control characters is written quoted.
func TestRangeAndIDRejects(t *testing.T) {
	parts, rej, st, err := ingestFile(t, "bad_ids_depths.csv", Config{})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(rej)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	const depth = "Depth CSF-A (m)"
	long := "372-U1517-" + strings.Repeat("x", 191)
	want := [][]string{
		schemas.RejectColumns,
		{"bad_ids_depths.csv", "3", depth, ReasonDepthRange, "2e18"},
		{"bad_ids_depths.csv", "4", depth, ReasonDepthRange, "1e300"},
		{"bad_ids_depths.csv", "5", depth, ReasonDepthRange, "-11"},
		{"bad_ids_depths.csv", "6", depth, ReasonDepthRange, "10000.5"},
		{"bad_ids_depths.csv", "7", "Hole", ReasonBoreholeID, "C/D"},
		{"bad_ids_depths.csv", "8", "Site", ReasonBoreholeID, `U15\17`},
		{"bad_ids_depths.csv", "9", "Exp", ReasonBoreholeID, `"372\x1b[31m"`},
		{"bad_ids_depths.csv", "10", "Exp|Site|Hole", ReasonBoreholeID, long[:120] + "…"},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("rejects:\n got %q\nwant %q", recs, want)
	}
	if st.Rows != 13 || st.Kept != 5 || st.Boreholes != 3 || st.Rejected[ReasonDepthRange] != 4 || st.Rejected[ReasonBoreholeID] != 4 {
		t.Errorf("stats %+v", st)
	}
	for b, n := range map[string]int{"372-U1517-C": 3, "368X-U1503-A": 1, long[:len(long)-1]: 1} {
		if got := len(readRows(t, schemas.GRAFile, parts[b])); got != n {
			t.Errorf("%.20s: kept %d rows, want %d", b, got, n)
		}
	}
	if s := summary(st); !strings.Contains(s, "depth out of range 4, invalid borehole ID 4") {
		t.Errorf("summary %q", s)
	}
}

// A file without a usable row fails naming the file and why, instead of
// an empty table that surfaces stages later as "no training rows".
func TestNoUsableRows(t *testing.T) {
	cases := []struct{ file, want string }{
		{"all_rejected.csv", "all_rejected.csv: no usable rows: all 3 rows rejected (depth out of range 1, invalid borehole ID 1, missing depth 1)"},
		{"header_only.csv", "header_only.csv: no data rows after the header"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			parts, _, _, err := ingestFile(t, c.file, Config{})
			if err == nil || err.Error() != c.want {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if len(parts) != 0 {
				t.Errorf("put %d partitions", len(parts))
			}
		})
	}
}

// byName reads a table with parquet-go's generic reader, not the
// writer's layout: its column names, and each row as column → value (a
// string, a float64 or, for a null, nil).
func byName(t *testing.T, table []byte) ([]string, []map[string]any) {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(table), int64(len(table)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, path := range f.Schema().Columns() {
		names = append(names, strings.Join(path, "."))
	}
	r := parquet.NewReader(f)
	defer r.Close()
	var rows []map[string]any
	buf := make([]parquet.Row, 1)
	for {
		n, err := r.ReadRows(buf)
		if n == 1 {
			m := map[string]any{}
			for _, v := range buf[0] {
				switch {
				case v.IsNull():
					m[names[v.Column()]] = nil
				case v.Kind() == parquet.Double:
					m[names[v.Column()]] = v.Double()
				default:
					m[names[v.Column()]] = string(v.ByteArray())
				}
			}
			rows = append(rows, m)
		}
		if err == io.EOF {
			return names, rows
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Each instrument's table has its own columns, named as declared in
// schemas.LILYFiles, with the borehole in every row and nulls, not
// zeros, where a row has no value: PWC's directions not measured, an
// offset that is empty or unreadable, a section in a file without Core,
// Type and Sect. Rows that differ only there keep the order they had
// when a missing offset read as 0 (bin's sums depend on it).
func TestColumnsByName(t *testing.T) {
	cases := []struct {
		file    string
		spec    *schemas.LILYFile
		columns string
		want    map[string][]map[string]any
	}{
		{"pwc.csv", schemas.PWCFile, "borehole depth_m section offset_cm vp vp_x vp_y vp_z vp_unknown principal", map[string][]map[string]any{
			"372-U1517-C": {
				{"borehole": "372-U1517-C", "depth_m": 0.30, "section": "1H-1", "offset_cm": 30.0, "vp": 1520.5,
					"vp_x": 1520.5, "vp_y": nil, "vp_z": nil, "vp_unknown": nil, "principal": "nannofossil ooze"},
				{"borehole": "372-U1517-C", "depth_m": 1.90, "section": "1H-2", "offset_cm": 40.0, "vp": 1540.0,
					"vp_x": nil, "vp_y": nil, "vp_z": 1540.0, "vp_unknown": nil, "principal": "nannofossil ooze"},
				{"borehole": "372-U1517-C", "depth_m": 3.75, "section": "1H-3", "offset_cm": 75.0, "vp": (1600 + 1610 + 1620.5) / 3.0,
					"vp_x": 1600.0, "vp_y": 1610.0, "vp_z": 1620.5, "vp_unknown": nil, "principal": "clay"},
				{"borehole": "372-U1517-C", "depth_m": 4.70, "section": "1H-4", "offset_cm": 20.0, "vp": 1580.0,
					"vp_x": nil, "vp_y": nil, "vp_z": nil, "vp_unknown": 1580.0, "principal": "clay"},
				{"borehole": "372-U1517-C", "depth_m": 5.40, "section": "1H-4", "offset_cm": 90.0, "vp": 1555.0,
					"vp_x": nil, "vp_y": nil, "vp_z": 1555.0, "vp_unknown": nil, "principal": "clay"},
			},
		}},
		{"mad.csv", schemas.MADFile, "borehole depth_m section offset_cm porosity grain_density bulk_density principal", map[string][]map[string]any{
			"379T-U1532-A": {{"borehole": "379T-U1532-A", "depth_m": 20.2, "section": "3H-2", "offset_cm": 70.0,
				"porosity": 64.1, "grain_density": 2.70, "bulk_density": 1.63, "principal": "nannofossil ooze"}},
		}},
		{"no_section.csv", schemas.GRAFile, "borehole depth_m section offset_cm gra principal", map[string][]map[string]any{
			"372-U1517-C": {
				{"borehole": "372-U1517-C", "depth_m": 0.025, "section": nil, "offset_cm": 2.5, "gra": 1.4, "principal": "clay"},
				{"borehole": "372-U1517-C", "depth_m": 0.05, "section": nil, "offset_cm": nil, "gra": 1.5, "principal": "clay"},
				{"borehole": "372-U1517-C", "depth_m": 0.1, "section": nil, "offset_cm": nil, "gra": 1.65, "principal": "silty clay"},
				{"borehole": "372-U1517-C", "depth_m": 0.1, "section": nil, "offset_cm": nil, "gra": 1.7, "principal": "silty clay"},
				{"borehole": "372-U1517-C", "depth_m": 0.1, "section": nil, "offset_cm": 0.0, "gra": 1.7, "principal": "silty clay"},
			},
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			parts, _, _, err := ingestFile(t, c.file, Config{Spec: c.spec})
			if err != nil {
				t.Fatal(err)
			}
			for b, want := range c.want {
				names, rows := byName(t, parts[b])
				if got := strings.Join(names, " "); got != c.columns {
					t.Errorf("%s columns %q, want %q", b, got, c.columns)
				}
				if !reflect.DeepEqual(rows, want) {
					t.Errorf("%s rows:\n got %v\nwant %v", b, rows, want)
				}
			}
		})
	}
}
