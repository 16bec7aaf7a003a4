package synth

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"litho/schemas"
)

// Instrument indexes, in schemas.LILYFiles order.
const (
	iGRA = iota
	iMS
	iNGR
	iRGB
	iRSC
	iMSP
	iMAD
	iPWC
	iTCON
	nInst
)

// Sampling step and first offset per continuous instrument, cm (GRA and
// MS on the whole-round logger, NGR every 10 cm, the colour line scan
// averaged every 0.5 cm, colour reflectance and point susceptibility on
// the section-half logger); MAD, PWC and TCON are discrete samples.
var sampling = [nInst][2]float64{{2.5, 1.25}, {2.5, 1.25}, {10, 5}, {0.5, 0.25}, {2.5, 1.25}, {3, 1.5}}

var instrumentNames = [nInst][2]string{{"WRMSL", "GRA"}, {"WRMSL", "MS"}, {"NGR", "NGR"}, {"SHIL", "RGB"},
	{"SHMSL", "RSC"}, {"SHMSL", "MSP"}, {"MADMAX", "MAD"}, {"GANTRY", "PWC"}, {"TK04", "TCON"}}

// archiveHalf instruments measure the archive half ("A"); the others the
// working half ("W") or the whole round (A/W empty).
var archiveHalf = [nInst]bool{iRGB: true, iRSC: true, iMSP: true}

// Rates of the real files' blemishes, per row.
const (
	pEmpty   = 0.001  // empty measurement cell
	pNaN     = 0.0007 // "NaN" in a measurement cell
	pAbsurd  = 0.0002 // a value no instrument could read
	pNoLabel = 0.0003 // empty Principal
	pDup     = 0.001  // row written twice
	pComment = 0.003  // a free-text comment (some with commas: quoted)
)

// blemishScale multiplies the cell blemish rates: hand-run lab
// measurements fail more often than the tracks, and a file of a few
// thousand rows should still show every blemish.
var blemishScale = [nInst]float64{1, 1, 1, 1, 1, 1, 3, 3, 3}

var (
	absurd = [nInst][]string{{"-9999", "99.999"}, {"99999", "-9999"}, {"-999", "9999"}, {"999", "-1"},
		{"-999", "999"}, {"99999", "-9999"}, {"-9999", "999"}, {"99999", "-1"}, {"-999", "9999"}}
	comments = []string{"disturbed", "void", "drilling disturbance, moderate", "crack", `"biscuit" texture, fractured`}
)

// gen holds one hole's generation state.
type gen struct {
	h *hole
	r *rand.Rand
	// lab draws everything of the instruments added in synth/3 (RSC, MSP,
	// MAD, PWC, TCON), so r's sequence and with it the bytes of the GRA,
	// MS, NGR and RGB files stay what they were for a seed.
	lab *rand.Rand
	labHole
	out [nInst][]byte
	// per core and section
	core     int
	ct       *coreType
	graBias  float64
	sect     string
	secTop   float64 // m CSF-A
	secLen   float64 // cm
	secNo    int
	tsBase   int64
	lithTail map[int][2]string // unit index → core type and its cached lithology columns
	stamp    [nInst][]byte     // this section's run columns per instrument
	num      []byte
}

// generate writes the files' rows of one hole, in schemas.LILYFiles order.
func (h *hole) generate(seed int64) [nInst][]byte {
	g := &gen{h: h, r: rand.New(rand.NewPCG(uint64(seed), uint64(h.index)+1)), lithTail: map[int][2]string{}}
	g.lab = rand.New(rand.NewPCG(uint64(seed), labStream+uint64(h.index)))
	g.labHole = newLabHole(g.lab, h)
	g.tsBase = h.site.start + int64(h.name[0]-'A')*2*86400
	// Reserve about what the hole will need (≈250 bytes a row), so the
	// buffers do not regrow and copy.
	for inst, s := range sampling {
		if s[0] > 0 && g.has(inst) {
			g.out[inst] = make([]byte, 0, int(h.depth*100/s[0]*250))
		}
	}
	z := 0.0
	for core := 1; z < h.depth-0.05; core++ {
		ct := h.coreType(z)
		adv := math.Min(ct.advance, h.depth-z)
		g.coreRows(core, ct, z, adv*uniform(g.r, ct.recovery[0], ct.recovery[1]))
		z += adv
	}
	return g.out
}

// coreRows lays the recovered length out in 150 cm sections from the
// core top, plus a core catcher, and measures each.
func (g *gen) coreRows(core int, ct *coreType, top, rec float64) {
	g.core, g.ct = core, ct
	g.graBias = 0
	switch ct {
	case rcb: // the rotary core is thinner than the liner: GRA reads low
		g.graBias = uniform(g.r, 0.2, 0.4)
	case xcb:
		g.graBias = uniform(g.r, 0, 0.1)
	}
	cc := 0.0
	if rec > 0.4 {
		cc = math.Round(uniform(g.r, 5, 30)) / 100
	}
	body := math.Round((rec-cc)*100) / 100
	g.planCore(body)
	z := top
	for s := 1; body > 0.05; s++ {
		l := math.Min(1.5, body)
		g.section(strconv.Itoa(s), z, l)
		z += l
		body = math.Round((body-l)*100) / 100
	}
	if cc > 0 {
		g.section("CC", z, cc)
	}
}

