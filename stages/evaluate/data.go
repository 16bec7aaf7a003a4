package evaluate

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"litho/schemas"
	"litho/stages/cluster"
)

// Data is the evaluated rows joined with every labeling of them.
type Data struct {
	Split     string
	Keys      []cluster.RowKey // sorted by borehole, bin
	Depth     []float64
	Lith      []int    // index into Liths
	Liths     []string // by frequency, most frequent first (ties by name)
	Z         cluster.Points
	Labelings []Labeling // sorted by method, then k
}

// Labeling is one method and k's clusters of the evaluated rows.
type Labeling struct {
	Method string
	K      int
	Labels []int
}

// Join selects the latent rows of split ("all" for every row) and
// attaches the clusters every (method, k) of the assignments gives them.
// Assignments of other rows are ignored; an evaluated row missing from a
// labeling is an error, since it means cluster ran on another split.
func Join(latent []schemas.LatentRow, assignments []schemas.AssignmentRow, split string) (*Data, error) {
	var rows []schemas.LatentRow
	for _, r := range latent {
		if split == "all" || r.Split == split {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("latent: no rows in split %q", split)
	}
	slices.SortFunc(rows, func(a, b schemas.LatentRow) int {
		return cmp.Or(cmp.Compare(a.Borehole, b.Borehole), cmp.Compare(a.Bin, b.Bin))
	})
	d := &Data{Split: split}
	if err := d.setRows(rows); err != nil {
		return nil, err
	}
	if err := d.setLabelings(assignments); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Data) setRows(rows []schemas.LatentRow) error {
	dim := len(rows[0].Z)
	d.Z = cluster.Points{X: make([]float64, 0, len(rows)*dim), N: len(rows), D: dim}
	count := map[string]int{}
	for i, r := range rows {
		key := cluster.RowKey{Borehole: r.Borehole, Bin: r.Bin}
		if i > 0 && key == d.Keys[i-1] {
			return fmt.Errorf("latent: duplicate row %s bin %d", r.Borehole, r.Bin)
		}
		if len(r.Z) != dim {
			return fmt.Errorf("latent: row %s bin %d has %d dimensions, want %d", r.Borehole, r.Bin, len(r.Z), dim)
		}
		for j, v := range r.Z {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("latent: row %s bin %d: z[%d] is %v", r.Borehole, r.Bin, j, v)
			}
			d.Z.X = append(d.Z.X, float64(v))
		}
		d.Keys = append(d.Keys, key)
		d.Depth = append(d.Depth, r.Depth)
		count[r.Principal]++
	}
	d.Liths = byFrequency(count)
	index := map[string]int{}
	for i, l := range d.Liths {
		index[l] = i
	}
	for _, r := range rows {
		d.Lith = append(d.Lith, index[r.Principal])
	}
	return nil
}

// byFrequency lists the keys of count, most frequent first, ties by name.
func byFrequency(count map[string]int) []string {
	out := make([]string, 0, len(count))
	for k := range count {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(cmp.Compare(count[b], count[a]), cmp.Compare(a, b)) })
	return out
}

func (d *Data) setLabelings(assignments []schemas.AssignmentRow) error {
	type mk struct {
		method string
		k      int
	}
	index := make(map[cluster.RowKey]int, len(d.Keys))
	for i, key := range d.Keys {
		index[key] = i
	}
	byModel := map[mk][]int{}
	for _, a := range assignments {
		i, ok := index[cluster.RowKey{Borehole: a.Borehole, Bin: a.Bin}]
		if !ok {
			continue
		}
		m := mk{a.Method, int(a.K)}
		labels := byModel[m]
		if labels == nil {
			labels = make([]int, len(d.Keys))
			for j := range labels {
				labels[j] = -1
			}
			byModel[m] = labels
		}
		if a.Cluster < 0 || int(a.Cluster) >= m.k {
			return fmt.Errorf("assignments: %s k=%d gives %s bin %d cluster %d, outside 0..%d", m.method, m.k, a.Borehole, a.Bin, a.Cluster, m.k-1)
		}
		labels[i] = int(a.Cluster)
	}
	if len(byModel) == 0 {
		return fmt.Errorf("assignments: no rows of split %q (was cluster run on another split?)", d.Split)
	}
	for m, labels := range byModel {
		if i := slices.Index(labels, -1); i >= 0 {
			return fmt.Errorf("assignments: %s k=%d has no cluster for %s bin %d of split %q", m.method, m.k, d.Keys[i].Borehole, d.Keys[i].Bin, d.Split)
		}
		d.Labelings = append(d.Labelings, Labeling{Method: m.method, K: m.k, Labels: labels})
	}
	slices.SortFunc(d.Labelings, func(a, b Labeling) int { return cmp.Or(cmp.Compare(a.Method, b.Method), cmp.Compare(a.K, b.K)) })
	return nil
}

// Boreholes lists the evaluated boreholes by number of rows, most first
// (ties by name).
func (d *Data) Boreholes() []string {
	count := map[string]int{}
	for _, k := range d.Keys {
		count[k.Borehole]++
	}
	return byFrequency(count)
}

// Labeling returns the labeling of method and k.
func (d *Data) Labeling(method string, k int) (Labeling, bool) {
	for _, l := range d.Labelings {
		if l.Method == method && l.K == k {
			return l, true
		}
	}
	return Labeling{}, false
}
