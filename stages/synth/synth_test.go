package synth

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"litho/schemas"
	"litho/stages/ingest"
)

func writeDir(t *testing.T, n int, seed int64) string {
	t.Helper()
	dir := t.TempDir()
	if err := WriteDir(context.Background(), dir, n, seed); err != nil {
		t.Fatal(err)
	}
	return dir
}

// sharedHoles boreholes (seed 2) are generated once for the tests that
// only read them.
const sharedHoles = 16

var shared struct {
	once sync.Once
	dir  string
	err  error
}

func sharedDir(t *testing.T) string {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "synth-test-")
		if shared.err == nil {
			shared.err = WriteDir(context.Background(), shared.dir, sharedHoles, 2)
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// The same seed writes byte-identical files; another seed does not.
func TestDeterministic(t *testing.T) {
	a, b, c := writeDir(t, 8, 7), writeDir(t, 8, 7), writeDir(t, 8, 8)
	for _, f := range schemas.LILYFiles {
		fa, err := os.ReadFile(filepath.Join(a, f.FileName))
		if err != nil {
			t.Fatal(err)
		}
		fb, _ := os.ReadFile(filepath.Join(b, f.FileName))
		fc, _ := os.ReadFile(filepath.Join(c, f.FileName))
		if len(fa) < 1000 {
			t.Errorf("%s: only %d bytes", f.FileName, len(fa))
		}
		if !bytes.Equal(fa, fb) {
			t.Errorf("%s differs between two runs with seed 7", f.FileName)
		}
		if bytes.Equal(fa, fc) {
			t.Errorf("%s is the same for seeds 7 and 8", f.FileName)
		}
	}
}

func TestBadBoreholeCount(t *testing.T) {
	if err := WriteDir(context.Background(), t.TempDir(), 0, 1); err == nil || !strings.Contains(err.Error(), "boreholes must be at least 1") {
		t.Fatalf("error %v", err)
	}
}

// facts gathers what the generated files show, reading them as CSV.
type facts struct {
	rows       int
	boreholes  map[string]bool
	exps       map[string]bool
	sects      map[string]bool
	types      map[string]bool
	emptyAW    int
	nanCells   int
	emptyCells int
	principal  map[string]int
}

func readFacts(t *testing.T, path string, f *schemas.LILYFile) facts {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	r := csv.NewReader(file)
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s is not valid CSV: %v", path, err)
	}
	head := recs[0]
	if strings.Join(head, "|") != strings.Join(f.Columns(), "|") {
		t.Fatalf("%s header %q", path, head)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	fs := facts{boreholes: map[string]bool{}, exps: map[string]bool{}, sects: map[string]bool{}, types: map[string]bool{}, principal: map[string]int{}}
	for _, rec := range recs[1:] {
		fs.rows++
		fs.boreholes[rec[col["Exp"]]+"-"+rec[col["Site"]]+"-"+rec[col["Hole"]]] = true
		fs.exps[rec[col["Exp"]]] = true
		fs.sects[rec[col["Sect"]]] = true
		fs.types[rec[col["Type"]]] = true
		if rec[col["A/W"]] == "" {
			fs.emptyAW++
		}
		// A blemished row has NaN in a measured cell, or no value at all
		// (PWC leaves the directions it did not measure empty).
		nan, empty := false, true
		for _, m := range f.Measures {
			for _, c := range m.Columns() {
				nan = nan || rec[col[c]] == "NaN"
				empty = empty && rec[col[c]] == ""
			}
		}
		if nan {
			fs.nanCells++
		}
		if empty {
			fs.emptyCells++
		}
		fs.principal[rec[col["Principal"]]]++
	}
	return fs
}

// The generated files carry what makes the real ones hard: lettered
// expeditions, core-catcher sections, empty A/W, empty and NaN cells,
// every core type, no RGB for old expeditions, and labels from
// neighbouring terms.
func TestLooksLikeLILY(t *testing.T) {
	dir := sharedDir(t)
	f := make([]facts, len(schemas.LILYFiles))
	for i, spec := range schemas.LILYFiles {
		f[i] = readFacts(t, filepath.Join(dir, spec.FileName), spec)
	}
	gra, rgb := f[iGRA], f[iRGB]
	if len(gra.boreholes) != sharedHoles {
		t.Errorf("GRA has %d boreholes, want %d", len(gra.boreholes), sharedHoles)
	}
	if len(rgb.boreholes) >= len(gra.boreholes) || len(rgb.boreholes) == 0 {
		t.Errorf("RGB in %d of %d boreholes: want some but not all", len(rgb.boreholes), len(gra.boreholes))
	}
	for exp := range rgb.exps {
		if exp < "346" {
			t.Errorf("expedition %s predates the colour track but has RGB", exp)
		}
	}
	lettered := false
	for exp := range gra.exps {
		lettered = lettered || strings.ContainsAny(exp, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	}
	if !lettered {
		t.Errorf("no expedition with a letter among %v", gra.exps)
	}
	if !gra.sects["CC"] {
		t.Error("no core-catcher section")
	}
	for _, code := range []string{"H", "X", "R"} {
		if !gra.types[code] {
			t.Errorf("no core of type %s among %v", code, gra.types)
		}
	}
	// The discrete files are small (a few rows per section): they show
	// the blemishes together.
	var lab facts
	for i, fs := range f {
		spec := schemas.LILYFiles[i]
		if spec.Discrete {
			lab.emptyAW += fs.emptyAW
			lab.nanCells += fs.nanCells
			lab.emptyCells += fs.emptyCells
			continue
		}
		if fs.emptyAW == 0 || fs.nanCells == 0 || fs.emptyCells == 0 || fs.principal[""] == 0 {
			t.Errorf("%s: blemishes missing: empty A/W %d, NaN %d, empty %d, empty Principal %d",
				spec.FileName, fs.emptyAW, fs.nanCells, fs.emptyCells, fs.principal[""])
		}
	}
	if lab.emptyAW == 0 || lab.nanCells == 0 || lab.emptyCells == 0 {
		t.Errorf("MAD, PWC, TCON: blemishes missing: empty A/W %d, NaN %d, empty %d", lab.emptyAW, lab.nanCells, lab.emptyCells)
	}
	// Neighbouring terms: some clay is described as mud or silty clay.
	if gra.principal["clay"] == 0 || gra.principal["mud"]+gra.principal["silty clay"] == 0 {
		t.Errorf("no clay/mud/silty clay labels: %v", gra.principal)
	}
}

// Ingest reads the generated files, rejects exactly the blemished rows it
// must, and notices the duplicates.
func TestIngestsCleanly(t *testing.T) {
	dir := writeDir(t, 10, 3)
	var rows, rejected, dups int64 // of the small discrete files, together
	for _, spec := range schemas.LILYFiles {
		file, err := os.Open(filepath.Join(dir, spec.FileName))
		if err != nil {
			t.Fatal(err)
		}
		rejects, _ := ingest.NewRejects(new(bytes.Buffer))
		st, err := ingest.File(context.Background(), ingest.Config{Spec: spec, Name: spec.FileName, TempDir: t.TempDir()}, file, rejects, nil,
			func(context.Context, string, []byte) error { return nil })
		file.Close()
		if err != nil {
			t.Fatalf("%s: %v", spec.FileName, err)
		}
		want := map[string]bool{ingest.ReasonEmpty: true, ingest.ReasonNonFinite: true, ingest.ReasonPrincipal: true}
		if spec == schemas.PWCFile { // a blemished direction leaves the row none
			want = map[string]bool{ingest.ReasonNoValue: true, ingest.ReasonPrincipal: true}
		}
		for reason := range st.Rejected {
			if !want[reason] {
				t.Errorf("%s: unexpected reject reason %q (%d rows)", spec.FileName, reason, st.Rejected[reason])
			}
		}
		if spec.Discrete {
			rows, rejected, dups = rows+st.Rows, rejected+st.RejectCount(), dups+st.Duplicates
			continue
		}
		checkRejects(t, spec.FileName, st.Rows, st.RejectCount(), st.Duplicates)
	}
	checkRejects(t, "MAD, PWC, TCON", rows, rejected, dups)
}

// checkRejects wants a few rejected and a few duplicate rows.
func checkRejects(t *testing.T, name string, rows, rejected, dups int64) {
	t.Helper()
	if frac := float64(rejected) / float64(rows); frac > 0.01 || rejected == 0 {
		t.Errorf("%s: %d of %d rows rejected", name, rejected, rows)
	}
	if dups == 0 {
		t.Errorf("%s: no duplicate rows", name)
	}
}

// BenchmarkGenerate formats the default 60 boreholes (all nine files),
// discarding bytes.
func BenchmarkGenerate(b *testing.B) {
	var n countWriter
	for range b.N {
		n = 0
		ws := make([]io.Writer, len(schemas.LILYFiles))
		for i := range ws {
			ws[i] = &n
		}
		if err := Generate(context.Background(), 60, 1, ws); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(n))
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// rowsOf reads one generated file as maps from column name to cell.
func rowsOf(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		m := make(map[string]string, len(rec))
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// The generated measurements show the physics DESIGN.md §2 describes:
// GRA low at section ends and in rotary cores, light oozes and dark
// clays, more NGR in clay than in ooze, heavy-tailed MS.
func TestPhysicalTrends(t *testing.T) {
	dir := sharedDir(t)
	num := func(m map[string]string, col string) (float64, bool) {
		v, err := strconv.ParseFloat(m[col], 64)
		return v, err == nil && !math.IsNaN(v) && math.Abs(v) < 5000
	}
	var ends, middle, rotary, piston []float64
	for _, m := range rowsOf(t, filepath.Join(dir, "GRA_DataLITH.csv")) {
		g, ok := num(m, "Bulk density (GRA)")
		off, ok2 := num(m, "Offset (cm)")
		l := catalog[m["Principal"]]
		if !ok || !ok2 || l == nil {
			continue
		}
		switch {
		case off < 2:
			ends = append(ends, g)
		case off > 25 && off < 125:
			middle = append(middle, g)
		}
		switch m["Type"] {
		case "R":
			rotary = append(rotary, g-l.gra)
		case "H":
			piston = append(piston, g-l.gra)
		}
	}
	if r := mean(ends) / mean(middle); !(r < 0.93) {
		t.Errorf("GRA at section starts / mid-section = %.3f, want < 0.93", r)
	}
	if d := median(rotary); !(d > -0.5 && d < -0.1) {
		t.Errorf("rotary cores: median GRA minus the lithology's density %.3f, want 0.1–0.5 low", d)
	}
	if d := median(piston); !(d > -0.1 && d < 0.3) {
		t.Errorf("piston cores: median GRA minus the lithology's density %.3f", d)
	}
	byLabel := func(file, col string) map[string][]float64 {
		out := map[string][]float64{}
		for _, m := range rowsOf(t, filepath.Join(dir, file)) {
			if v, ok := num(m, col); ok {
				out[m["Principal"]] = append(out[m["Principal"]], v)
			}
		}
		return out
	}
	red, ngr, ms := byLabel("RGB_DataLITH.csv", "R"), byLabel("NGR_DataLITH.csv", "NGR total counts (cps)"), byLabel("MS_DataLITH.csv", "Magnetic susceptibility (instr. units)")
	if o, c := median(red["nannofossil ooze"]), median(red["clay"]); !(o > 1.5*c) {
		t.Errorf("median R: ooze %.0f, clay %.0f: want ooze much lighter", o, c)
	}
	if o, c := median(ngr["nannofossil ooze"]), median(ngr["clay"]); !(c > 1.4*o) {
		t.Errorf("median NGR: ooze %.1f, clay %.1f: want clay higher", o, c)
	}
	if c := ms["clay"]; !(mean(c) > 1.1*median(c)) {
		t.Errorf("clay MS mean %.1f, median %.1f: want a heavy upper tail", mean(c), median(c))
	}
}
