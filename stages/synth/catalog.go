package synth

// The catalogue of lithologies and depositional settings. Numbers follow
// the LILY paper and public analyses of it (DESIGN.md §2): bulk densities
// from shipboard MAD values, MS and NGR medians per lithology, light oozes
// and dark clays; lithologies not quoted there are placed between their
// neighbours.

// lith is one lithology: the label and what the track instruments see in
// it at the sea floor.
type lith struct {
	name       string
	simplified string // "Simplified Lithology"
	ltype      string // "Lithology Type"
	subtype    string // "Lithology Subtype"
	gra, graSD float64
	compacts   bool       // density rises with burial (unlithified sediment)
	ms, msLog  float64    // median MS and the log-sd between units
	ngr, ngrSD float64    // median NGR (cps) and the sd between units
	rgb        [3]float64 // typical R, G, B
	hard       bool       // hard rock: cored with the rotary barrel
	// What the discrete samples see (synth/3): grain density (g/cm³),
	// matrix P-wave velocity of lithified rock (m/s) and grain thermal
	// conductivity (W/(m·K)); porosity, velocity and conductivity follow
	// from them and the bulk density (lab.go).
	grain, vm, kg float64
	deep          string   // what it turns into below the lithification depth
	neighbours    []string // terms describers use for the same material
}

var catalog = map[string]*lith{}

func init() {
	for _, l := range lithologies {
		catalog[l.name] = l
	}
}

