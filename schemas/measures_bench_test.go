package schemas_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"litho/schemas"
)

// BenchmarkWriteMeasures encodes a GRA table and a PWC table of 100,000
// rows (a long borehole's GRA log), as ingest does per borehole.
func BenchmarkWriteMeasures(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	labels := []string{"clay", "nannofossil ooze", "silty clay"}
	rows := make([]schemas.MeasureRow, 100_000)
	for i := range rows {
		rows[i] = schemas.MeasureRow{Depth: float64(i) * 0.025, Section: "12H-3", Offset: float64(i % 150),
			Values:    [schemas.MaxValues]float64{1.5 + r.Float64(), 1500, math.NaN(), math.NaN(), math.NaN()},
			Principal: labels[i/1000%3]}
	}
	for _, spec := range []*schemas.LILYFile{schemas.GRAFile, schemas.PWCFile} {
		b.Run(spec.Instrument, func(b *testing.B) {
			t := &schemas.MeasureTable{File: spec, Borehole: "372-U1517-C", Rows: rows}
			for b.Loop() {
				if _, err := schemas.WriteMeasures(t); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
