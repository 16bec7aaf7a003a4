package synth

import (
	"crypto/sha256"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"litho/schemas"
)

// The instrument indexes follow schemas.LILYFiles.
func TestInstrumentOrder(t *testing.T) {
	if len(schemas.LILYFiles) != nInst {
		t.Fatalf("%d LILY files, synth knows %d", len(schemas.LILYFiles), nInst)
	}
	for i, f := range schemas.LILYFiles {
		if got := strings.ToLower(instrumentNames[i][1]); got != f.Instrument {
			t.Errorf("instrument %d is %s, LILYFiles has %s", i, got, f.Instrument)
		}
		if f.Discrete != (sampling[i][0] == 0) {
			t.Errorf("%s: discrete %v, but synth's sampling step is %v", f.FileName, f.Discrete, sampling[i][0])
		}
	}
}

// The GRA, MS, NGR and RGB files keep the bytes synth/2 wrote for a seed
// (digests from commit 9a9195b): adding instruments leaves every stage
// downstream of them cached.
func TestFourFilesUnchanged(t *testing.T) {
	want := map[string]string{
		"gra": "ef7fa041258ef64ad43382f3f3020246616ad20126e2ed450828b60c643e9804",
		"ms":  "75be497457849c11efac9f0cebd85ed191a4291d8b5dd9205d84da3f6c6e9569",
		"ngr": "a8d77488cf07d2b89eae9e3c9b41a12bf3524ccee1431a06d099dfbcde68a370",
		"rgb": "dbd588700166274a9bdd228e901d99a1d437c0141de806224fb0314134961b6a",
	}
	dir := writeDir(t, 5, 1)
	for _, f := range schemas.LILYFiles[:4] {
		b, err := os.ReadFile(filepath.Join(dir, f.FileName))
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(b)); got != want[f.Instrument] {
			t.Errorf("%s: sha256 %s, want %s", f.FileName, got, want[f.Instrument])
		}
	}
}

// labRows reads a generated file as cells by column name.
func labRows(t *testing.T, f *schemas.LILYFile) []map[string]string {
	t.Helper()
	return rowsOf(t, filepath.Join(sharedDir(t), f.FileName))
}

func holeOf(m map[string]string) string { return m["Exp"] + "-" + m["Site"] + "-" + m["Hole"] }

func holesOf(rows []map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, m := range rows {
		out[holeOf(m)] = true
	}
	return out
}

// Coverage as in LILY: RSC and MSP (one logger) in most holes; MAD, PWC
// and TCON in a subset of holes, about one MAD sample and one or two
// velocities per section, one conductivity per core.
func TestLabCoverage(t *testing.T) {
	graRows := labRows(t, schemas.GRAFile)
	gra := holesOf(graRows)
	rsc, msp := holesOf(labRows(t, schemas.RSCFile)), holesOf(labRows(t, schemas.MSPFile))
	if len(rsc) != len(msp) || len(rsc) < len(gra)*6/10 {
		t.Errorf("RSC in %d, MSP in %d of %d holes: want the same, most holes", len(rsc), len(msp), len(gra))
	}
	madRows := labRows(t, schemas.MADFile)
	mad := holesOf(madRows)
	if len(mad) == 0 || len(mad) >= len(gra) {
		t.Errorf("MAD in %d of %d holes: want a subset", len(mad), len(gra))
	}
	// Sections of the MAD holes, from GRA's rows.
	sections := map[string]bool{}
	for _, m := range graRows {
		if mad[holeOf(m)] {
			sections[holeOf(m)+" "+m["Core"]+m["Type"]+"-"+m["Sect"]] = true
		}
	}
	perSection := func(rows []map[string]string, key func(m map[string]string) string) (mean float64, most int) {
		spots := map[string]map[string]bool{}
		for _, m := range rows {
			k := key(m)
			if spots[k] == nil {
				spots[k] = map[string]bool{}
			}
			spots[k][m["Offset (cm)"]] = true // duplicates are one sample
		}
		n := 0
		for _, s := range spots {
			n += len(s)
			most = max(most, len(s))
		}
		return float64(n) / float64(len(sections)), most
	}
	section := func(m map[string]string) string { return holeOf(m) + " " + m["Core"] + m["Type"] + "-" + m["Sect"] }
	core := func(m map[string]string) string { return holeOf(m) + " " + m["Core"] }
	if mean, most := perSection(madRows, section); mean < 0.6 || mean > 1 || most > 1 {
		t.Errorf("MAD: %.2f samples per section, at most %d: want about one", mean, most)
	}
	pwcRows := labRows(t, schemas.PWCFile)
	if mean, most := perSection(pwcRows, section); mean < 0.6 || mean > 1.5 || most > 2 {
		t.Errorf("PWC: %.2f per section, at most %d: want one or two", mean, most)
	}
	tconRows := labRows(t, schemas.TCONFile)
	if _, most := perSection(tconRows, core); most > 1 || len(tconRows) == 0 {
		t.Errorf("TCON: %d rows, at most %d per core: want one per core", len(tconRows), most)
	}
	for name, rows := range map[string][]map[string]string{"PWC": pwcRows, "TCON": tconRows} {
		for h := range holesOf(rows) {
			if !mad[h] {
				t.Errorf("%s in hole %s, which has no MAD samples", name, h)
			}
		}
	}
	// Velocity is mostly measured in one direction, on cubes in three.
	dirs := map[int]int{}
	for _, m := range pwcRows {
		n := 0
		for _, c := range schemas.PWCFile.Measures[0].Columns() {
			if m[c] != "" {
				n++
			}
		}
		dirs[n]++
	}
	if dirs[1] < len(pwcRows)*6/10 || dirs[3] == 0 {
		t.Errorf("PWC rows by directions measured: %v of %d: want mostly one, some three", dirs, len(pwcRows))
	}
}