var lithologies = []*lith{
	// Calcareous biogenic sediment: light, diamagnetic, low NGR.
	{name: "nannofossil ooze", simplified: "calcareous ooze", ltype: "biogenic", subtype: "calcareous",
		gra: 1.63, graSD: 0.05, compacts: true, ms: 4, msLog: 0.7, ngr: 18, ngrSD: 3, rgb: [3]float64{112, 108, 98},
		deep: "nannofossil chalk", grain: 2.70, vm: 6000, kg: 2.8,
		neighbours: []string{"calcareous ooze", "nannofossil chalk", "foraminiferal ooze"}},
	{name: "foraminiferal ooze", simplified: "calcareous ooze", ltype: "biogenic", subtype: "calcareous",
		gra: 1.68, graSD: 0.05, compacts: true, ms: 3, msLog: 0.7, ngr: 14, ngrSD: 3, rgb: [3]float64{118, 112, 100},
		deep: "nannofossil chalk", grain: 2.70, vm: 6000, kg: 2.9,
		neighbours: []string{"nannofossil ooze", "calcareous ooze"}},
	{name: "calcareous ooze", simplified: "calcareous ooze", ltype: "biogenic", subtype: "calcareous",
		gra: 1.66, graSD: 0.05, compacts: true, ms: 6, msLog: 0.7, ngr: 20, ngrSD: 3, rgb: [3]float64{104, 100, 90},
		deep: "nannofossil chalk", grain: 2.70, vm: 6000, kg: 2.8,
		neighbours: []string{"nannofossil ooze"}},
	{name: "nannofossil chalk", simplified: "chalk", ltype: "biogenic", subtype: "calcareous",
		gra: 1.92, graSD: 0.06, ms: 3, msLog: 0.7, ngr: 12, ngrSD: 3, rgb: [3]float64{122, 118, 108},
		grain: 2.70, vm: 6000, kg: 2.8,
		neighbours: []string{"nannofossil ooze", "chalk"}},
	// Siliceous biogenic sediment: very light in density, olive colours.
	{name: "diatom ooze", simplified: "siliceous ooze", ltype: "biogenic", subtype: "siliceous",
		gra: 1.37, graSD: 0.05, compacts: true, ms: 5, msLog: 0.6, ngr: 15, ngrSD: 3, rgb: [3]float64{74, 72, 60},
		deep: "diatomite", grain: 2.45, vm: 5000, kg: 1.6,
		neighbours: []string{"diatomaceous clay", "diatomite"}},
	{name: "radiolarian ooze", simplified: "siliceous ooze", ltype: "biogenic", subtype: "siliceous",
		gra: 1.42, graSD: 0.05, compacts: true, ms: 8, msLog: 0.6, ngr: 20, ngrSD: 3, rgb: [3]float64{82, 70, 58},
		grain: 2.45, vm: 5000, kg: 1.6,
		neighbours: []string{"diatom ooze"}},
	{name: "diatomite", simplified: "siliceous ooze", ltype: "biogenic", subtype: "siliceous",
		gra: 1.55, graSD: 0.05, ms: 6, msLog: 0.6, ngr: 16, ngrSD: 3, rgb: [3]float64{80, 78, 66},
		grain: 2.40, vm: 5000, kg: 1.6,
		neighbours: []string{"diatom ooze"}},
	// Fine siliciclastics: dark, moderately magnetic, high NGR.
	{name: "clay", simplified: "clay", ltype: "siliciclastic", subtype: "fine",
		gra: 1.72, graSD: 0.06, compacts: true, ms: 20, msLog: 0.6, ngr: 38, ngrSD: 5, rgb: [3]float64{44, 42, 38},
		deep: "claystone", grain: 2.75, vm: 4500, kg: 2.0,
		neighbours: []string{"mud", "silty clay"}},
	{name: "silty clay", simplified: "clay", ltype: "siliciclastic", subtype: "fine",
		gra: 1.78, graSD: 0.06, compacts: true, ms: 32, msLog: 0.6, ngr: 50, ngrSD: 6, rgb: [3]float64{48, 46, 41},
		deep: "claystone", grain: 2.74, vm: 4600, kg: 2.2,
		neighbours: []string{"clay", "clayey silt", "mud"}},
	{name: "mud", simplified: "mud", ltype: "siliciclastic", subtype: "fine",
		gra: 1.74, graSD: 0.06, compacts: true, ms: 26, msLog: 0.6, ngr: 42, ngrSD: 5, rgb: [3]float64{46, 44, 40},
		deep: "mudstone", grain: 2.73, vm: 4600, kg: 2.1,
		neighbours: []string{"clay", "silty clay"}},
	{name: "clayey silt", simplified: "silt", ltype: "siliciclastic", subtype: "fine",
		gra: 1.85, graSD: 0.06, compacts: true, ms: 40, msLog: 0.6, ngr: 45, ngrSD: 5, rgb: [3]float64{52, 50, 45},
		deep: "siltstone", grain: 2.72, vm: 4800, kg: 2.4,
		neighbours: []string{"silty clay", "silt"}},
	{name: "silt", simplified: "silt", ltype: "siliciclastic", subtype: "coarse",
		gra: 1.88, graSD: 0.06, compacts: true, ms: 50, msLog: 0.6, ngr: 40, ngrSD: 5, rgb: [3]float64{56, 54, 48},
		deep: "siltstone", grain: 2.70, vm: 5000, kg: 2.6,
		neighbours: []string{"clayey silt", "sandy silt"}},
	{name: "sand", simplified: "sand", ltype: "siliciclastic", subtype: "coarse",
		gra: 1.94, graSD: 0.07, compacts: true, ms: 68, msLog: 0.7, ngr: 42, ngrSD: 6, rgb: [3]float64{42, 41, 38},
		deep: "sandstone", grain: 2.66, vm: 5500, kg: 3.0,
		neighbours: []string{"silty sand", "silt"}},
	{name: "claystone", simplified: "claystone", ltype: "siliciclastic", subtype: "fine",
		gra: 2.02, graSD: 0.07, ms: 25, msLog: 0.6, ngr: 45, ngrSD: 6, rgb: [3]float64{50, 48, 44},
		grain: 2.75, vm: 4500, kg: 2.0,
		neighbours: []string{"mudstone", "clay"}},
	{name: "mudstone", simplified: "mudstone", ltype: "siliciclastic", subtype: "fine",
		gra: 2.05, graSD: 0.07, ms: 28, msLog: 0.6, ngr: 44, ngrSD: 6, rgb: [3]float64{52, 50, 45},
		grain: 2.74, vm: 4600, kg: 2.1,
		neighbours: []string{"claystone", "silty mudstone"}},
	{name: "siltstone", simplified: "siltstone", ltype: "siliciclastic", subtype: "coarse",
		gra: 2.15, graSD: 0.07, ms: 45, msLog: 0.6, ngr: 40, ngrSD: 6, rgb: [3]float64{58, 56, 50},
		grain: 2.71, vm: 5000, kg: 2.6,
		neighbours: []string{"mudstone"}},
	{name: "sandstone", simplified: "sandstone", ltype: "siliciclastic", subtype: "coarse",
		gra: 2.25, graSD: 0.08, ms: 60, msLog: 0.7, ngr: 35, ngrSD: 6, rgb: [3]float64{60, 57, 50},
		grain: 2.66, vm: 5500, kg: 3.0,
		neighbours: []string{"siltstone"}},
	{name: "diamict", simplified: "diamict", ltype: "siliciclastic", subtype: "mixed",
		gra: 2.05, graSD: 0.08, compacts: true, ms: 90, msLog: 0.9, ngr: 36, ngrSD: 6, rgb: [3]float64{58, 56, 52},
		grain: 2.72, vm: 5000, kg: 2.5,
		neighbours: []string{"sandy mud", "mud"}},
	// Carbonate platform rocks (Dunham): light, non-magnetic, very low NGR.
	{name: "wackestone", simplified: "limestone", ltype: "carbonate", subtype: "limestone",
		gra: 2.28, graSD: 0.08, ms: 1.5, msLog: 0.8, ngr: 8, ngrSD: 2, rgb: [3]float64{150, 142, 124}, hard: true,
		grain: 2.71, vm: 6300, kg: 2.9,
		neighbours: []string{"packstone", "mudstone"}},
	{name: "packstone", simplified: "limestone", ltype: "carbonate", subtype: "limestone",
		gra: 2.35, graSD: 0.08, ms: 1, msLog: 0.8, ngr: 6, ngrSD: 2, rgb: [3]float64{160, 152, 132}, hard: true,
		grain: 2.71, vm: 6300, kg: 2.9,
		neighbours: []string{"wackestone", "grainstone"}},
	{name: "grainstone", simplified: "limestone", ltype: "carbonate", subtype: "limestone",
		gra: 2.40, graSD: 0.08, ms: 0.8, msLog: 0.8, ngr: 4, ngrSD: 1.5, rgb: [3]float64{170, 162, 140}, hard: true,
		grain: 2.71, vm: 6300, kg: 2.9,
		neighbours: []string{"packstone"}},
	// Volcaniclastics: magnetic, dark grey.
	{name: "volcanic ash", simplified: "ash", ltype: "volcaniclastic", subtype: "ash",
		gra: 1.55, graSD: 0.08, compacts: true, ms: 180, msLog: 0.8, ngr: 28, ngrSD: 5, rgb: [3]float64{70, 70, 68},
		deep: "tuff", grain: 2.55, vm: 5000, kg: 1.6,
		neighbours: []string{"tuff"}},
	{name: "tuff", simplified: "tuff", ltype: "volcaniclastic", subtype: "ash",
		gra: 1.95, graSD: 0.08, ms: 220, msLog: 0.8, ngr: 22, ngrSD: 5, rgb: [3]float64{66, 66, 62},
		grain: 2.60, vm: 5000, kg: 1.8,
		neighbours: []string{"volcanic ash", "lapillistone"}},
	// Oceanic crust: dense, strongly magnetic, almost no NGR.
	{name: "basalt", simplified: "basalt", ltype: "igneous", subtype: "extrusive",
		gra: 2.71, graSD: 0.08, ms: 423, msLog: 0.9, ngr: 3.9, ngrSD: 1, rgb: [3]float64{32, 33, 32}, hard: true,
		grain: 2.95, vm: 6000, kg: 2.2,
		neighbours: []string{"basaltic lava"}},
	{name: "gabbro", simplified: "gabbro", ltype: "igneous", subtype: "intrusive",
		gra: 2.95, graSD: 0.07, ms: 291, msLog: 0.9, ngr: 0.5, ngrSD: 0.4, rgb: [3]float64{46, 47, 44}, hard: true,
		grain: 3.00, vm: 6800, kg: 2.3,
		neighbours: []string{"olivine gabbro"}},
}