func (g *gen) section(name string, top, length float64) {
	g.sect, g.secTop, g.secLen = name, top, math.Round(length*100)
	g.secNo++
	for inst := range nInst {
		if !g.has(inst) {
			continue
		}
		g.stamp[inst] = g.runColumns(g.stamp[inst][:0], inst)
		step, first := sampling[inst][0], sampling[inst][1]
		for off := first; step > 0 && off < g.secLen; off += step {
			g.sample(inst, off)
		}
	}
	if g.discrete {
		g.samples()
	}
}

// has reports whether the hole was measured with an instrument.
func (g *gen) has(inst int) bool {
	switch inst {
	case iNGR:
		return g.h.ngr
	case iRGB:
		return g.h.site.rgb
	case iRSC, iMSP:
		return g.shmsl
	case iMAD, iPWC, iTCON:
		return g.discrete
	}
	return true
}

// rng is the stream an instrument draws from.
func (g *gen) rng(inst int) *rand.Rand {
	if inst >= iRSC {
		return g.lab
	}
	return g.r
}

// unitAt finds the unit at a site depth.
func (g *gen) unitAt(zs float64) int {
	units := g.h.site.units
	i := sort.Search(len(units), func(i int) bool { return units[i].bottom > zs })
	return min(i, len(units)-1)
}

// cycle is the carbonate/clay alternation at a site depth, in [-1, 1].
func (g *gen) cycle(zs float64) float64 {
	c := g.h.site.cycle
	return 0.7*math.Sin(2*math.Pi*zs/c[0]+c[1]) + 0.3*math.Sin(2*math.Pi*zs/c[2]+c[3])
}

// sample writes one row of one instrument at an offset in the section.
func (g *gen) sample(inst int, off float64) {
	depth, zs, ui := g.at(off)
	g.write(inst, ui, off, depth, g.measure(inst, &g.h.site.units[ui], zs, off))
}

// at is the depth of an offset in the section: CSF-A, at the site, and
// the index of the unit there.
func (g *gen) at(off float64) (depth, zs float64, ui int) {
	depth = math.Round((g.secTop+off/100)*1e4) / 1e4
	zs = depth + g.h.shift
	return depth, zs, g.unitAt(zs)
}

// write appends one row, sometimes twice as in the real files.
func (g *gen) write(inst, ui int, off, depth float64, vals []float64) {
	row := g.row(inst, ui, off, depth, vals)
	g.out[inst] = append(g.out[inst], row...)
	if g.rng(inst).Float64() < pDup {
		g.out[inst] = append(g.out[inst], row...)
	}
}

// measure draws what a continuous instrument reads in unit u at site
// depth zs.
func (g *gen) measure(inst int, u *unit, zs, off float64) []float64 {
	r := g.r
	cyc := g.cycle(zs)
	switch inst {
	case iRSC:
		return g.reflectance(u, cyc)
	case iMSP:
		return g.pointSusceptibility(u, cyc)
	case iGRA:
		v := u.gra + 0.03*cyc + 0.035*r.NormFloat64() - g.graBias
		if u.lith.compacts {
			v += 0.45 * (1 - math.Exp(-zs/500))
		}
		// Near a section end the core does not fill the liner.
		if d := math.Min(off, g.secLen-off); d < 6 {
			v *= 1 - 0.25*(1-d/6)*(1-d/6)
		}
		if g.ct == rcb || g.ct == xcb { // voids between biscuits and pieces
			if r.Float64() < 0.03 {
				v *= uniform(r, 0.3, 0.9)
			}
		}
		return []float64{v}
	case iMS:
		v := u.ms*math.Exp(-0.25*cyc+0.2*r.NormFloat64()) + 1.2*r.NormFloat64()
		if r.Float64() < 0.002 { // a dropstone or a magnetic grain
			v *= uniform(r, 5, 30)
		}
		return []float64{v}
	case iNGR:
		v := u.ngr*(1-0.12*cyc) + (0.8+0.04*math.Abs(u.ngr))*r.NormFloat64()
		return []float64{v, 0.5 + 0.3*math.Sqrt(math.Abs(v))}
	}
	bright := math.Exp(0.1*cyc + 0.03*r.NormFloat64())
	common := 3 * r.NormFloat64()
	var rgb [3]float64
	for c := range 3 {
		v := (u.rgb[c]*bright+common+2*r.NormFloat64())*g.h.gain[c] + g.h.offset[c]
		rgb[c] = math.Min(math.Max(v, 0), 255)
	}
	return rgb[:]
}

