package schemas

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestScaledTableRoundTrip(t *testing.T) {
	tab := &ScaledTable{Features: []string{"gra@-1", "gra", "gra@+1"}, Rows: []ScaledRow{
		{Borehole: "U1", Bin: 1, Depth: 0.2, Split: "train", Principal: "clay", X: []float32{1, 2, 3}},
		{Borehole: "U1", Bin: 2, Depth: 0.4, Split: "train", Principal: "ooze", X: []float32{-1, 0, 0.5}},
	}}
	b, err := WriteScaled(tab)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadScaled(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, tab) {
		t.Errorf("read back %+v, want %+v", back, tab)
	}
	again, _ := WriteScaled(back)
	if !bytes.Equal(again, b) {
		t.Error("equal tables gave different bytes")
	}
}

func TestScaledTableErrors(t *testing.T) {
	plain, err := WriteParquet([]ScaledRow{{Borehole: "U1", X: []float32{1}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadScaled(plain); err == nil || !strings.Contains(err.Error(), FeaturesKey) {
		t.Errorf("table without names: error %v, want one naming %s", err, FeaturesKey)
	}
	short := &ScaledTable{Features: []string{"gra", "ms"}, Rows: []ScaledRow{{Borehole: "U1", Bin: 7, X: []float32{1}}}}
	if _, err := WriteScaled(short); err == nil || !strings.Contains(err.Error(), "bin 7") {
		t.Errorf("short row: error %v, want one naming the bin", err)
	}
}