// labValue parses a cell the way a test wants it: finite numbers only.
func labValue(s string) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}

// The lab instruments' values lie within the ranges schemas declares
// (but for the rare sentinel blemish), and MAD's three are consistent:
// bulk density is the mix of grains and pore water.
func TestLabRanges(t *testing.T) {
	for _, f := range schemas.LILYFiles[4:] {
		rows, out, n := labRows(t, f), 0, 0
		for _, m := range rows {
			for _, ms := range f.Measures {
				for _, c := range ms.Columns() {
					if v, ok := labValue(m[c]); ok {
						n++
						if v < ms.Min || v > ms.Max {
							out++
						}
					}
				}
			}
		}
		if n == 0 || float64(out) > 0.002*float64(n) {
			t.Errorf("%s: %d of %d values outside the declared ranges", f.FileName, out, n)
		}
	}
	for _, m := range labRows(t, schemas.MADFile) {
		phi, ok1 := labValue(m["Porosity (vol%)"])
		grain, ok2 := labValue(m["Grain density (g/cm^3)"])
		bulk, ok3 := labValue(m["Bulk density (g/cm^3)"])
		if ok1 && ok2 && ok3 && phi >= 0 && phi <= 100 && grain > 1 && grain < 4 {
			if want := phi/100*rhoWater + (1-phi/100)*grain; math.Abs(bulk-want) > 0.002 {
				t.Errorf("MAD at %s %s: bulk %v, but porosity %v and grain %v give %.3f", holeOf(m), m["Depth CSF-A (m)"], bulk, phi, grain, want)
			}
		}
	}
}

// mediansBy is the median of a column's values per true lithology (the
// Simplified Lithology column, which describers' noise does not touch).
func mediansBy(rows []map[string]string, col string) map[string]float64 {
	vals := map[string][]float64{}
	for _, m := range rows {
		if v, ok := labValue(m[col]); ok && v > -999 && v < 9999 {
			vals[m["Simplified Lithology"]] = append(vals[m["Simplified Lithology"]], v)
		}
	}
	out := map[string]float64{}
	for k, v := range vals {
		out[k] = median(v)
	}
	return out
}

// The lithologies differ as DESIGN.md §2 says: diatom ooze lightest and
// most porous, then nannofossil ooze, then clay; soft sediment slow
// (1500–2000 m/s) and poorly conducting, basalt fast and conducting;
// oozes brighter and less magnetic than clays.
func TestLabLithologies(t *testing.T) {
	const ooze, silic, clay, basalt = "calcareous ooze", "siliceous ooze", "clay", "basalt"
	madRows := labRows(t, schemas.MADFile)
	bulk, phi := mediansBy(madRows, "Bulk density (g/cm^3)"), mediansBy(madRows, "Porosity (vol%)")
	if !(bulk[silic] < bulk[ooze] && bulk[ooze] < bulk[clay] && bulk[clay] < bulk[basalt]) {
		t.Errorf("MAD bulk density medians %v: want siliceous ooze < calcareous ooze < clay < basalt", bulk)
	}
	if !(phi[silic] > phi[ooze] && phi[ooze] > phi[clay] && phi[basalt] < 20) {
		t.Errorf("porosity medians %v", phi)
	}
	vp := mediansBy(labRows(t, schemas.PWCFile), "P-wave velocity x (m/s)")
	for _, l := range []string{ooze, clay} {
		if vp[l] < 1500 || vp[l] > 2000 {
			t.Errorf("%s: median velocity %.0f m/s, want 1500–2000", l, vp[l])
		}
	}
	if vp[basalt] < 4000 || vp[basalt] > 6500 {
		t.Errorf("basalt: median velocity %.0f m/s, want 4000–6500", vp[basalt])
	}
	k := mediansBy(labRows(t, schemas.TCONFile), "Thermal conductivity mean (W/(m*K))")
	for _, l := range []string{ooze, clay} {
		if k[l] < 0.8 || k[l] > 1.5 {
			t.Errorf("%s: median conductivity %.2f, want 0.8–1.5 W/(m·K)", l, k[l])
		}
	}
	if k["limestone"] < k[ooze]+0.4 {
		t.Errorf("conductivity medians %v: want limestone well above ooze", k)
	}
	light := mediansBy(labRows(t, schemas.RSCFile), "Reflectance L*")
	if light[ooze] < light[clay]+10 {
		t.Errorf("L* medians: ooze %.1f, clay %.1f: want ooze much lighter", light[ooze], light[clay])
	}
	msp := mediansBy(labRows(t, schemas.MSPFile), "Magnetic susceptibility (instr. units)")
	if msp[clay] < 2*msp[ooze] || msp[basalt] < 5*msp[clay] {
		t.Errorf("MSP medians %v: want ooze < clay < basalt", msp)
	}
}
