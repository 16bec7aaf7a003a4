package cluster

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// chunkRows is the fixed block size of row-parallel loops. Partial results
// are kept per block and reduced in block order, so sums do not depend on
// how many goroutines ran or how they were scheduled.
const chunkRows = 2048

// numChunks is the number of blocks of chunkRows covering n rows.
func numChunks(n int) int { return (n + chunkRows - 1) / chunkRows }

// chunkBounds returns the rows [lo, hi) of block c.
func chunkBounds(c, n int) (lo, hi int) {
	lo = c * chunkRows
	return lo, min(lo+chunkRows, n)
}

// ParallelFor calls fn(i) for i in [0, n) on up to workers goroutines
// (0 means GOMAXPROCS).
// fn must write only to state owned by i.
func ParallelFor(n, workers int, fn func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}