// unitChoice is a lithology a setting deposits, with its weight and mean
// unit thickness (m).
type unitChoice struct {
	lith   string
	weight float64
	thick  float64
}

// setting is a depositional setting: what it deposits, how deep the holes
// go, whether oceanic crust is reached at the bottom.
type setting struct {
	name   string
	weight float64 // share of sites
	units  []unitChoice
	crust  float64    // chance that the deepest hole reaches crust
	water  [2]float64 // water depth range, m
	hard   bool       // platform rock from near the top: no piston coring
}

var settings = []setting{
	{name: "pelagic carbonate", weight: 0.32, crust: 0.35, water: [2]float64{2800, 5200}, units: []unitChoice{
		{"nannofossil ooze", 0.58, 22}, {"foraminiferal ooze", 0.04, 4}, {"calcareous ooze", 0.05, 6},
		{"clay", 0.14, 6}, {"radiolarian ooze", 0.04, 4}, {"volcanic ash", 0.12, 0.3},
	}},
	{name: "terrigenous margin", weight: 0.32, crust: 0.05, water: [2]float64{400, 3500}, units: []unitChoice{
		{"clay", 0.32, 12}, {"silty clay", 0.16, 8}, {"mud", 0.05, 6}, {"clayey silt", 0.06, 5},
		{"sand", 0.12, 3}, {"silt", 0.06, 3}, {"nannofossil ooze", 0.08, 6}, {"volcanic ash", 0.1, 0.2},
	}},
	{name: "carbonate platform", weight: 0.15, hard: true, water: [2]float64{150, 1400}, units: []unitChoice{
		{"wackestone", 0.38, 9}, {"packstone", 0.28, 8}, {"grainstone", 0.08, 4},
		{"mudstone", 0.18, 6}, {"nannofossil ooze", 0.08, 5},
	}},
	{name: "biosiliceous", weight: 0.06, crust: 0.1, water: [2]float64{2000, 4500}, units: []unitChoice{
		{"diatom ooze", 0.42, 14}, {"clay", 0.18, 6}, {"silty clay", 0.1, 5}, {"radiolarian ooze", 0.06, 4},
		{"nannofossil ooze", 0.12, 6}, {"volcanic ash", 0.12, 0.2},
	}},
	{name: "glacial", weight: 0.06, water: [2]float64{300, 3000}, units: []unitChoice{
		{"diamict", 0.25, 6}, {"clay", 0.3, 8}, {"silty clay", 0.15, 6}, {"mud", 0.08, 5},
		{"clayey silt", 0.1, 4}, {"sand", 0.1, 2},
	}},
	{name: "volcanic", weight: 0.09, crust: 0.5, water: [2]float64{1000, 4000}, units: []unitChoice{
		{"volcanic ash", 0.3, 0.6}, {"clay", 0.28, 8}, {"mud", 0.08, 6}, {"nannofossil ooze", 0.16, 8},
		{"silty clay", 0.08, 5}, {"sand", 0.1, 2},
	}},
}

