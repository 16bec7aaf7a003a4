package evaluate

import (
	"math"

	"litho/stages/cluster"
)

// Silhouettes returns the mean silhouette coefficient (Rousseeuw 1987,
// Euclidean distance) of each labeling over the points pts, which are
// typically a seeded sample. Every pair distance is computed once and
// shared by all labelings. A point alone in its cluster scores 0; a
// labeling with a single cluster scores 0.
func Silhouettes(pts cluster.Points, labelings [][]int, workers int) []float64 {
	m, nl := pts.N, len(labelings)
	offsets := make([]int, nl+1)
	for l, labels := range labelings {
		k := 0
		for _, c := range labels {
			k = max(k, c+1)
		}
		offsets[l+1] = offsets[l] + k
	}
	// Row-major labels of point j under every labeling, as offsets into
	// one array of per-cluster sums.
	slot := make([]int, m*nl)
	counts := make([]float64, offsets[nl])
	for l, labels := range labelings {
		for j, c := range labels {
			slot[j*nl+l] = offsets[l] + c
			counts[offsets[l]+c]++
		}
	}
	scores := make([]float64, m*nl)
	cluster.ParallelFor(m, workers, func(i int) {
		sums := make([]float64, offsets[nl])
		xi := pts.Row(i)
		for j := range m {
			if j == i {
				continue
			}
			d := math.Sqrt(cluster.SqDist(xi, pts.Row(j)))
			for _, s := range slot[j*nl : (j+1)*nl] {
				sums[s] += d
			}
		}
		for l := range nl {
			scores[i*nl+l] = silhouette(sums, counts, offsets[l], offsets[l+1], slot[i*nl+l])
		}
	})
	means := make([]float64, nl)
	for i := range m {
		for l := range nl {
			means[l] += scores[i*nl+l]
		}
	}
	for l := range means {
		means[l] /= float64(m)
	}
	return means
}

// silhouette is one point's coefficient from its summed distances to each
// cluster [lo, hi) of one labeling; own is its cluster.
func silhouette(sums, counts []float64, lo, hi, own int) float64 {
	if counts[own] < 2 {
		return 0
	}
	a := sums[own] / (counts[own] - 1)
	b := math.Inf(1)
	for c := lo; c < hi; c++ {
		if c != own && counts[c] > 0 {
			b = min(b, sums[c]/counts[c])
		}
	}
	if math.IsInf(b, 1) || max(a, b) == 0 {
		return 0
	}
	return (b - a) / max(a, b)
}
