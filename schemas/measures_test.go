package schemas_test

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"litho/schemas"
)

// Every declared file's ingest columns fit MeasureRow and are distinct,
// from each other and from the fixed columns, and its measurements come
// first: bin reads Values[:len(Measures)].
func TestValueFields(t *testing.T) {
	fixed := []string{"borehole", "depth_m", "section", "offset_cm", "principal"}
	for _, f := range schemas.LILYFiles {
		fields := f.ValueFields()
		if len(fields) > schemas.MaxValues {
			t.Errorf("%s: %d value columns, MaxValues %d", f.FileName, len(fields), schemas.MaxValues)
		}
		seen := map[string]bool{}
		for _, name := range append(fields, fixed...) {
			if seen[name] || name == "" {
				t.Errorf("%s: column %q empty or repeated", f.FileName, name)
			}
			seen[name] = true
		}
		for i, m := range f.Measures {
			if fields[i] != m.Field {
				t.Errorf("%s: value column %d is %s, want measurement %s", f.FileName, i, fields[i], m.Field)
			}
		}
	}
	if got := strings.Join(schemas.PWCFile.ValueFields(), " "); got != "vp vp_x vp_y vp_z vp_unknown" {
		t.Errorf("PWC value columns %q", got)
	}
}

// A table reads back as written, nulls (NaN offsets and parts, empty
// sections) included; equal tables give equal bytes; a table read as
// another instrument's fails naming the column it lacks.
func TestMeasuresRoundTrip(t *testing.T) {
	nan := math.NaN()
	table := func() *schemas.MeasureTable {
		return &schemas.MeasureTable{File: schemas.PWCFile, Borehole: "368X-U1503-A", Rows: []schemas.MeasureRow{
			{Depth: 9.6, Section: "2R-CC", Offset: 10, Values: [5]float64{4500, 4500, 4600, 4400, nan}, Principal: "basalt"},
			{Depth: 9.7, Offset: nan, Values: [5]float64{1550, nan, nan, nan, 1550}, Principal: "clay"},
		}}
	}
	b, err := schemas.WriteMeasures(table())
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := schemas.WriteMeasures(table()); !bytes.Equal(b, again) {
		t.Error("equal tables gave different bytes")
	}
	got, err := schemas.ReadMeasures(b, schemas.PWCFile)
	if err != nil {
		t.Fatal(err)
	}
	want := table()
	if got.Borehole != want.Borehole || fmt.Sprint(got.Rows) != fmt.Sprint(want.Rows) {
		t.Errorf("read back %s %v, want %s %v", got.Borehole, got.Rows, want.Borehole, want.Rows)
	}
	if _, err := schemas.ReadMeasures(b, schemas.GRAFile); err == nil || !strings.Contains(err.Error(), "no required column gra") {
		t.Errorf("PWC table read as GRA: error %v", err)
	}
	var csv bytes.Buffer
	if err := schemas.ParquetToCSV(&csv, b); err != nil {
		t.Fatal(err)
	}
	wantCSV := "borehole,depth_m,section,offset_cm,vp,vp_x,vp_y,vp_z,vp_unknown,principal\n" +
		"368X-U1503-A,9.6,2R-CC,10,4500,4500,4600,4400,,basalt\n" +
		"368X-U1503-A,9.7,,,1550,,,,1550,clay\n"
	if csv.String() != wantCSV {
		t.Errorf("CSV export:\n%s\nwant\n%s", csv.String(), wantCSV)
	}
}
