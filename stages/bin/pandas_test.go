package bin

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"litho/schemas"
)

// seedBins recomputes the bins of the LILY files in dir as the seed's
// pandas code does, straight from the CSV text and sharing no code with
// the package:
//
//	df["bin"] = np.round(df["Depth CSF-A (m)"] / size)
//	g = df.groupby(["borehole", "bin"]).agg(mean of each measurement,
//	        Principal = x.mode()[0] or x.iloc[0], n = size)
//	bins = g[instruments[0]].merge(g[...], on=["borehole", "bin"])  # inner
//	bins = bins[each feature within its declared range]
//
// It returns each borehole's rows. The fixtures are clean and sorted by
// depth, so the CSV's row order is ingest's.
func seedBins(t *testing.T, dir string, instruments []string, size float64, label string) map[string][]schemas.BinRow {
	t.Helper()
	var files []*schemas.LILYFile
	for _, f := range schemas.LILYFiles { // the declarations' order, as the stage joins
		if slices.Contains(instruments, f.Instrument) {
			files = append(files, f)
		}
	}
	groups := make([]map[string]map[int64]*seedGroup, len(files))
	for i, f := range files {
		groups[i] = groupCSV(t, filepath.Join(dir, f.FileName), f, size)
	}
	out := map[string][]schemas.BinRow{}
	for borehole, bins := range groups[0] {
		keys := slices.Sorted(func(yield func(int64) bool) {
			for k := range bins {
				if !yield(k) {
					return
				}
			}
		})
	keys:
		for _, k := range keys {
			row := schemas.BinRow{Borehole: borehole, Bin: k, Depth: float64(k) * size, Principal: bins[k].label(label)}
			for i, f := range files {
				g := groups[i][borehole][k]
				if g == nil {
					continue keys // the inner join
				}
				for j, m := range f.Measures {
					v := kahanMean(g.values[j])
					if !(v >= m.Min && v <= m.Max) {
						continue keys
					}
					row.Values = append(row.Values, v)
				}
				row.Counts = append(row.Counts, int32(len(g.labels)))
			}
			out[borehole] = append(out[borehole], row)
		}
	}
	return out
}

// seedGroup is one (borehole, bin) group of one file: each measurement's
// values and the labels, in row order.
type seedGroup struct {
	values [3][]float64
	labels []string
}

// label is pandas' x.mode()[0] (the sorted most frequent values, the
// first of them) or, for "first", x.iloc[0].
func (g *seedGroup) label(rule string) string {
	if rule == LabelFirst {
		return g.labels[0]
	}
	n := map[string]int{}
	most := 0
	for _, l := range g.labels {
		n[l]++
		most = max(most, n[l])
	}
	var modes []string
	for l, c := range n {
		if c == most {
			modes = append(modes, l)
		}
	}
	slices.Sort(modes)
	return modes[0]
}

// groupCSV reads one clean LILY file by header name into groups.
func groupCSV(t *testing.T, path string, f *schemas.LILYFile, size float64) map[string]map[int64]*seedGroup {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range recs[0] {
		col[name] = i
	}
	out := map[string]map[int64]*seedGroup{}
	for _, r := range recs[1:] {
		borehole := r[col[schemas.ColExp]] + "-" + r[col[schemas.ColSite]] + "-" + r[col[schemas.ColHole]]
		k := numpyRound(parse(t, r[col[schemas.ColDepth]]) / size)
		if out[borehole] == nil {
			out[borehole] = map[int64]*seedGroup{}
		}
		g := out[borehole][k]
		if g == nil {
			g = &seedGroup{}
			out[borehole][k] = g
		}
		for j, m := range f.Measures {
			g.values[j] = append(g.values[j], rowValue(t, r, col, m))
		}
		g.labels = append(g.labels, r[col[schemas.ColPrincipal]])
	}
	return out
}

// rowValue is a measurement of one row; with alternate columns (PWC's
// directions), the mean of those the row has, as df[cols].mean(axis=1).
func rowValue(t *testing.T, r []string, col map[string]int, m schemas.Measurement) float64 {
	sum, n := 0.0, 0
	for _, c := range m.Columns() {
		if s := r[col[c]]; s != "" {
			sum += parse(t, s)
			n++
		}
	}
	if n == 0 {
		t.Fatalf("fixture row %v has no %s", r, m.Column)
	}
	return sum / float64(n)
}

