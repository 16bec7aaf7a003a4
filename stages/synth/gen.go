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
)

// Sampling step and first offset per instrument, cm (GRA and MS on the
// whole-round logger, NGR every 10 cm, the colour line scan averaged
// every 0.5 cm).
var sampling = [4][2]float64{{2.5, 1.25}, {2.5, 1.25}, {10, 5}, {0.5, 0.25}}

var instrumentNames = [4][2]string{{"WRMSL", "GRA"}, {"WRMSL", "MS"}, {"NGR", "NGR"}, {"SHIL", "RGB"}}

// Rates of the real files' blemishes, per row.
const (
	pEmpty   = 0.001  // empty measurement cell
	pNaN     = 0.0007 // "NaN" in a measurement cell
	pAbsurd  = 0.0002 // a value no instrument could read
	pNoLabel = 0.0003 // empty Principal
	pDup     = 0.001  // row written twice
	pComment = 0.003  // a free-text comment (some with commas: quoted)
)

var (
	absurd   = [4][]string{{"-9999", "99.999"}, {"99999", "-9999"}, {"-999", "9999"}, {"999", "-1"}}
	comments = []string{"disturbed", "void", "drilling disturbance, moderate", "crack", `"biscuit" texture, fractured`}
)

// gen holds one hole's generation state.
type gen struct {
	h   *hole
	r   *rand.Rand
	out [4][]byte
	// per core and section
	core     int
	ct       *coreType
	graBias  float64
	sect     string
	secTop   float64 // m CSF-A
	secLen   float64 // cm
	secNo    int
	tsBase   int64
	lithTail map[int][4]string // unit index → cached lithology columns per instrument
	stamp    [4][]byte         // this section's run columns per instrument
	num      []byte
}

// generate writes the four files' rows of one hole.
func (h *hole) generate(seed int64) [4][]byte {
	g := &gen{h: h, r: rand.New(rand.NewPCG(uint64(seed), uint64(h.index)+1)), lithTail: map[int][4]string{}}
	g.tsBase = h.site.start + int64(h.name[0]-'A')*2*86400
	// Reserve about what the hole will need (≈250 bytes a row), so the
	// buffers do not regrow and copy.
	for inst, s := range sampling {
		g.out[inst] = make([]byte, 0, int(h.depth*100/s[0]*250))
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
	for inst := range 4 {
		if inst == iRGB && !g.h.site.rgb || inst == iNGR && !g.h.ngr {
			continue
		}
		g.stamp[inst] = g.runColumns(g.stamp[inst][:0], inst)
		step, first := sampling[inst][0], sampling[inst][1]
		for off := first; off < g.secLen; off += step {
			g.sample(inst, off)
		}
	}
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
	depth := math.Round((g.secTop+off/100)*1e4) / 1e4
	zs := depth + g.h.shift
	ui := g.unitAt(zs)
	u := &g.h.site.units[ui]
	vals := g.measure(inst, u, zs, off)
	row := g.row(inst, ui, off, depth, vals)
	g.out[inst] = append(g.out[inst], row...)
	if g.r.Float64() < pDup {
		g.out[inst] = append(g.out[inst], row...)
	}
}

// measure draws what the instrument reads in unit u at site depth zs.
func (g *gen) measure(inst int, u *unit, zs, off float64) []float64 {
	r := g.r
	cyc := g.cycle(zs)
	switch inst {
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
var decimals = [4]int{3, 2, 2, 2}

// row formats one CSV row in the LILY column order.
func (g *gen) row(inst, ui int, off, depth float64, vals []float64) []byte {
	h, st, r := g.h, g.h.site, g.r
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
	if inst == iRGB && r.Float64() < 0.8 {
		b = append(b, 'A')
	} else if inst != iRGB && r.Float64() < 0.3 {
		b = append(b, 'W')
	}
	b = append(b, ',')
	b = strconv.AppendFloat(b, off, 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, depth, 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, depth, 'f', -1, 64)
	x := r.Float64()
	for i, v := range vals {
		b = append(b, ',')
		switch {
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
	b = strconv.AppendInt(b, id*4+int64(inst), 10)
	return append(b, ',')
}

// lithColumns is the lithology and location tail of a row: Prefix,
// Principal, Suffix, Full, Simplified, Type, Consolidation, Subtype,
// Expanded Core Type, Latitude, Longitude, Water Depth.
func (g *gen) lithColumns(inst, ui int) string {
	if g.r.Float64() < pNoLabel {
		return g.tail(ui, true)
	}
	tails, ok := g.lithTail[ui]
	key := g.ct.code
	if !ok || tails[0] != key {
		t := g.tail(ui, false)
		tails = [4]string{key, t}
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
