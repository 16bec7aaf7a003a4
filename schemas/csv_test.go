package schemas

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// exportCSV converts b and reads the result back with encoding/csv, a
// reader independent of the writer's formatting.
func exportCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := ParquetToCSV(&buf, b); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// floats parses cells as float32, as the Parquet column holds them.
func floats(t *testing.T, cells []string) []float32 {
	t.Helper()
	out := make([]float32, len(cells))
	for i, c := range cells {
		f, err := strconv.ParseFloat(c, 32)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = float32(f)
	}
	return out
}

func TestScaledCSVNamesFeatureColumns(t *testing.T) {
	tab := &ScaledTable{Features: []string{"gra@-1", "gra", "ms"}, Rows: []ScaledRow{
		{Borehole: "U1", Bin: 1, Depth: 0.2, Split: "train", Principal: "clay", X: []float32{1, 2.5e-7, 3}},
		{Borehole: "U1, A", Bin: 2, Depth: 0.4, Split: "val", Principal: "ooze", X: []float32{-1, 0.1, 1.0 / 3}},
	}}
	b, err := WriteScaled(tab)
	if err != nil {
		t.Fatal(err)
	}
	recs := exportCSV(t, b)
	want := "borehole,bin,depth_m,split,principal,gra@-1,gra,ms"
	if got := strings.Join(recs[0], ","); got != want {
		t.Fatalf("header %s, want %s", got, want)
	}
	for i, r := range tab.Rows {
		rec := recs[i+1]
		depth, _ := strconv.ParseFloat(rec[2], 64)
		if rec[0] != r.Borehole || rec[1] != strconv.FormatInt(r.Bin, 10) || depth != r.Depth ||
			rec[3] != r.Split || rec[4] != r.Principal || !slices.Equal(floats(t, rec[5:]), r.X) {
			t.Errorf("row %d: CSV %q, Parquet %+v", i, rec, r)
		}
	}
}

func TestLatentCSVNamesZColumns(t *testing.T) {
	rows := []LatentRow{
		{Borehole: "U1", Bin: 1, Depth: 0.2, Split: "test", Principal: "clay", Z: []float32{0.5, -2, 1e-3}},
		{Borehole: "U2", Bin: 7, Depth: 1.4, Split: "test", Principal: "", Z: []float32{3, 4, 5}},
	}
	named, err := WriteLatent(rows, 3)
	if err != nil {
		t.Fatal(err)
	}
	// A latent table written before the metadata gets the same names.
	plain, err := WriteParquet(rows)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"with metadata": named, "without": plain} {
		recs := exportCSV(t, b)
		if got := strings.Join(recs[0][5:], ","); got != "z0,z1,z2" {
			t.Errorf("%s: z columns %s", name, got)
		}
		for i, r := range rows {
			if got := floats(t, recs[i+1][5:]); !slices.Equal(got, r.Z) {
				t.Errorf("%s: row %d z %v, want %v", name, i, got, r.Z)
			}
		}
	}
}

func TestCSVRefusesRaggedLists(t *testing.T) {
	b, err := WriteParquet([]LatentRow{{Z: []float32{1, 2}}, {Z: []float32{1}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ParquetToCSV(&bytes.Buffer{}, b); err == nil || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("ragged lists: %v", err)
	}
	if _, err := WriteLatent([]LatentRow{{Z: []float32{1}}}, 2); err == nil {
		t.Error("WriteLatent took a row of the wrong width")
	}
}