func parse(t *testing.T, s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// numpyRound rounds half to even by comparing the fraction, not through
// math.RoundToEven as the package does.
func numpyRound(x float64) int64 {
	fl := math.Floor(x)
	switch frac := x - fl; {
	case frac > 0.5, frac == 0.5 && math.Mod(fl, 2) != 0:
		return int64(fl) + 1
	}
	return int64(fl)
}

// kahanMean is pandas' group_mean (pandas/_libs/groupby.pyx): a
// compensated sum in row order over the count.
func kahanMean(v []float64) float64 { return mean(v...) }

// plainMean is the naive sum over the count, which pandas does not use.
func plainMean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// Binning every kind of file matches the seed's pandas method computed
// from the CSV text: continuous tracks (RSC, MSP), discrete samples at
// 5 cm (MAD, and the MAD model's join), PWC's velocity from whichever
// direction a row has, the first or the most frequent label, and the
// declared ranges dropping the bins a sentinel reaches. bins and labels
// are worked out by hand from the fixture (testdata, borehole 3-U3-C).
func TestMatchesSeedMethod(t *testing.T) {
	data := ingestDir(t, "testdata")
	const bh = "3-U3-C"
	cases := []struct {
		name        string
		instruments []string
		size        float64
		label       string
		bins        []int64  // of 3-U3-C
		labels      []string // of those bins
	}{
		// Bin 1 is a tie of clay and silty clay (first: silty clay); bin
		// 2's a* mean is pulled below −60 by a −9999 sentinel.
		{"RSC", []string{"rsc"}, 0.2, LabelMode, []int64{0, 1, 3}, []string{"nannofossil ooze", "clay", "silt"}},
		{"RSC, first row's label", []string{"rsc"}, 0.2, LabelFirst, []int64{0, 1, 3}, []string{"nannofossil ooze", "silty clay", "sand"}},
		{"RSC with GRA, whose labels win", []string{"rsc", "gra"}, 0.2, LabelMode, []int64{0, 1, 3}, []string{"nannofossil ooze", "mud", "sand"}},
		// A 99999 sentinel in bin 3.
		{"MSP", []string{"msp"}, 0.2, LabelMode, []int64{0, 1, 2}, []string{"clay", "clay", "clay"}},
		// Depths on 5 cm edges: 0.025 → 0, 0.075 → 1, 0.125 → 2,
		// 0.275 → 6, 0.325 → 6; bin 1 ties clay and basalt, bin 9's
		// grain density is implausible.
		{"MAD at 5 cm", []string{"mad"}, 0.05, LabelMode, []int64{0, 1, 2, 3, 6, 10},
			[]string{"nannofossil ooze", "basalt", "clay", "clay", "silt", "sand"}},
		{"MAD at 5 cm, first row's label", []string{"mad"}, 0.05, LabelFirst, []int64{0, 1, 2, 3, 6, 10},
			[]string{"nannofossil ooze", "clay", "clay", "clay", "sand", "sand"}},
		// 0.52 is a −9999 m/s sentinel (bin 3, or 10 at 5 cm).
		{"PWC", []string{"pwc"}, 0.2, LabelMode, []int64{0, 1, 2}, []string{"basalt", "clay", "sand"}},
		{"PWC at 5 cm", []string{"pwc"}, 0.05, LabelMode, []int64{0, 1, 2, 6, 9},
			[]string{"nannofossil ooze", "basalt", "clay", "sand", "sand"}},
		{"the MAD model", []string{"mad", "pwc", "tcon"}, 0.05, LabelMode, []int64{1, 6}, []string{"basalt", "silt"}},
		{"all nine", instrumentNames(), 0.2, LabelMode, []int64{0, 1}, []string{"nannofossil ooze", "mud"}},
		{"the production four", four, 0.2, LabelMode, []int64{0, 1, 2, 3}, []string{"nannofossil ooze", "mud", "sand", "sand"}},
	}
	compensated := false
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := seedBins(t, "testdata", c.instruments, c.size, c.label)
			p := Params{Size: c.size, Label: c.label}
			for borehole, tables := range data {
				got, err := Compute(borehole, p, c.instruments, tables)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := fmt.Sprintf("%+v", got.Rows), fmt.Sprintf("%+v", want[borehole]); g != w {
					t.Errorf("%s:\n got %s\nwant %s", borehole, g, w)
				}
				if borehole == bh {
					checkByHand(t, got, c.bins, c.labels)
				}
			}
			compensated = compensated || kahanMatters(t, "testdata", c.instruments, c.size)
		})
	}
	if !compensated {
		t.Error("no fixture bin's Kahan mean differs from the plain one: the tests cannot tell them apart")
	}
}

func checkByHand(t *testing.T, got *schemas.BinTable, bins []int64, labels []string) {
	t.Helper()
	var gotBins []int64
	var gotLabels []string
	for _, r := range got.Rows {
		gotBins = append(gotBins, r.Bin)
		gotLabels = append(gotLabels, r.Principal)
	}
	if !slices.Equal(gotBins, bins) || !slices.Equal(gotLabels, labels) {
		t.Errorf("bins %v labels %q, want %v %q", gotBins, gotLabels, bins, labels)
	}
}

// kahanMatters reports whether some group of the instruments' files has
// a compensated mean that differs from the plain one.
func kahanMatters(t *testing.T, dir string, instruments []string, size float64) bool {
	for _, f := range joined(instruments) {
		for _, bins := range groupCSV(t, filepath.Join(dir, f.FileName), f, size) {
			for _, g := range bins {
				for j := range f.Measures {
					if kahanMean(g.values[j]) != plainMean(g.values[j]) {
						return true
					}
				}
			}
		}
	}
	return false
}
