package evaluate

// ARI is the adjusted Rand index of two labelings of the same items
// (Hubert & Arabie 1985), computed exactly from their contingency table:
// 1 for identical partitions, about 0 for independent ones. Labels are
// small non-negative integers. When both partitions are trivial in the
// same way (one cluster each, or all singletons) the index is 1, as in
// scikit-learn.
func ARI(a, b []int) float64 {
	n := len(a)
	if n != len(b) {
		panic("evaluate: ARI of labelings of different lengths")
	}
	if n < 2 {
		return 1
	}
	rows, cols := map[int]int{}, map[int]int{}
	cells := map[[2]int]int{}
	for i := range a {
		rows[a[i]]++
		cols[b[i]]++
		cells[[2]int{a[i], b[i]}]++
	}
	var sumCells, sumRows, sumCols float64
	for _, c := range cells {
		sumCells += pairs(c)
	}
	for _, c := range rows {
		sumRows += pairs(c)
	}
	for _, c := range cols {
		sumCols += pairs(c)
	}
	expected := sumRows * sumCols / pairs(n)
	maxIndex := (sumRows + sumCols) / 2
	if maxIndex == expected {
		return 1
	}
	return (sumCells - expected) / (maxIndex - expected)
}

// pairs is n choose 2; exact in float64 for any n litho sees (< 2⁵³).
func pairs(n int) float64 { return float64(n) * float64(n-1) / 2 }
