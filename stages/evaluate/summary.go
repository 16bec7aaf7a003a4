package evaluate

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"litho/dag"
	"litho/schemas"
)

// SummarySchema names the layout of the summarise stage's metrics.
const SummarySchema = "litho.metrics-summary/1"

// Summary is every metric's spread over the partitions of evaluate's
// metrics (folds × seeds), with each partition's own values.
type Summary struct {
	Schema string `json:"schema"`
	Folds  int    `json:"folds"` // distinct foldN segments (1 without folds)
	Seeds  int    `json:"seeds"` // distinct seedN segments (1 without replicates)
	// Partitions holds each partition's flat metrics; "" for a single split.
	Partitions map[string]map[string]float64 `json:"partitions"`
	Stats      map[string]Stat               `json:"stats"`
}

// Stat is one metric over n partitions. SD is the sample standard
// deviation (n − 1 in the denominator; 0 when n = 1) and SE = SD / √n.
type Stat struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	SE   float64 `json:"se"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
}

// SummariseKind is the summarise stage: it reads evaluate's metrics
// whole, partitioned or not, and writes their spread.
func SummariseKind() *dag.Kind {
	return &dag.Kind{
		Name:    "summarise",
		Version: "1/" + MetricsSchema,
		Doc:     "mean, sd, se, min and max of every metric over folds × seeds",
		Inputs:  []dag.InputSpec{{Name: "metrics"}},
		Outputs: []dag.OutputSpec{{Name: "metrics", MediaType: schemas.MediaMetrics}},
		Run:     runSummarise,
	}
}

func runSummarise(ctx context.Context, x *dag.Exec) error {
	flats, err := readFlats(ctx, x)
	if err != nil {
		return err
	}
	s := Summarise(flats)
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := x.Put(ctx, "metrics", append(b, '\n')); err != nil {
		return err
	}
	x.Summary("%d partitions (%s)", len(flats), s.Shape())
	return nil
}

// readFlats reads the flat metrics of every partition, or of the one
// single-split artifact under "".
func readFlats(ctx context.Context, x *dag.Exec) (map[string]map[string]float64, error) {
	parts, err := x.Parts("metrics")
	if err != nil {
		b, err := x.Read(ctx, "metrics")
		if err != nil {
			return nil, err
		}
		flat, err := Flatten(b)
		return map[string]map[string]float64{"": flat}, err
	}
	out := map[string]map[string]float64{}
	for _, p := range parts {
		b, err := x.ReadPart(ctx, "metrics", p)
		if err != nil {
			return nil, err
		}
		if out[p], err = Flatten(b); err != nil {
			return nil, fmt.Errorf("metrics %s: %w", p, err)
		}
	}
	return out, nil
}

// Summarise computes each metric's Stat over the partitions that have it.
func Summarise(flats map[string]map[string]float64) *Summary {
	s := &Summary{Schema: SummarySchema, Partitions: flats, Stats: map[string]Stat{}}
	folds, seeds := map[string]bool{}, map[string]bool{}
	values := map[string][]float64{}
	for _, p := range slices.Sorted(maps.Keys(flats)) {
		for seg := range strings.SplitSeq(p, dag.PartSep) {
			switch {
			case strings.HasPrefix(seg, "fold"):
				folds[seg] = true
			case strings.HasPrefix(seg, "seed"):
				seeds[seg] = true
			}
		}
		for k, v := range flats[p] {
			values[k] = append(values[k], v)
		}
	}
	s.Folds, s.Seeds = max(len(folds), 1), max(len(seeds), 1)
	for k, vs := range values {
		s.Stats[k] = spread(vs)
	}
	return s
}

// spread sums in partition order, so equal inputs give equal bytes.
func spread(vs []float64) Stat {
	st := Stat{N: len(vs), Min: slices.Min(vs), Max: slices.Max(vs)}
	sum := 0.0
	for _, v := range vs {
		sum += v
	}
	st.Mean = sum / float64(st.N)
	if st.N > 1 {
		ss := 0.0
		for _, v := range vs {
			ss += (v - st.Mean) * (v - st.Mean)
		}
		st.SD = math.Sqrt(ss / float64(st.N-1))
		st.SE = st.SD / math.Sqrt(float64(st.N))
	}
	return st
}

// Shape says what the spread is over: "5 folds × 3 seeds".
func (s *Summary) Shape() string {
	plural := func(n int, what string) string {
		if n == 1 {
			return "1 " + what
		}
		return fmt.Sprintf("%d %ss", n, what)
	}
	return plural(s.Folds, "fold") + " × " + plural(s.Seeds, "seed")
}

// Flat gives KEY.mean, .sd, .se, .n, .min and .max for every metric,
// and each partition's value as PARTITION:KEY (fold2/seed3:gmm.k18.ari).
// The single-split keys themselves are not here: over folds there is
// no one value a plain gmm.k18.ari could mean.
func (s *Summary) Flat() map[string]float64 {
	out := map[string]float64{}
	for k, st := range s.Stats {
		out[k+".mean"], out[k+".sd"], out[k+".se"] = st.Mean, st.SD, st.SE
		out[k+".n"], out[k+".min"], out[k+".max"] = float64(st.N), st.Min, st.Max
	}
	for p, flat := range s.Partitions {
		if p == "" {
			continue
		}
		for k, v := range flat {
			out[p+":"+k] = v
		}
	}
	return out
}

// ParseSummary decodes the summarise stage's metrics.
func ParseSummary(b []byte) (*Summary, error) {
	return decodeMetrics(b, func(s *Summary) string { return s.Schema }, SummarySchema)
}
