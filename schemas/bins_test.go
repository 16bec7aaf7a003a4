package schemas_test

import (
	"bytes"
	"math"
	"reflect"
	"testing"

	"github.com/parquet-go/parquet-go"

	"litho/schemas"
)

func sampleBins() *schemas.BinTable {
	return &schemas.BinTable{
		Features:    []string{"gra", "rsc_l", "porosity"},
		Instruments: []string{"gra", "rsc", "mad"},
		Rows: []schemas.BinRow{
			{Borehole: "U1", Bin: 3, Depth: 0.6, Principal: "clay", Values: []float64{1.7, 45.5, 61}, Counts: []int32{9, 40, 1}},
			{Borehole: "U1", Bin: 4, Depth: 0.8, Principal: "ooze", Values: []float64{1.6, math.NaN(), 70}, Counts: []int32{8, 0, 2}},
		},
	}
}

// TestBinsRoundTrip: a table reads back as written, NaN included, and
// equal tables give equal bytes.
func TestBinsRoundTrip(t *testing.T) {
	b, err := schemas.WriteBins(sampleBins())
	if err != nil {
		t.Fatal(err)
	}
	again, _ := schemas.WriteBins(sampleBins())
	if !bytes.Equal(b, again) {
		t.Error("equal tables gave different bytes")
	}
	got, err := schemas.ReadBins(b)
	if err != nil {
		t.Fatal(err)
	}
	want := sampleBins()
	if !reflect.DeepEqual(got.Features, want.Features) || !reflect.DeepEqual(got.Instruments, want.Instruments) {
		t.Fatalf("columns: %v %v", got.Features, got.Instruments)
	}
	for i, r := range got.Rows {
		w := want.Rows[i]
		if r.Borehole != w.Borehole || r.Bin != w.Bin || r.Depth != w.Depth || r.Principal != w.Principal ||
			!reflect.DeepEqual(r.Counts, w.Counts) || len(r.Values) != len(w.Values) {
			t.Errorf("row %d: %+v, want %+v", i, r, w)
			continue
		}
		for j, v := range r.Values {
			if v != w.Values[j] && !(math.IsNaN(v) && math.IsNaN(w.Values[j])) {
				t.Errorf("row %d value %s: %v, want %v", i, want.Features[j], v, w.Values[j])
			}
		}
	}
}

// TestBinsColumnsByName: other tools see the features as named columns,
// in the documented order.
func TestBinsColumnsByName(t *testing.T) {
	b, err := schemas.WriteBins(sampleBins())
	if err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range f.Schema().Fields() {
		names = append(names, c.Name())
	}
	want := []string{"borehole", "bin", "depth_m", "gra", "rsc_l", "porosity", "principal", "n_gra", "n_rsc", "n_mad"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("columns %v, want %v", names, want)
	}
}

func TestBinsRejectsBadTables(t *testing.T) {
	for name, tab := range map[string]*schemas.BinTable{
		"reserved name": {Features: []string{"bin"}},
		"count prefix":  {Features: []string{"n_x"}},
		"repeated":      {Features: []string{"gra", "gra"}},
		"short row":     {Features: []string{"gra"}, Rows: []schemas.BinRow{{Borehole: "U1"}}},
	} {
		if _, err := schemas.WriteBins(tab); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
