package synth

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// The plan is everything about the holes except the measurements:
// expeditions, sites with their stratigraphy, holes with their coring.
// It is drawn sequentially from one stream; each hole's measurements then
// come from the hole's own stream, so holes can be generated in parallel
// and still give the same bytes.

// unit is one lithological unit at a site: true lithology and the values
// the instruments see in it (before depth trends and noise).
type unit struct {
	top, bottom float64 // site depth, m
	lith        *lith
	gra, ms     float64
	ngr         float64
	rgb         [3]float64
	// grain density, matrix velocity and grain conductivity (lith's),
	// mixed with the partner's but not drawn: the plan's stream, and with
	// it the first four files, stays as it was before synth/3.
	grain, vm, kg float64
}

type site struct {
	exp        string
	name       string
	setting    *setting
	lat, lon   float64
	water      float64
	units      []unit
	cycle      [4]float64 // periods (m) and phases of the carbonate/clay cycles
	start      int64      // expedition start, Unix seconds
	chalkDepth float64
	rgb        bool // expedition 346 or later
}

type hole struct {
	index  int
	site   *site
	name   string
	depth  float64 // cored depth, m CSF-A
	shift  float64 // hole depth + shift = site depth (mudline differences)
	labels []holeLabel
	ngr    bool
	// colour calibration of this hole's camera: gain and offset per channel.
	gain, offset [3]float64
	apcEnd       float64 // piston coring refusal
	hlapcEnd     float64
	rcbFrom      float64 // rotary coring below this depth
}

// holeLabel is how this hole's describer wrote up one unit.
type holeLabel struct {
	principal, prefix, suffix string
}

