package cluster

// Canonical renumbers clusters in order of first appearance in labels,
// so that equal partitions get equal labels whatever numbering the
// algorithm happened to produce. It returns the new labels and order,
// where order[new] = old; clusters that label no row come last, in their
// old order.
func Canonical(labels []int, k int) (canon, order []int) {
	newOf := make([]int, k)
	for i := range newOf {
		newOf[i] = -1
	}
	for _, l := range labels {
		if newOf[l] < 0 {
			newOf[l] = len(order)
			order = append(order, l)
		}
	}
	for old := range k {
		if newOf[old] < 0 {
			newOf[old] = len(order)
			order = append(order, old)
		}
	}
	canon = make([]int, len(labels))
	for i, l := range labels {
		canon[i] = newOf[l]
	}
	return canon, order
}

// permuteBlocks reorders the k blocks of size m in v so that block i of
// the result is block order[i] of v.
func permuteBlocks(v []float64, order []int, m int) []float64 {
	out := make([]float64, 0, len(v))
	for _, old := range order {
		out = append(out, v[old*m:(old+1)*m]...)
	}
	return out
}
