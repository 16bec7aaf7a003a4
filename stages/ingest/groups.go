package ingest

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"

	"litho/schemas"
)

// groups gathers rows per borehole. Past the row budget, every borehole's
// buffered rows are appended to its spill file and the buffers emptied.
type groups struct {
	dir      string
	budget   int
	held     int
	rows     map[string][]schemas.MeasureRow
	spills   map[string]string // borehole → spill file
	spillSeq int
}

func newGroups(cfg Config) *groups {
	budget := cfg.SpillRows
	if budget <= 0 {
		budget = DefaultSpillRows
	}
	return &groups{dir: cfg.TempDir, budget: budget, rows: map[string][]schemas.MeasureRow{}, spills: map[string]string{}}
}

func (g *groups) add(rows []parsed) error {
	for _, p := range rows {
		g.rows[p.borehole] = append(g.rows[p.borehole], p.row)
	}
	g.held += len(rows)
	if g.held < g.budget {
		return nil
	}
	return g.spill()
}

func (g *groups) spill() error {
	if g.dir == "" {
		return errors.New("ingest: row budget exceeded and no temporary directory to spill to")
	}
	for _, b := range sortedKeys(g.rows) {
		rows := g.rows[b]
		if len(rows) == 0 {
			continue
		}
		path, ok := g.spills[b]
		if !ok {
			g.spillSeq++
			path = filepath.Join(g.dir, "spill-"+strconv.Itoa(g.spillSeq))
			g.spills[b] = path
		}
		if err := appendSpill(path, rows); err != nil {
			return fmt.Errorf("spill %s: %w", b, err)
		}
		g.rows[b] = rows[:0:0]
	}
	g.held = 0
	return nil
}

// write encodes and puts every borehole, a few at a time.
func (g *groups) write(ctx context.Context, cfg Config, put PutFunc) (int64, error) {
	names := sortedKeys(g.rows)
	workers := min(cfg.Workers, len(names))
	if workers <= 0 {
		workers = min(runtime.GOMAXPROCS(0), len(names))
	}
	var (
		mu    sync.Mutex
		dups  int64
		first error
		wg    sync.WaitGroup
	)
	type job struct {
		borehole string
		rows     []schemas.MeasureRow
	}
	next := make(chan job)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				b := j.borehole
				n, err := g.writeOne(ctx, b, j.rows, put)
				mu.Lock()
				dups += n
				if err != nil && first == nil {
					first = fmt.Errorf("%s: borehole %s: %w", cfg.Name, b, err)
				}
				mu.Unlock()
			}
		}()
	}
	for _, b := range names {
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
func (g *groups) writeOne(ctx context.Context, b string, rows []schemas.MeasureRow, put PutFunc) (int64, error) {
	if path, ok := g.spills[b]; ok {
		spilled, err := readSpill(path)
		if err != nil {
			return 0, err
		}
		rows = append(spilled, rows...)
		os.Remove(path)
	}
	table, dups, err := encode(rows)
	if err != nil {
		return 0, err
	}
	return dups, put(ctx, b, table)
}

func (g *groups) cleanup() {
	for _, p := range g.spills {
		os.Remove(p)
	}
}

// Spill files hold rows as five little-endian float64s and four
// length-prefixed strings.

func appendSpill(path string, rows []schemas.MeasureRow) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var buf []byte
	for i := range rows {
		r := &rows[i]
		buf = buf[:0]
		for _, v := range [...]float64{r.Depth, r.Offset, r.V0, r.V1, r.V2} {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
		for _, s := range [...]string{r.Core, r.Type, r.Sect, r.Principal} {
			buf = binary.AppendUvarint(buf, uint64(len(s)))
			buf = append(buf, s...)
		}
		if _, err := w.Write(buf); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readSpill(path string) ([]schemas.MeasureRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	strs := map[string]string{}
	var rows []schemas.MeasureRow
	var fl [5]float64
	var ss [4]string
	var b8 [8]byte
	for {
		for i := range fl {
			if _, err := io.ReadFull(r, b8[:]); err != nil {
				if err == io.EOF && i == 0 {
					return rows, nil
				}
				return nil, fmt.Errorf("read spill: %w", err)
			}
			fl[i] = math.Float64frombits(binary.LittleEndian.Uint64(b8[:]))
		}
		for i := range ss {
			n, err := binary.ReadUvarint(r)
			if err != nil {
				return nil, fmt.Errorf("read spill: %w", err)
			}
			b := make([]byte, n)
			if _, err := io.ReadFull(r, b); err != nil {
				return nil, fmt.Errorf("read spill: %w", err)
			}
			s, ok := strs[string(b)]
			if !ok {
				s = string(b)
				strs[s] = s
			}
			ss[i] = s
		}
		rows = append(rows, schemas.MeasureRow{
			Depth: fl[0], Offset: fl[1], V0: fl[2], V1: fl[3], V2: fl[4],
			Core: ss[0], Type: ss[1], Sect: ss[2], Principal: ss[3],
		})
	}
}
