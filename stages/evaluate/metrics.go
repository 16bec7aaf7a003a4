package evaluate

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"litho/schemas"
	"litho/stages/cluster"
)

// MetricsSchema names the layout of metrics.json; Flatten accepts any
// "litho.metrics/1" document.
const MetricsSchema = "litho.metrics/1"

// topLithologies is how many lithologies a cluster's composition lists.
const topLithologies = 5

// Metrics is metrics.json. See the package documentation for the keys
// Flatten derives from it.
type Metrics struct {
	Schema           string                      `json:"schema"`
	Split            string                      `json:"split"`
	Rows             int                         `json:"rows"`
	Boreholes        int                         `json:"boreholes"`
	Lithologies      int                         `json:"lithologies"`
	SilhouetteSample int                         `json:"silhouette_sample"`
	Latent           LatentInfo                  `json:"latent"`
	Model            *schemas.ModelInfo          `json:"model,omitempty"` // with the stats input only
	Methods          map[string]map[string]Score `json:"methods"`         // method → "k18" → score
	Best             map[string]Best             `json:"best"`            // method → its k of highest ARI
}

// LatentInfo describes the latent space of the evaluated rows.
type LatentInfo struct {
	Dim               int       `json:"dim"`
	Std               []float64 `json:"std"`
	ActiveDims        int       `json:"active_dims"`
	CollapseThreshold float64   `json:"collapse_threshold"`
}

// ParseModel reads the model section of embed's stats JSON.
func ParseModel(stats []byte) (*schemas.ModelInfo, error) {
	var s struct {
		Model *schemas.ModelInfo `json:"model"`
	}
	if err := json.Unmarshal(stats, &s); err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	if s.Model == nil || s.Model.Parameters < 1 || len(s.Model.Features) == 0 {
		return nil, fmt.Errorf("stats: no model parameters and features (written by an older embed?)")
	}
	return s.Model, nil
}

// Score is how one method and k agree with the described lithology.
type Score struct {
	K           int           `json:"k"`
	ARI         float64       `json:"ari"`
	Silhouette  float64       `json:"silhouette"`
	Purity      float64       `json:"purity"`  // share of rows whose cluster's most frequent lithology is theirs
	Entropy     float64       `json:"entropy"` // size-weighted mean of cluster lithology entropies, bits
	Clusters    int           `json:"clusters"`
	Composition []ClusterInfo `json:"composition"`
}

// ClusterInfo is the lithology make-up of one cluster.
type ClusterInfo struct {
	Cluster int         `json:"cluster"`
	Size    int         `json:"size"`
	Share   float64     `json:"share"`   // of evaluated rows
	Entropy float64     `json:"entropy"` // of its lithologies, bits
	Top     []LithShare `json:"top"`     // most frequent lithologies, at most 5
}

// LithShare is a lithology's share of a cluster.
type LithShare struct {
	Lithology string  `json:"lithology"`
	Share     float64 `json:"share"`
}

// Best is a method's k with the highest ARI (ties to the smaller k).
type Best struct {
	K          int     `json:"k"`
	ARI        float64 `json:"ari"`
	Silhouette float64 `json:"silhouette"`
}

// ScoreKey is the key of k under a method in Metrics.Methods.
func ScoreKey(k int) string { return "k" + strconv.Itoa(k) }

// Compute scores every labeling of d. The silhouette uses the same
// seeded sample of at most sample rows for all labelings.
func Compute(d *Data, sample int, seed uint64) *Metrics {
	m := &Metrics{Schema: MetricsSchema, Split: d.Split, Rows: d.Z.N, Boreholes: len(d.Boreholes()),
		Lithologies: len(d.Liths), Latent: latentInfo(d.Z),
		Methods: map[string]map[string]Score{}, Best: map[string]Best{}}
	idx := SampleRows(d.Z.N, sample, seed)
	m.SilhouetteSample = len(idx)
	sil := Silhouettes(subset(d.Z, idx), sampledLabels(d.Labelings, idx), 0)
	for i, l := range d.Labelings {
		s := score(d, l)
		s.Silhouette = sil[i]
		if m.Methods[l.Method] == nil {
			m.Methods[l.Method] = map[string]Score{}
		}
		m.Methods[l.Method][ScoreKey(l.K)] = s
		if b, ok := m.Best[l.Method]; !ok || s.ARI > b.ARI {
			m.Best[l.Method] = Best{K: l.K, ARI: s.ARI, Silhouette: s.Silhouette}
		}
	}
	return m
}

