package bin

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"litho/schemas"
	"litho/stages/stagetest"
	"litho/stages/synth"
)

// ingestDir runs the real ingest over the four CSV files of dir and
// returns each instrument's rows per borehole, read back from Parquet.
func ingestDir(t testing.TB, dir string) map[string]map[string][]schemas.MeasureRow {
	t.Helper()
	out := map[string]map[string][]schemas.MeasureRow{} // borehole → instrument → rows
	var mu sync.Mutex
	err := stagetest.IngestDir(context.Background(), dir, t.TempDir(), func(_ context.Context, spec *schemas.LILYFile, b string, table []byte) error {
		rows, err := schemas.ReadParquet[schemas.MeasureRow](table)
		if err != nil {
			return err
		}
		mu.Lock() // put runs on several goroutines
		defer mu.Unlock()
		if out[b] == nil {
			out[b] = map[string][]schemas.MeasureRow{}
		}
		out[b][spec.Instrument] = rows
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func defaults(instruments ...string) Params {
	if len(instruments) == 0 {
		instruments = Instruments
	}
	return Params{Size: 0.2, Instruments: instruments, GRAMin: 0.3, GRAMax: 4, RGBMin: 0, RGBMax: 255}
}

// The fixture's bins recomputed by hand: bin 0 holds depths 0.000–0.100
// (0.100/0.2 = 0.5 rounds to even 0), bin 2 holds 0.400–0.500 (2.5 → 2).
// Bin 1 has no NGR, bin 3's mean GRA is 0.1 (filtered), bin 4 has no MS,
// bin 6's mean R is 300 (filtered).
func TestComputeByHand(t *testing.T) {
	data := ingestDir(t, "testdata")
	cases := []struct {
		name        string
		instruments []string
		borehole    string
		want        []schemas.BinRow
	}{
		{"all four", nil, "1-U1-A", []schemas.BinRow{
			{Borehole: "1-U1-A", Bin: 0, Depth: 0,
				GRA: mean(1.50, 1.60, 1.70, 1.80), MS: mean(10.0, 14), NGR: mean(20.0, 22),
				R: mean(100.0, 110, 120), G: mean(90.0, 95, 100), B: mean(80.0, 80, 83),
				Principal: "clay", // 2 ooze, 2 clay: the tie goes to the alphabetically first
				NGRA:      4, NMS: 2, NNGR: 2, NRGB: 3},
			{Borehole: "1-U1-A", Bin: 2, Depth: depth(2),
				GRA: mean(2.20, 2.10), MS: mean(-3.0, 5), NGR: 30,
				R: mean(50.0, 52), G: mean(40.0, 44), B: mean(30.0, 31),
				Principal: "sand", NGRA: 2, NMS: 2, NNGR: 1, NRGB: 2},
		}},
		{"no RGB in the borehole", nil, "2-U2-B", nil},
		{"GRA alone", []string{"gra"}, "1-U1-A", []schemas.BinRow{
			{Borehole: "1-U1-A", Bin: 0, Depth: 0, GRA: mean(1.50, 1.60, 1.70, 1.80), Principal: "clay", NGRA: 4},
			{Borehole: "1-U1-A", Bin: 1, Depth: depth(1), GRA: mean(2.00, 1.90), Principal: "clay", NGRA: 2},
			{Borehole: "1-U1-A", Bin: 2, Depth: depth(2), GRA: mean(2.20, 2.10), Principal: "sand", NGRA: 2},
			{Borehole: "1-U1-A", Bin: 4, Depth: depth(4), GRA: 1.30, Principal: "silt", NGRA: 1},
			{Borehole: "1-U1-A", Bin: 6, Depth: depth(6), GRA: 1.55, Principal: "silt", NGRA: 1},
		}},
		{"MS first gives the label", []string{"ms", "gra"}, "1-U1-A", []schemas.BinRow{
			{Borehole: "1-U1-A", Bin: 0, Depth: 0, GRA: mean(1.50, 1.60, 1.70, 1.80), MS: 12, Principal: "clay", NGRA: 4, NMS: 2},
			{Borehole: "1-U1-A", Bin: 1, Depth: depth(1), GRA: mean(2.00, 1.90), MS: 20, Principal: "clay", NGRA: 2, NMS: 1},
			{Borehole: "1-U1-A", Bin: 2, Depth: depth(2), GRA: mean(2.20, 2.10), MS: 1, Principal: "sand", NGRA: 2, NMS: 2},
			{Borehole: "1-U1-A", Bin: 6, Depth: depth(6), GRA: 1.55, MS: 30, Principal: "silt", NGRA: 1, NMS: 1},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Compute(c.borehole, defaults(c.instruments...), data[c.borehole])
			if err != nil {
				t.Fatal(err)
			}
			fillUnlisted(c.want, defaults(c.instruments...).Instruments)
			// %v prints floats in their shortest exact form and NaN as NaN.
			if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", c.want); g != w {
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
	cases := []struct {
		p    Params
		want string
	}{
		{Params{Size: 0, Instruments: Instruments}, "parameter size"},
		{Params{Size: math.Inf(1), Instruments: Instruments}, "parameter size"},
		{Params{Size: 0.2}, "parameter instruments: list at least one"},
		{Params{Size: 0.2, Instruments: []string{"gra", "xrf"}}, `unknown instrument "xrf"`},
		{Params{Size: 0.2, Instruments: []string{"gra", "gra"}}, `"gra" listed twice`},
	}
	for _, c := range cases {
		_, err := Compute("b", c.p, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.p, err, c.want)
		}
	}
}

// fillUnlisted sets the features of instruments not listed to NaN, as
// Compute leaves them.
func fillUnlisted(rows []schemas.BinRow, listed []string) {
	has := map[string]bool{}
	for _, inst := range listed {
		has[inst] = true
	}
	for i := range rows {
		r := &rows[i]
		for inst, fs := range map[string][]*float64{"gra": {&r.GRA}, "ms": {&r.MS}, "ngr": {&r.NGR}, "rgb": {&r.R, &r.G, &r.B}} {
			if !has[inst] {
				for _, f := range fs {
					*f = math.NaN()
				}
			}
		}
	}
}

// mean and depth use float64 arithmetic at run time, as binning does (Go
// would evaluate constant expressions exactly).
func mean(v ...float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func depth(bin int64) float64 {
	size := 0.2
	return float64(bin) * size
}

// On generated data, the bins of each borehole are exactly the bin keys
// present in every instrument whose means pass the range filters,
// counted here with maps instead of the merge join.
func TestBinCountIsJoinedKeysAfterFilter(t *testing.T) {
	dir := t.TempDir()
	if err := synth.WriteDir(context.Background(), dir, 8, 4); err != nil {
		t.Fatal(err)
	}
	data := ingestDir(t, dir)
	p := defaults()
	total := 0
	for borehole, tables := range data {
		got, err := Compute(borehole, p, tables)
		if err != nil {
			t.Fatal(err)
		}
		type acc struct {
			sum [3]float64
			n   int
		}
		perInst := map[string]map[int64]*acc{}
		for _, inst := range p.Instruments {
			perInst[inst] = map[int64]*acc{}
			for _, r := range tables[inst] {
				k := int64(math.RoundToEven(r.Depth / p.Size))
				a := perInst[inst][k]
				if a == nil {
					a = &acc{}
					perInst[inst][k] = a
				}
				a.sum[0] += r.V0
				a.sum[1] += r.V1
				a.sum[2] += r.V2
				a.n++
			}
		}
		want := 0
	keys:
		for k, g := range perInst["gra"] {
			for _, inst := range p.Instruments {
				if perInst[inst][k] == nil {
					continue keys
				}
			}
			if m := g.sum[0] / float64(g.n); m < 0.3 || m > 4 {
				continue
			}
			c := perInst["rgb"][k]
			for i := range 3 {
				if m := c.sum[i] / float64(c.n); m < 0 || m > 255 {
					continue keys
				}
			}
			want++
		}
		if len(got) != want {
			t.Errorf("%s: %d bins, want %d", borehole, len(got), want)
		}
		for i := 1; i < len(got); i++ {
			if got[i].Bin <= got[i-1].Bin {
				t.Errorf("%s: bins out of order at %d", borehole, i)
			}
		}
		total += want
	}
	if total < 100 {
		t.Errorf("only %d bins over the generated boreholes: the check proves little", total)
	}
}

// The column reader gives the fields binning uses exactly as the generic
// row reader does, over several row groups and pages.
func TestReadMeasures(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	labels := []string{"clay", "nannofossil ooze", "basalt", ""}
	rows := make([]schemas.MeasureRow, 150000)
	for i := range rows {
		rows[i] = schemas.MeasureRow{Depth: float64(i) * 0.025, Section: "1H-CC", V0: r.NormFloat64(), V1: r.Float64() * 255,
			V2: -r.Float64(), Principal: labels[r.IntN(len(labels))]}
	}
	b, err := schemas.WriteParquet(rows)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readMeasures(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("%d rows, want %d", len(got), len(rows))
	}
	for i, w := range rows {
		w.Section = ""
		if got[i] != w {
			t.Fatalf("row %d: %+v, want %+v", i, got[i], w)
		}
	}
	if _, err := readMeasures([]byte("not parquet")); err == nil {
		t.Error("garbage read without error")
	}
}