// pick draws an index by weight.
func pick(r *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// plan draws n holes.
func plan(n int, seed int64) []*hole {
	r := rand.New(rand.NewPCG(uint64(seed), 0x11740))
	oldExp := slices.Clone(oldExpeditions)
	newExp := slices.Clone(newExpeditions)
	r.Shuffle(len(oldExp), func(i, j int) { oldExp[i], oldExp[j] = oldExp[j], oldExp[i] })
	r.Shuffle(len(newExp), func(i, j int) { newExp[i], newExp[j] = newExp[j], newExp[i] })
	// Lettered expeditions (368X) come first, so every dataset has them.
	slices.SortStableFunc(newExp, func(a, b string) int { return cmp.Compare(lettered(b), lettered(a)) })
	var holes []*hole
	siteNo := 1300 + r.IntN(200)
	oi, ni := 0, 0
	for e := 0; len(holes) < n; e++ {
		// Two expeditions in five predate the colour track (about 40 % of
		// holes, as in LILY). Expeditions repeat past the end of the lists;
		// sites never do.
		var exp string
		old := e%5 == 1 || e%5 == 3
		if old {
			exp, oi = oldExp[oi%len(oldExp)], oi+1
		} else {
			exp, ni = newExp[ni%len(newExp)], ni+1
		}
		start := int64(1230768000) + int64(e%48)*86400*75 // from 2009, one every ~2.5 months
		for s := 0; s < 1+r.IntN(3) && len(holes) < n; s++ {
			st := newSite(r, exp, fmt.Sprintf("U%d", siteNo), start, old)
			siteNo++
			holes = append(holes, siteHoles(r, st, n-len(holes), len(holes))...)
		}
	}
	return holes
}

func newSite(r *rand.Rand, exp, name string, start int64, old bool) *site {
	w := make([]float64, len(settings))
	for i, s := range settings {
		w[i] = s.weight
	}
	set := &settings[pick(r, w)]
	st := &site{
		exp: exp, name: name, setting: set, start: start, rgb: !old,
		lat:        math.Round(uniform(r, -70, 70)*1e4) / 1e4,
		lon:        math.Round(uniform(r, -180, 180)*1e4) / 1e4,
		water:      math.Round(uniform(r, set.water[0], set.water[1])*10) / 10,
		chalkDepth: uniform(r, 40, 160),
		cycle:      [4]float64{uniform(r, 1.5, 4), uniform(r, 0, 2*math.Pi), uniform(r, 8, 20), uniform(r, 0, 2*math.Pi)},
	}
	return st
}

// siteHoles draws the holes of a site (up to max) and the site's
// stratigraphy down to the deepest hole.
func siteHoles(r *rand.Rand, st *site, max, first int) []*hole {
	nh := 1 + pick(r, []float64{0.5, 0.35, 0.15})
	nh = min(nh, max)
	depthA := math.Min(math.Max(100*math.Exp(0.45*r.NormFloat64()), 30), 420)
	crustTop := math.Inf(1)
	if r.Float64() < st.setting.crust {
		crustTop = depthA * uniform(r, 0.65, 0.92)
	}
	st.units = stratigraphy(r, st, depthA+5, crustTop)
	holes := make([]*hole, nh)
	for i := range holes {
		h := &hole{index: first + i, site: st, name: string(rune('A' + i)), depth: depthA, ngr: r.Float64() > 0.02}
		if i > 0 {
			h.depth = depthA * uniform(r, 0.35, 0.9)
			h.shift = 0.6 * r.NormFloat64()
		}
		common := 1 + 0.12*r.NormFloat64()
		for c := range 3 {
			h.gain[c] = common * (1 + 0.05*r.NormFloat64())
			h.offset[c] = 6 * r.NormFloat64()
		}
		h.coring(r, crustTop)
		h.labels = describe(r, st.units)
		holes[i] = h
	}
	return holes
}

// stratigraphy stacks units down to depth; below the lithification depth
// oozes become chalk and clays claystone; crust fills the bottom.
func stratigraphy(r *rand.Rand, st *site, depth, crustTop float64) []unit {
	set := st.setting
	w := make([]float64, len(set.units))
	for i, u := range set.units {
		w[i] = u.weight
	}
	clayDepth := st.chalkDepth + uniform(r, 10, 90)
	crust := catalog["basalt"]
	if r.Float64() < 0.3 {
		crust = catalog["gabbro"]
	}
	var units []unit
	prev := -1
	for z := 0.0; z < depth; {
		i := pick(r, w)
		if i == prev {
			i = pick(r, w)
		}
		prev = i
		c := set.units[i]
		l := catalog[c.lith]
		thick := math.Max(c.thick*math.Exp(0.6*r.NormFloat64()), 0.05)
		if l.deep != "" && ((l.simplified == "calcareous ooze" || l.simplified == "siliceous ooze") && z > st.chalkDepth ||
			l.simplified != "calcareous ooze" && l.simplified != "siliceous ooze" && z > clayDepth) {
			l = catalog[l.deep]
		}
		if z >= crustTop {
			l, thick = crust, depth-z
		} else if z+thick > crustTop {
			thick = crustTop - z
		}
		// Sediments are mixtures: a unit named for its dominant component
		// carries some of another (clayey ooze, calcareous clay), so the
		// measurements of neighbouring lithologies overlap.
		var partner *lith
		mix := 0.0
		if r.Float64() < 0.6 && !l.hard && l.ltype != "igneous" {
			if p := catalog[set.units[pick(r, w)].lith]; p != l && !p.hard {
				partner, mix = p, uniform(r, 0, 0.5)
			}
		}
		units = append(units, newUnit(r, l, partner, mix, z, z+thick))
		z += thick
	}
	return units
}

// newUnit draws a unit of lithology l holding a fraction mix of partner
// (nil for none): its properties lie between the two end members.
func newUnit(r *rand.Rand, l, partner *lith, mix, top, bottom float64) unit {
	base := *l
	if partner != nil {
		lerp := func(a, b float64) float64 { return (1-mix)*a + mix*b }
		base.gra = lerp(l.gra, partner.gra)
		base.ms = math.Exp(lerp(math.Log(l.ms), math.Log(partner.ms)))
		base.ngr = lerp(l.ngr, partner.ngr)
		for c := range 3 {
			base.rgb[c] = lerp(l.rgb[c], partner.rgb[c])
		}
		base.grain, base.vm, base.kg = lerp(l.grain, partner.grain), lerp(l.vm, partner.vm), lerp(l.kg, partner.kg)
	}
	u := unit{top: top, bottom: bottom, lith: l,
		gra:   base.gra + 1.5*l.graSD*r.NormFloat64(),
		ms:    base.ms * math.Exp(l.msLog*r.NormFloat64()),
		ngr:   base.ngr + l.ngrSD*r.NormFloat64(),
		grain: base.grain, vm: base.vm, kg: base.kg,
	}
	bright := math.Exp(0.18 * r.NormFloat64())
	for c := range 3 {
		u.rgb[c] = base.rgb[c]*bright + 3*r.NormFloat64()
	}
	return u
}

// coring decides where each coring system was used: piston coring to
// refusal (at the latest where sediment lithifies), sometimes the
// half-length piston corer, then the extended core barrel, and the rotary
// barrel in crust or on carbonate platforms.
func (h *hole) coring(r *rand.Rand, crustTop float64) {
	st := h.site
	h.apcEnd = math.Min(st.chalkDepth, uniform(r, 120, 260))
	h.hlapcEnd = h.apcEnd
	if r.Float64() < 0.5 {
		h.hlapcEnd += uniform(r, 10, 50)
	}
	h.rcbFrom = crustTop - h.shift
	if st.setting.hard {
		h.apcEnd = uniform(r, 5, 30)
		h.hlapcEnd = h.apcEnd
		h.rcbFrom = h.apcEnd
	}
}

func (h *hole) coreType(z float64) *coreType {
	switch {
	case z >= h.rcbFrom:
		return rcb
	case z < h.apcEnd:
		return apc
	case z < h.hlapcEnd:
		return hlapc
	}
	return xcb
}

var (
	prefixes = []string{"clayey", "silty", "sandy", "calcareous", "diatom-bearing", "foraminifer-rich"}
	suffixes = []string{"with foraminifera", "with ash", "with sponge spicules", "with pyrite"}
)

// labelNoise is the chance that a describer uses a neighbouring term for
// a unit (clay / mud / silty clay): the reason ARI stays near 0.2–0.3.
// Soft sediment names blur most; rock names much less.
func labelNoise(l *lith) float64 {
	switch l.ltype {
	case "siliciclastic", "biogenic":
		return 0.4
	case "igneous":
		return 0.03
	}
	return 0.2
}

// describe writes up each unit as this hole's describer would.
func describe(r *rand.Rand, units []unit) []holeLabel {
	out := make([]holeLabel, len(units))
	for i, u := range units {
		lb := holeLabel{principal: u.lith.name}
		if len(u.lith.neighbours) > 0 && r.Float64() < labelNoise(u.lith) {
			lb.principal = u.lith.neighbours[r.IntN(len(u.lith.neighbours))]
		}
		if r.Float64() < 0.15 {
			lb.prefix = prefixes[r.IntN(len(prefixes))]
		}
		if r.Float64() < 0.15 {
			lb.suffix = suffixes[r.IntN(len(suffixes))]
		}
		out[i] = lb
	}
	return out
}

func lettered(exp string) int {
	if c := exp[len(exp)-1]; c < '0' || c > '9' {
		return 1
	}
	return 0
}
