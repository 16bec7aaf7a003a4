package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// The instruments added in synth/3: colour reflectance (RSC) and point
// susceptibility (MSP) on the section-half logger, continuous like the
// track instruments but in most rather than all holes; moisture and
// density (MAD), P-wave velocity (PWC) and thermal conductivity (TCON)
// on discrete samples, a few per section, in the holes a site's discrete
// sampling plan covered. Everything here draws from the hole's lab
// stream, never from the stream of the first four files.

// labStream offsets the lab streams' second PCG word from those of the
// plan (0x11740) and of the holes (index+1).
const labStream = 1 << 40

// Coverage of the lab instruments, per hole.
const (
	pSHMSL     = 0.91 // RSC and MSP: 484 of LILY's 534 holes (DESIGN.md §1b, v2.6.1)
	pDiscreteA = 0.85 // MAD, PWC, TCON in a site's first hole…
	pDiscrete  = 0.25 // …and in some of the others
)

// Sampling of the discrete instruments.
const (
	pMAD      = 0.85 // a moisture-and-density sample in a section
	pMADCC    = 0.3  // in a core catcher
	pPWCOnMAD = 0.7  // velocity measured on the MAD cube
	pPWCMore  = 0.4  // another velocity measurement in the section
	pTCON     = 0.9  // thermal conductivity in a core
	rhoWater  = 1.024
	kWater    = 0.6 // W/(m·K)
)

// labHole is what a hole's lab instruments share.
type labHole struct {
	shmsl, discrete bool
	lOffset         float64 // the spectrophotometer's L* calibration, this hole
	tconSect        string  // the section of this core that TCON measures ("" none)
}

func newLabHole(r *rand.Rand, h *hole) labHole {
	p := pDiscrete
	if h.name == "A" {
		p = pDiscreteA
	}
	return labHole{shmsl: r.Float64() < pSHMSL, discrete: r.Float64() < p, lOffset: 1.5 * r.NormFloat64()}
}

// planCore picks the section of a core that TCON measures, given the
// length of the core's sections (m, core catcher excluded), as
// coreRows lays them out.
func (g *gen) planCore(body float64) {
	g.tconSect = ""
	if !g.discrete {
		return
	}
	n := 0
	for b := body; b > 0.05; b = math.Round((b-math.Min(1.5, b))*100) / 100 {
		n++
	}
	if n > 0 && g.lab.Float64() < pTCON {
		g.tconSect = strconv.Itoa(1 + g.lab.IntN(n))
	}
}

// reflectance is RSC's L*, a*, b*: lightness from the unit's colour on a
// perceptual (gamma) scale, a* from red over green, b* from yellow over
// blue.
func (g *gen) reflectance(u *unit, cyc float64) []float64 {
	r := g.lab
	bright := math.Exp(0.1*cyc + 0.03*r.NormFloat64())
	red, green, blue := u.rgb[0]*bright, u.rgb[1]*bright, u.rgb[2]*bright
	grey := math.Min(math.Max((red+green+blue)/3/255, 0), 1)
	l := 100*math.Pow(grey, 1/2.2) + g.lOffset + 0.8*r.NormFloat64()
	a := 0.45*(red-green) + 0.4*r.NormFloat64()
	b := 0.5*((red+green)/2-blue) + 0.5*r.NormFloat64()
	return []float64{math.Min(math.Max(l, 0), 100), a, b}
}

// pointSusceptibility is MSP: the loop sensor's MS seen by a point
// sensor, noisier.
func (g *gen) pointSusceptibility(u *unit, cyc float64) []float64 {
	r := g.lab
	v := u.ms*math.Exp(-0.25*cyc+0.3*r.NormFloat64()) + 2*r.NormFloat64()
	if r.Float64() < 0.002 { // a magnetic grain under the sensor
		v *= uniform(r, 5, 30)
	}
	return []float64{v}
}

// samples takes the section's discrete samples: a moisture-and-density
// cube about once per section, P-wave velocity mostly on that cube and
// sometimes elsewhere, thermal conductivity once per core, often beside
// the cube (which is what makes co-located samples for the MAD model).
func (g *gen) samples() {
	r := g.lab
	mad := -1.0
	p := pMAD
	if g.sect == "CC" {
		p = pMADCC
	}
	if r.Float64() < p {
		mad = g.spot()
		g.mad(mad)
	}
	var pwc []float64
	if mad >= 0 && r.Float64() < pPWCOnMAD {
		pwc = append(pwc, g.near(mad))
	}
	if r.Float64() < pPWCMore {
		pwc = append(pwc, g.spot())
	}
	slices.Sort(pwc)
	for _, off := range pwc {
		g.pwc(off)
	}
	if g.sect == g.tconSect {
		off := g.spot()
		if mad >= 0 && r.Float64() < 0.5 {
			off = g.near(mad)
		}
		g.tcon(off)
	}
}