// SampleRows draws min(size, n) distinct rows from PCG(seed, 0), sorted.
func SampleRows(n, size int, seed uint64) []int {
	if size >= n {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	idx := rand.New(rand.NewPCG(seed, 0)).Perm(n)[:size]
	slices.Sort(idx)
	return idx
}

func subset(p cluster.Points, idx []int) cluster.Points {
	out := cluster.Points{X: make([]float64, 0, len(idx)*p.D), N: len(idx), D: p.D}
	for _, i := range idx {
		out.X = append(out.X, p.Row(i)...)
	}
	return out
}

func sampledLabels(ls []Labeling, idx []int) [][]int {
	out := make([][]int, len(ls))
	for l, lab := range ls {
		out[l] = make([]int, len(idx))
		for j, i := range idx {
			out[l][j] = lab.Labels[i]
		}
	}
	return out
}

func latentInfo(z cluster.Points) LatentInfo {
	info := LatentInfo{Dim: z.D, Std: make([]float64, z.D), CollapseThreshold: schemas.CollapsedStd}
	mean := z.ColumnMeans()
	for i := range z.N {
		for j, v := range z.Row(i) {
			info.Std[j] += (v - mean[j]) * (v - mean[j])
		}
	}
	for j := range info.Std {
		info.Std[j] = math.Sqrt(info.Std[j] / float64(z.N))
		if info.Std[j] >= schemas.CollapsedStd {
			info.ActiveDims++
		}
	}
	return info
}

// score computes ARI, purity, entropy and composition of one labeling.
func score(d *Data, l Labeling) Score {
	s := Score{K: l.K, ARI: ARI(d.Lith, l.Labels)}
	table := Contingency(l.Labels, l.K, d.Lith, len(d.Liths))
	n := float64(len(l.Labels))
	var pure int
	for c, row := range table {
		size := 0
		for _, v := range row {
			size += v
		}
		if size == 0 {
			continue
		}
		s.Clusters++
		info := composition(c, row, size, d.Liths)
		info.Share = float64(size) / n
		pure += slices.Max(row)
		s.Entropy += info.Share * info.Entropy
		s.Composition = append(s.Composition, info)
	}
	s.Purity = float64(pure) / n
	return s
}

// Contingency counts rows per (cluster, lithology): table[c][l].
func Contingency(clusters []int, k int, liths []int, nLiths int) [][]int {
	table := make([][]int, k)
	for c := range table {
		table[c] = make([]int, nLiths)
	}
	for i, c := range clusters {
		table[c][liths[i]]++
	}
	return table
}

func composition(c int, row []int, size int, names []string) ClusterInfo {
	info := ClusterInfo{Cluster: c, Size: size}
	order := make([]int, 0, len(row))
	for l, v := range row {
		if v > 0 {
			order = append(order, l)
			p := float64(v) / float64(size)
			info.Entropy -= p * math.Log2(p)
		}
	}
	// Liths are already sorted by overall frequency, so ties in a cluster
	// go to the more frequent lithology overall.
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(row[b], row[a]) })
	for _, l := range order[:min(topLithologies, len(order))] {
		info.Top = append(info.Top, LithShare{Lithology: names[l], Share: float64(row[l]) / float64(size)})
	}
	info.Entropy = math.Abs(info.Entropy) // -0 for a pure cluster
	return info
}

// Encode writes metrics.json: indented, keys sorted, so equal metrics
// give equal bytes.
func (m *Metrics) Encode() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return append(b, '\n'), nil
}

// ParseMetrics decodes metrics.json, checking its schema.
func ParseMetrics(b []byte) (*Metrics, error) {
	return decodeMetrics(b, func(m *Metrics) string { return m.Schema }, MetricsSchema)
}

// decodeMetrics decodes a metrics file into a T whose schema (schemaOf)
// must be want.
func decodeMetrics[T any](b []byte, schemaOf func(*T) string, want string) (*T, error) {
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if got := schemaOf(&v); got != want {
		return nil, fmt.Errorf("metrics: schema %q, want %q", got, want)
	}
	return &v, nil
}

// Flatten turns metrics.json into the flat keys gates and diffs use:
//
//	rows, boreholes, lithologies, silhouette_sample
//	latent.dim, latent.active_dims
//	model.parameters, model.inputs (when the metrics describe the model)
//	<method>.k<k>.{ari,silhouette,purity,entropy,clusters}
//	best.<method>.{k,ari,silhouette}
//
// A summary (schema litho.metrics-summary/1) flattens to the spread of
// each of these keys (see Summary.Flat).
func Flatten(b []byte) (map[string]float64, error) {
	if s, err := ParseSummary(b); err == nil {
		return s.Flat(), nil
	}
	m, err := ParseMetrics(b)
	if err != nil {
		return nil, err
	}
	return m.Flat(), nil
}

// Flat is Flatten of already decoded metrics.
func (m *Metrics) Flat() map[string]float64 {
	out := map[string]float64{
		"rows": float64(m.Rows), "boreholes": float64(m.Boreholes), "lithologies": float64(m.Lithologies),
		"silhouette_sample": float64(m.SilhouetteSample),
		"latent.dim":        float64(m.Latent.Dim), "latent.active_dims": float64(m.Latent.ActiveDims),
	}
	if m.Model != nil {
		out["model.parameters"] = float64(m.Model.Parameters)
		out["model.inputs"] = float64(len(m.Model.Features))
		for f, r2 := range m.Model.ReconR2 {
			out["recon."+f+".r2"] = r2
		}
		for f, r2 := range m.Model.ImputeR2 {
			out["impute."+f+".r2"] = r2
		}
	}
	for method, scores := range m.Methods {
		for key, s := range scores {
			p := method + "." + key + "."
			out[p+"ari"] = s.ARI
			out[p+"silhouette"] = s.Silhouette
			out[p+"purity"] = s.Purity
			out[p+"entropy"] = s.Entropy
			out[p+"clusters"] = float64(s.Clusters)
		}
	}
	for method, b := range m.Best {
		p := "best." + method + "."
		out[p+"k"] = float64(b.K)
		out[p+"ari"] = b.ARI
		out[p+"silhouette"] = b.Silhouette
	}
	return out
}

// SortedKeys lists the keys of a flat metrics map in a readable order:
// by section, then methods' k numerically.
func SortedKeys(flat map[string]float64) []string {
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareKeys)
	return keys
}

func compareKeys(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i] == pb[i] {
			continue
		}
		ka, ea := strconv.Atoi(strings.TrimPrefix(pa[i], "k"))
		kb, eb := strconv.Atoi(strings.TrimPrefix(pb[i], "k"))
		if ea == nil && eb == nil && strings.HasPrefix(pa[i], "k") && strings.HasPrefix(pb[i], "k") {
			return cmp.Compare(ka, kb)
		}
		return cmp.Compare(pa[i], pb[i])
	}
	return cmp.Compare(len(pa), len(pb))
}
