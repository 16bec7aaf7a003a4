package bin

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"litho/schemas"
	"litho/stages/stagetest"
	"litho/stages/synth"
)

// ingestTables runs the real ingest over the LILY files of dir and
// returns each instrument's table per borehole.
func ingestTables(t testing.TB, dir string) map[string]map[string][]byte {
	t.Helper()
	out := map[string]map[string][]byte{} // borehole → instrument → table
	var mu sync.Mutex
	err := stagetest.IngestDir(context.Background(), dir, t.TempDir(), func(_ context.Context, spec *schemas.LILYFile, b string, table []byte) error {
		mu.Lock() // put runs on several goroutines
		defer mu.Unlock()
		if out[b] == nil {
			out[b] = map[string][]byte{}
		}
		out[b][spec.Instrument] = table
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ingestDir is ingestTables' rows, read back by column name.
func ingestDir(t testing.TB, dir string) map[string]map[string][]schemas.MeasureRow {
	t.Helper()
	out := map[string]map[string][]schemas.MeasureRow{} // borehole → instrument → rows
	for b, tables := range ingestTables(t, dir) {
		out[b] = map[string][]schemas.MeasureRow{}
		for inst, table := range tables {
			spec, _ := schemas.LILYFileFor(inst)
			tab, err := schemas.ReadMeasures(table, spec)
			if err != nil {
				t.Fatal(err)
			}
			out[b][inst] = tab.Rows
		}
	}
	return out
}

// defaults are the bin kind's parameters.
func defaults() Params { return Kind().Params.(Params) }

// four are the production model's instruments.
var four = []string{"gra", "ms", "ngr", "rgb"}

// The fixture's bins recomputed by hand: bin 0 holds depths 0.000–0.100
// (0.100/0.2 = 0.5 rounds to even 0), bin 2 holds 0.400–0.500 (2.5 → 2).
// Bin 1 has no NGR, bin 3's mean GRA is 0.1 (filtered), bin 4 has no MS,
// bin 6's mean R is 300 (filtered).
func TestComputeByHand(t *testing.T) {
	data := ingestDir(t, "testdata")
	rgb := []string{"gra", "ms", "ngr", "r", "g", "b"}
	cases := []struct {
		name        string
		instruments []string
		borehole    string
		features    []string
		want        []schemas.BinRow
	}{
		{"all four", four, "1-U1-A", rgb, []schemas.BinRow{
			{Borehole: "1-U1-A", Bin: 0, Depth: 0,
				Values: []float64{mean(1.50, 1.60, 1.70, 1.80), mean(10.0, 14), mean(20.0, 22),
					mean(100.0, 110, 120), mean(90.0, 95, 100), mean(80.0, 80, 83)},
				Principal: "clay", // 2 ooze, 2 clay: the tie goes to the alphabetically first
				Counts:    []int32{4, 2, 2, 3}},
			{Borehole: "1-U1-A", Bin: 2, Depth: depth(2),
				Values:    []float64{mean(2.20, 2.10), mean(-3.0, 5), 30, mean(50.0, 52), mean(40.0, 44), mean(30.0, 31)},
				Principal: "sand", Counts: []int32{2, 2, 1, 2}},
		}},
		{"no RGB in the borehole", four, "2-U2-B", rgb, nil},
		{"GRA alone", []string{"gra"}, "1-U1-A", []string{"gra"}, []schemas.BinRow{
			{Borehole: "1-U1-A", Bin: 0, Depth: 0, Values: []float64{mean(1.50, 1.60, 1.70, 1.80)}, Principal: "clay", Counts: []int32{4}},
			{Borehole: "1-U1-A", Bin: 1, Depth: depth(1), Values: []float64{mean(2.00, 1.90)}, Principal: "clay", Counts: []int32{2}},
			{Borehole: "1-U1-A", Bin: 2, Depth: depth(2), Values: []float64{mean(2.20, 2.10)}, Principal: "sand", Counts: []int32{2}},
			{Borehole: "1-U1-A", Bin: 4, Depth: depth(4), Values: []float64{1.30}, Principal: "silt", Counts: []int32{1}},
			{Borehole: "1-U1-A", Bin: 6, Depth: depth(6), Values: []float64{1.55}, Principal: "silt", Counts: []int32{1}},
		}},
		// The join's order is the declarations', whatever the list's: GRA
		// comes first and gives the label.
		{"MS listed first", []string{"ms", "gra"}, "1-U1-A", []string{"gra", "ms"}, []schemas.BinRow{
			{Borehole: "1-U1-A", Bin: 0, Depth: 0, Values: []float64{mean(1.50, 1.60, 1.70, 1.80), 12}, Principal: "clay", Counts: []int32{4, 2}},
			{Borehole: "1-U1-A", Bin: 1, Depth: depth(1), Values: []float64{mean(2.00, 1.90), 20}, Principal: "clay", Counts: []int32{2, 1}},
			{Borehole: "1-U1-A", Bin: 2, Depth: depth(2), Values: []float64{mean(2.20, 2.10), 1}, Principal: "sand", Counts: []int32{2, 2}},
			{Borehole: "1-U1-A", Bin: 6, Depth: depth(6), Values: []float64{1.55, 30}, Principal: "silt", Counts: []int32{1, 1}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Compute(c.borehole, defaults(), c.instruments, data[c.borehole])
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Features, c.features) {
				t.Errorf("features %v, want %v", got.Features, c.features)
			}
			// %v prints floats in their shortest exact form.
			if g, w := fmt.Sprintf("%+v", got.Rows), fmt.Sprintf("%+v", c.want); g != w {
				t.Errorf("bins:\n got %s\nwant %s", g, w)
			}
		})
	}
}

// Round half to even on float64, as numpy does: x.5 goes to the even
// neighbour, and decimal depths that are not exactly representable round
// by their binary value.
func TestIndex(t *testing.T) {
	cases := []struct {
		depth, size float64
		want        int64
	}{
		{0.1, 0.2, 0},   // 0.5 → 0
		{0.3, 0.2, 1},   // 1.4999999999999998
		{0.5, 0.2, 2},   // 2.5 → 2
		{0.9, 0.2, 4},   // 4.5 → 4
		{1.1, 0.2, 6},   // 5.500000000000001
		{0.7, 0.2, 3},   // 3.4999999999999996
		{-0.1, 0.2, 0},  // -0.5 → -0
		{-0.3, 0.2, -1}, // -1.4999999999999998
		{12.345, 0.5, 25},
		{0.25, 0.5, 0}, // 0.5 → 0
		{0.75, 0.5, 2}, // 1.5 → 2
	}
	for _, c := range cases {
		if got := Index(c.depth, c.size); got != c.want {
			t.Errorf("Index(%v, %v) = %d, want %d", c.depth, c.size, got, c.want)
		}
	}
}

func TestParamErrors(t *testing.T) {
	ok := defaults()
	cases := []struct {
		p           Params
		instruments []string
		want        string
	}{
		{Params{Size: 0, Label: LabelMode}, four, "parameter size"},
		{Params{Size: math.Inf(1), Label: LabelMode}, four, "parameter size"},
		{Params{Size: 0.2, Label: "median"}, four, `parameter label: must be one of [mode first], got "median"`},
		{Params{Size: -1}, four, "parameter label"},
		{ok, nil, "no instrument to bin"},
		{ok, []string{"gra", "xrf"}, `unknown instrument "xrf"`},
		{ok, []string{"gra", "gra"}, `"gra" listed twice`},
	}
	for _, c := range cases {
		_, err := Compute("b", c.p, c.instruments, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v %v: error %v, want %q", c.p, c.instruments, err, c.want)
		}
	}
}

// mean is pandas' groupby mean (pandas/_libs/groupby.pyx, group_mean):
// a Kahan-compensated sum in row order over the count. It and depth use
// float64 arithmetic at run time, as binning does (Go would evaluate
// constant expressions exactly).
func mean(v ...float64) float64 {
	sum, comp := 0.0, 0.0
	for _, x := range v {
		y := x - comp
		t := sum + y
		comp = t - sum - y
		sum = t
	}
	return sum / float64(len(v))
}

func depth(bin int64) float64 {
	size := 0.2
	return float64(bin) * size
}

// On generated data, the bins of each borehole are exactly the bin keys
// present in every joined instrument whose means pass the declared
// ranges, counted here with maps instead of the merge join.
func TestBinCountIsJoinedKeysAfterFilter(t *testing.T) {
	dir := t.TempDir()
	if err := synth.WriteDir(context.Background(), dir, 8, 4); err != nil {
		t.Fatal(err)
	}
	data := ingestDir(t, dir)
	cases := []struct {
		instruments []string
		least       int // bins over all boreholes, for the check to prove something
	}{
		{four, 100},
		{[]string{"gra", "rsc", "msp"}, 0},
		{[]string{"mad", "pwc", "tcon"}, 0},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.instruments, "+"), func(t *testing.T) {
			total := 0
			for borehole, tables := range data {
				got, err := Compute(borehole, defaults(), c.instruments, tables)
				if err != nil {
					t.Fatal(err)
				}
				want := joinedKeys(tables, c.instruments, defaults().Size)
				if len(got.Rows) != want {
					t.Errorf("%s: %d bins, want %d", borehole, len(got.Rows), want)
				}
				for i := 1; i < len(got.Rows); i++ {
					if got.Rows[i].Bin <= got.Rows[i-1].Bin {
						t.Errorf("%s: bins out of order at %d", borehole, i)
					}
				}
				total += want
			}
			if total < c.least {
				t.Errorf("only %d bins over the generated boreholes: the check proves little", total)
			}
		})
	}
}

// joinedKeys counts the bins present in every instrument's rows whose
// means lie in the declared ranges.
func joinedKeys(tables map[string][]schemas.MeasureRow, instruments []string, size float64) int {
	type acc struct {
		sum [3]float64
		n   int
	}
	perInst := map[string]map[int64]*acc{}
	for _, inst := range instruments {
		perInst[inst] = map[int64]*acc{}
		for _, r := range tables[inst] {
			k := int64(math.RoundToEven(r.Depth / size))
			a := perInst[inst][k]
			if a == nil {
				a = &acc{}
				perInst[inst][k] = a
			}
			for i := range a.sum {
				a.sum[i] += r.Values[i]
			}
			a.n++
		}
	}
	want := 0
keys:
	for k := range perInst[instruments[0]] {
		for _, inst := range instruments {
			a := perInst[inst][k]
			if a == nil {
				continue keys
			}
			f, _ := schemas.LILYFileFor(inst)
			for i, m := range f.Measures {
				if v := a.sum[i] / float64(a.n); v < m.Min || v > m.Max {
					continue keys
				}
			}
		}
		want++
	}
	return want
}

// The column reader gives the fields binning uses exactly as the generic
// row reader does, over several row groups and pages: depth, the
// measurements (not PWC's directions) and the label.
func TestReadMeasures(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	labels := []string{"clay", "nannofossil ooze", "basalt", ""}
	rows := make([]schemas.MeasureRow, 150000)
	for i := range rows {
		rows[i] = schemas.MeasureRow{Depth: float64(i) * 0.025, Section: "1H-CC", Offset: float64(i % 150),
			Values:    [schemas.MaxValues]float64{r.NormFloat64(), r.Float64() * 255, -r.Float64(), r.Float64(), math.NaN()},
			Principal: labels[r.IntN(len(labels))]}
	}
	for _, spec := range []*schemas.LILYFile{schemas.GRAFile, schemas.RGBFile, schemas.PWCFile} {
		b, err := schemas.WriteMeasures(&schemas.MeasureTable{File: spec, Borehole: "372-U1517-C", Rows: rows})
		if err != nil {
			t.Fatal(err)
		}
		got, err := readMeasures(b, spec)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(rows) {
			t.Fatalf("%d rows, want %d", len(got), len(rows))
		}
		for i, w := range rows {
			want := schemas.MeasureRow{Depth: w.Depth, Principal: w.Principal}
			copy(want.Values[:], w.Values[:len(spec.Measures)]) // the other columns stay unread
			if got[i] != want {
				t.Fatalf("%s, row %d: %+v, want %+v", spec.Instrument, i, got[i], want)
			}
		}
		if _, err := readMeasures(b, schemas.MADFile); err == nil || !strings.Contains(err.Error(), "no required column porosity") {
			t.Errorf("%s table read as MAD: error %v", spec.Instrument, err)
		}
	}
	if _, err := readMeasures([]byte("not parquet"), schemas.GRAFile); err == nil {
		t.Error("garbage read without error")
	}
}

// A depth whose bin would not fit an int64 (which ingest no longer
// lets through) fails naming the borehole, the instrument and the
// depth, instead of becoming bin −2⁶³.
func TestIndexOverflow(t *testing.T) {
	for _, depth := range []float64{2e18, -2e18, 1e300, math.Inf(1), math.NaN()} {
		gra := [schemas.MaxValues]float64{1.5}
		tables := map[string][]schemas.MeasureRow{"gra": {{Depth: 1, Values: gra, Principal: "clay"}, {Depth: depth, Values: gra, Principal: "clay"}}}
		_, err := Compute("372-U1517-C", defaults(), []string{"gra"}, tables)
		want := fmt.Sprintf("borehole 372-U1517-C: gra: depth %v m at bin size 0.2 m: bin index out of range", depth)
		if err == nil || err.Error() != want {
			t.Errorf("depth %v: error %v, want %q", depth, err, want)
		}
	}
}
