package ingest

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"unsafe"

	"litho/schemas"
)

// groups gathers rows per borehole, with strings as ids into one table
// for the file. Past the row budget, the buffered rows of every borehole
// go to one spill file, borehole after borehole, and the buffers empty.
type groups struct {
	spec     *schemas.LILYFile
	dir      string
	budget   int
	held     int
	tab      *strtab
	rows     [][]row              // by borehole id
	files    []*os.File           // one spill file per round
	spills   map[uint32][]segment // borehole → its runs in the spill files
	borehole []bool               // which ids name a borehole
}

func newGroups(cfg Config, tab *strtab) *groups {
	budget := cfg.SpillRows
	if budget <= 0 {
		budget = DefaultSpillRows
	}
	return &groups{spec: cfg.Spec, dir: cfg.TempDir, budget: budget, tab: tab, spills: map[uint32][]segment{}}
}

// add takes one chunk's rows, a run of one borehole at a time.
func (g *groups) add(rows []row) error {
	for i := 0; i < len(rows); {
		b := rows[i].borehole
		j := i + 1
		for j < len(rows) && rows[j].borehole == b {
			j++
		}
		for int(b) >= len(g.rows) {
			g.rows = append(g.rows, nil)
			g.borehole = append(g.borehole, false)
		}
		g.rows[b] = append(g.rows[b], rows[i:j]...)
		g.borehole[b] = true
		i = j
	}
	g.held += len(rows)
	if g.held < g.budget {
		return nil
	}
	return g.spill()
}

// boreholes lists the borehole ids, ordered by name.
func (g *groups) boreholes() []uint32 {
	var out []uint32
	for id, ok := range g.borehole {
		if ok {
			out = append(out, uint32(id))
		}
	}
	slices.SortFunc(out, func(a, b uint32) int { return cmp.Compare(g.tab.names[a], g.tab.names[b]) })
	return out
}

// segment is a run of one borehole's rows in a spill file.
type segment struct {
	file *os.File
	off  int64
	n    int
}

func (g *groups) spill() error {
	if g.dir == "" {
		return fmt.Errorf("row budget of %d exceeded and no temporary directory to spill to", g.budget)
	}
	f, err := os.Create(filepath.Join(g.dir, "spill-"+strconv.Itoa(len(g.files))))
	if err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	g.files = append(g.files, f)
	w := bufio.NewWriterSize(f, 1<<20)
	var off int64
	for b, rows := range g.rows {
		if len(rows) == 0 {
			continue
		}
		if _, err := w.Write(rowBytes(rows)); err != nil {
			return fmt.Errorf("spill: %w", err)
		}
		g.spills[uint32(b)] = append(g.spills[uint32(b)], segment{f, off, len(rows)})
		off += int64(len(rows) * rowSize)
		g.rows[b] = rows[:0:0]
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	g.held = 0
	return nil
}

// write encodes and puts every borehole, a few at a time.
func (g *groups) write(ctx context.Context, cfg Config, put PutFunc) (int64, error) {
	ids := g.boreholes()
	workers := cfg.Workers
	if workers <= 0 {
		// Twice the cores: put usually waits on the store's disk writes,
		// and a waiting goroutine leaves its core to another.
		workers = 2 * runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(ids))
	type job struct {
		borehole uint32
		rows     []row
	}
	var (
		mu    sync.Mutex
		dups  int64
		first error
		wg    sync.WaitGroup
	)
	next := make(chan job)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				name := g.tab.names[j.borehole]
				n, err := g.writeOne(ctx, j.borehole, j.rows, put)
				mu.Lock()
				dups += n
				if err != nil && first == nil {
					first = fmt.Errorf("%s: borehole %s: %w", cfg.Name, name, err)
				}
				mu.Unlock()
			}
		}()
	}
	for _, b := range ids {
		mu.Lock()
		stop := first != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		next <- job{b, g.rows[b]}
		g.rows[b] = nil // let the encoded borehole's rows be collected
	}
	close(next)
	wg.Wait()
	if first != nil {
		return dups, first
	}
	return dups, ctx.Err()
}

// writeOne encodes one borehole: its spilled rows then those in memory.
func (g *groups) writeOne(ctx context.Context, b uint32, rows []row, put PutFunc) (int64, error) {
	if segs := g.spills[b]; len(segs) > 0 {
		spilled, err := readSpill(segs, len(rows))
		if err != nil {
			return 0, err
		}
		rows = append(spilled, rows...)
	}
	table, dups, err := encode(g.spec, g.tab.names[b], rows, g.tab.names)
	if err != nil {
		return 0, err
	}
	return dups, put(ctx, g.tab.names[b], table)
}

func (g *groups) cleanup() {
	for _, f := range g.files {
		f.Close()
		os.Remove(f.Name())
	}
}

// encode sorts one borehole's rows canonically, so the table's bytes do
// not depend on the order of the CSV, and encodes them; it returns the
// number of duplicate rows.
func encode(spec *schemas.LILYFile, borehole string, rows []row, names []string) ([]byte, int64, error) {
	nmeas, nvals := len(spec.Measures), len(spec.ValueFields())
	order := func(a, b row) int {
		if c := cmp.Compare(a.depth, b.depth); c != 0 {
			return c
		}
		if a.section != b.section {
			return cmp.Compare(names[a.section], names[b.section])
		}
		if c := cmp.Compare(orZero(a.offset), orZero(b.offset)); c != 0 {
			return c
		}
		for i := range nmeas {
			if c := cmp.Compare(a.v[i], b.v[i]); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(names[a.label], names[b.label]); c != 0 {
			return c
		}
		// Ties of the order above are broken last (a null offset before
		// 0, then the parts, NaN first), so rows keep the order they had
		// before these were columns and bin's sums stay bit for bit.
		if c := cmp.Compare(a.offset, b.offset); c != 0 {
			return c
		}
		for i := nmeas; i < nvals; i++ {
			if c := cmp.Compare(a.v[i], b.v[i]); c != 0 {
				return c
			}
		}
		return 0
	}
	slices.SortFunc(rows, order)
	var dups int64
	t := &schemas.MeasureTable{File: spec, Borehole: borehole, Rows: make([]schemas.MeasureRow, len(rows))}
	for i, r := range rows {
		if i > 0 && order(r, rows[i-1]) == 0 {
			dups++
		}
		t.Rows[i] = schemas.MeasureRow{Depth: r.depth, Section: names[r.section], Offset: r.offset, Values: r.v, Principal: names[r.label]}
	}
	b, err := schemas.WriteMeasures(t)
	return b, dups, err
}

// orZero is an offset as rows were ordered by before it could be null.
func orZero(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// Spill files hold rows in memory layout: they are read back by the same
// process that wrote them, and row ids are only meaningful within it.
const rowSize = int(unsafe.Sizeof(row{}))

func rowBytes(rows []row) []byte {
	if len(rows) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&rows[0])), len(rows)*rowSize)
}

// readSpill reads a borehole's spilled rows, leaving room for more.
func readSpill(segs []segment, more int) ([]row, error) {
	n := more
	for _, sg := range segs {
		n += sg.n
	}
	rows := make([]row, 0, n)
	for _, sg := range segs {
		part := rows[len(rows) : len(rows)+sg.n]
		if _, err := sg.file.ReadAt(rowBytes(part), sg.off); err != nil {
			return nil, fmt.Errorf("read spill: %w", err)
		}
		rows = rows[:len(rows)+sg.n]
	}
	return rows, nil
}