// spot is a sampling offset (whole cm) away from the section's ends.
func (g *gen) spot() float64 {
	if g.secLen < 12 {
		return math.Max(math.Round(g.secLen/2), 1)
	}
	return float64(5 + g.lab.IntN(int(g.secLen)-9))
}

// near is an offset within 2 cm of off, inside the section.
func (g *gen) near(off float64) float64 {
	return math.Min(math.Max(off+float64(g.lab.IntN(5)-2), 1), math.Max(g.secLen-1, 1))
}

// porosity is the fraction of pore water of a sample in unit u at site
// depth zs, from the unit's bulk density (compacted with burial, as GRA
// sees it) and grain density, with the sample's own scatter.
func (g *gen) porosity(u *unit, zs float64) (phi, grain float64) {
	r := g.lab
	rho := u.gra + 0.02*g.cycle(zs)
	if u.lith.compacts {
		rho += 0.45 * (1 - math.Exp(-zs/500))
	}
	grain = u.grain + 0.02*r.NormFloat64()
	phi = (grain-rho)/(grain-rhoWater) + 0.01*r.NormFloat64()
	return math.Min(math.Max(phi, 0.005), 0.92), grain
}

// mad writes a moisture-and-density sample: porosity, grain and bulk
// density, the bulk density being the mix of grains and pore water.
func (g *gen) mad(off float64) {
	depth, zs, ui := g.at(off)
	phi, grain := g.porosity(&g.h.site.units[ui], zs)
	bulk := phi*rhoWater + (1-phi)*grain
	g.write(iMAD, ui, off, depth, []float64{100 * phi, grain, bulk})
}

// velocity is P-wave velocity at porosity phi: in soft sediment a
// compaction trend from near the speed of sound in water (≈1500–2000
// m/s), in lithified rock Raymer–Hunt–Gardner's (1−φ)²·Vm + φ·Vw.
func velocity(u *unit, phi float64) float64 {
	if u.lith.compacts {
		return 1490 + 1300*math.Pow(1-phi, 2.5)
	}
	return (1-phi)*(1-phi)*u.vm + phi*1500
}

// pwc writes a velocity measurement. Soft sediment is measured in one
// direction (the caliper's x mostly, a bayonet's y or z); hard rock on
// cubes in x, y and z (z a little slower: layering) or in one direction.
// Directions not measured are empty cells.
func (g *gen) pwc(off float64) {
	r := g.lab
	depth, zs, ui := g.at(off)
	u := &g.h.site.units[ui]
	phi, _ := g.porosity(u, zs)
	v := velocity(u, phi) * (1 + 0.01*r.NormFloat64())
	dir := func(scale float64) float64 { return v * scale * (1 + 0.004*r.NormFloat64()) }
	nan := math.NaN()
	vals := []float64{nan, nan, nan, nan} // x, y, z, unknown
	x := r.Float64()
	if u.lith.compacts && (g.ct == apc || g.ct == hlapc) {
		switch {
		case x < 0.7:
			vals[0] = dir(1)
		case x < 0.85:
			vals[2] = dir(1)
		case x < 0.93:
			vals[1] = dir(1)
		default: // the direction was not recorded
			vals[3] = dir(1)
		}
	} else {
		switch {
		case x < 0.5:
			vals[0], vals[1], vals[2] = dir(1), dir(1), dir(uniform(r, 0.95, 0.99))
		case x < 0.9:
			vals[0] = dir(1)
		default:
			vals[3] = dir(1)
		}
	}
	g.write(iPWC, ui, off, depth, vals)
}

// tcon writes a thermal conductivity measurement: the geometric mean of
// grain and pore-water conductivities weighted by porosity. The file's
// value is the mean of the probe's repeated runs, so one row per spot.
func (g *gen) tcon(off float64) {
	depth, zs, ui := g.at(off)
	u := &g.h.site.units[ui]
	phi, _ := g.porosity(u, zs)
	k := math.Pow(kWater, phi) * math.Pow(u.kg, 1-phi)
	g.write(iTCON, ui, off, depth, []float64{k * (1 + 0.02*g.lab.NormFloat64())})
}