// decimals per instrument when formatting values.
var decimals = [nInst]int{3, 2, 2, 2, 2, 2, 3, 1, 3}

// row formats one CSV row in the LILY column order.
func (g *gen) row(inst, ui int, off, depth float64, vals []float64) []byte {
	h, st, r := g.h, g.h.site, g.rng(inst)
	b := g.num[:0]
	b = append(b, st.exp...)
	b = append(b, ',')
	b = append(b, st.name...)
	b = append(b, ',')
	b = append(b, h.name...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(g.core), 10)
	b = append(b, ',')
	b = append(b, g.ct.code...)
	b = append(b, ',')
	b = append(b, g.sect...)
	b = append(b, ',')
	if archiveHalf[inst] && r.Float64() < 0.8 {
		b = append(b, 'A')
	} else if !archiveHalf[inst] && r.Float64() < 0.3 {
		b = append(b, 'W')
	}
	b = append(b, ',')
	b = strconv.AppendFloat(b, off, 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, depth, 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, depth, 'f', -1, 64)
	x := r.Float64() / blemishScale[inst]
	for i, v := range vals {
		b = append(b, ',')
		switch {
		case math.IsNaN(v): // not measured (a PWC direction): an empty cell
		case i > 0 && inst == iNGR: // the counting error is never blemished
			b = strconv.AppendFloat(b, v, 'f', 2, 64)
		case x < pEmpty:
		case x < pEmpty+pNaN:
			b = append(b, "NaN"...)
		case x < pEmpty+pNaN+pAbsurd:
			b = append(b, absurd[inst][r.IntN(2)]...)
		default:
			b = strconv.AppendFloat(b, v, 'f', decimals[inst], 64)
		}
	}
	b = append(b, ',')
	b = append(b, g.stamp[inst]...)
	if r.Float64() < pComment {
		b = appendCSV(b, comments[r.IntN(len(comments))])
	}
	b = append(b, ",,,,"...)
	b = append(b, g.lithColumns(inst, ui)...)
	b = append(b, '\n')
	g.num = b
	return b
}

// runColumns are the section's measurement-run columns: Timestamp,
// Instrument, Instrument group, Text ID, Test No.
func (g *gen) runColumns(b []byte, inst int) []byte {
	ts := g.tsBase + int64(g.core)*3600 + int64(g.secNo)*300 + int64(inst)*60
	b = time.Unix(ts, 0).UTC().AppendFormat(b, "2006-01-02 15:04:05")
	b = append(b, ',')
	b = append(b, instrumentNames[inst][0]...)
	b = append(b, ',')
	b = append(b, instrumentNames[inst][1]...)
	b = append(b, ",SECT"...)
	id := int64(g.h.index)*100000 + int64(g.secNo)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, ',')
	test := id*4 + int64(inst)
	if inst >= iRSC { // numbered apart: the four track files keep their bytes
		test = 4e11 + id*8 + int64(inst)
	}
	b = strconv.AppendInt(b, test, 10)
	return append(b, ',')
}

// lithColumns is the lithology and location tail of a row: Prefix,
// Principal, Suffix, Full, Simplified, Type, Consolidation, Subtype,
// Expanded Core Type, Latitude, Longitude, Water Depth.
func (g *gen) lithColumns(inst, ui int) string {
	if g.rng(inst).Float64() < pNoLabel {
		return g.tail(ui, true)
	}
	tails, ok := g.lithTail[ui]
	key := g.ct.code
	if !ok || tails[0] != key {
		t := g.tail(ui, false)
		tails = [2]string{key, t}
		g.lithTail[ui] = tails
	}
	return tails[1]
}

func (g *gen) tail(ui int, blank bool) string {
	u, lb, st := &g.h.site.units[ui], g.h.labels[ui], g.h.site
	var b []byte
	if !blank {
		full := lb.principal
		if lb.prefix != "" {
			full = lb.prefix + " " + full
		}
		if lb.suffix != "" {
			full += ", " + lb.suffix
		}
		consolidation := "unconsolidated"
		if !u.lith.compacts {
			consolidation = "lithified"
		}
		for _, f := range []string{lb.prefix, lb.principal, lb.suffix, full, u.lith.simplified, u.lith.ltype, consolidation, u.lith.subtype} {
			b = appendCSV(b, f)
			b = append(b, ',')
		}
	} else {
		b = append(b, ",,,,,,,,"...)
	}
	b = append(b, g.ct.expanded...)
	b = append(b, ',')
	b = strconv.AppendFloat(b, st.lat, 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, st.lon, 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, st.water, 'f', -1, 64)
	return string(b)
}

// appendCSV appends a field, quoted when it holds a comma or a quote.
func appendCSV(b []byte, s string) []byte {
	quote := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			quote = true
			break
		}
	}
	if !quote {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// header is a file's header line.
func header(f *schemas.LILYFile) []byte {
	var b []byte
	for i, c := range f.Columns() {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCSV(b, c)
	}
	return append(b, '\n')
}