// Expeditions: those before 346 have no RGB (the colour track came later).
// Two carry a letter, as in the real files.
var (
	oldExpeditions = []string{"317", "318", "320", "321", "322", "323", "324", "327", "329", "330",
		"333", "334", "336", "339", "340", "341", "342", "344", "345"}
	newExpeditions = []string{"346", "349", "350", "351", "352", "353", "354", "355", "356", "359",
		"360", "361", "362", "363", "366", "367", "368", "368X", "369", "371", "372", "374", "375",
		"376", "379", "379T", "382", "383", "385"}
)

// coreTypes: the LILY Type code, the expanded name, the core advance and
// the recovery range.
type coreType struct {
	code, expanded string
	advance        float64
	recovery       [2]float64
}

var (
	apc   = &coreType{"H", "APC - Advanced Piston Corer", 9.5, [2]float64{0.95, 1.0}}
	hlapc = &coreType{"F", "HLAPC - Half-Length Advanced Piston Corer", 4.7, [2]float64{0.95, 1.0}}
	xcb   = &coreType{"X", "XCB - Extended Core Barrel", 9.5, [2]float64{0.5, 0.95}}
	rcb   = &coreType{"R", "RCB - Rotary Core Barrel", 9.5, [2]float64{0.15, 0.85}}
)
