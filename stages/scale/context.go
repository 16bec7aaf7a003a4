package scale

// stack makes the model inputs of bins (sorted by borehole, bin) from
// their scaled features x: for each feature, in order, its value in the
// bins c above to c below (v2.2's spatial context; c = 0 gives x).
//
// Edge rule: the neighbour at offset o is the bin numbered Bin + o in the
// same borehole. Where there is none — at the ends of a borehole, and
// across gaps that recovery, the range filters or the inner join of
// instruments left — the bin's own value stands in. So every bin keeps
// its row: the context variants of a model train, embed and are scored
// on the same bins as the model without context, and their ARIs compare.
// Dropping such bins (pandas' shift then dropna) would instead take out
// most bins of patchy rotary cores, and treating the next bin present as
// the neighbour (shift alone) would join bins metres apart.
func stack(bins []bin, x [][]float32, c int) [][]float32 {
	if c == 0 {
		return x
	}
	out := make([][]float32, len(bins))
	for lo := 0; lo < len(bins); {
		hi := lo + 1
		for hi < len(bins) && bins[hi].borehole == bins[lo].borehole {
			hi++
		}
		stackBorehole(bins[lo:hi], x[lo:hi], out[lo:hi], c)
		lo = hi
	}
	return out
}

// stackBorehole stacks the bins of one borehole into out.
func stackBorehole(bins []bin, x, out [][]float32, c int) {
	at := make(map[int64]int, len(bins))
	for i, b := range bins {
		at[b.bin] = i
	}
	for i, b := range bins {
		row := make([]float32, 0, len(x[i])*(2*c+1))
		for j := range x[i] {
			for o := -c; o <= c; o++ {
				k, ok := at[b.bin+int64(o)]
				if !ok {
					k = i
				}
				row = append(row, x[k][j])
			}
		}
		out[i] = row
	}
}
