// Package ingest reads the LILY CSV files into typed Parquet tables, one
// partition per borehole (Exp-Site-Hole), rows in a canonical order.
//
// A file is read in chunks of whole records that workers parse in
// parallel; rows are gathered per borehole in memory up to a budget and
// spilled to per-borehole temporary files beyond it, so memory stays
// bounded whatever the file size. Unusable rows are never dropped
// silently: each is written to the rejects table with its line and reason.
package ingest

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"litho/schemas"
)

// Config says how to ingest one file.
type Config struct {
	Spec *schemas.LILYFile
	Name string // file name used in messages and the rejects table
	// TempDir holds spill files; required when SpillRows can be exceeded.
	TempDir string
	// SpillRows is the number of rows held in memory before they are
	// spilled to TempDir (0: DefaultSpillRows).
	SpillRows int
	Workers   int // parallel parsers (0: GOMAXPROCS)
}

// DefaultSpillRows keeps the row buffer near 150 MB (72-byte rows and
// the spare capacity of their slices).
const DefaultSpillRows = 1 << 20

// Stats counts what happened to one file's rows.
type Stats struct {
	File       string
	Rows       int64 // data rows read
	Kept       int64
	Duplicates int64 // kept rows identical to another row of the borehole
	Rejected   map[string]int64
	Boreholes  int
}

// RejectCount is the total number of rejected rows.
func (s Stats) RejectCount() int64 {
	var n int64
	for _, c := range s.Rejected {
		n += c
	}
	return n
}

// PutFunc receives one borehole's Parquet table. It is called from
// several goroutines at once.
type PutFunc func(ctx context.Context, borehole string, table []byte) error

// Rejects writes the rejects table as CSV.
type Rejects struct{ w *csv.Writer }

// NewRejects starts a rejects table on w, writing its header.
func NewRejects(w io.Writer) (*Rejects, error) {
	r := &Rejects{w: csv.NewWriter(w)}
	if err := r.w.Write(schemas.RejectColumns); err != nil {
		return nil, fmt.Errorf("rejects: %w", err)
	}
	return r, nil
}

func (r *Rejects) add(file string, rj rejectRow) error {
	return r.w.Write([]string{file, strconv.FormatInt(rj.line, 10), rj.column, rj.reason, rj.value})
}

// Flush writes buffered rejects.
func (r *Rejects) Flush() error {
	r.w.Flush()
	if err := r.w.Error(); err != nil {
		return fmt.Errorf("rejects: %w", err)
	}
	return nil
}

// CheckHeader reads the header of a LILY file and checks that it is CSV
// text with every column spec requires.
func CheckHeader(name string, r io.Reader, spec *schemas.LILYFile) error {
	h, _, err := readHeader(name, r)
	if err != nil {
		return err
	}
	_, err = newLayout(name, h, spec)
	return err
}

// File ingests one LILY CSV from r: it calls put once per borehole, in
// borehole order, and appends unusable rows to rejects. progress receives
// the bytes read.
func File(ctx context.Context, cfg Config, r io.Reader, rejects *Rejects, progress func(int64), put PutFunc) (Stats, error) {
	st := Stats{File: cfg.Name, Rejected: map[string]int64{}}
	if progress == nil {
		progress = func(int64) {}
	}
	h, rest, err := readHeader(cfg.Name, r)
	if err != nil {
		return st, err
	}
	l, err := newLayout(cfg.Name, h, cfg.Spec)
	if err != nil {
		return st, err
	}
	tab := newStrtab()
	g := newGroups(cfg, tab)
	defer g.cleanup()
	if err := parseAll(ctx, cfg, l, tab, r, rest, h.line+1, progress, func(res result) error {
		st.Rows += res.nrows
		for _, rj := range res.rejects {
			st.Rejected[rj.reason]++
			if err := rejects.add(cfg.Name, rj); err != nil {
				return fmt.Errorf("%s: rejects: %w", cfg.Name, err)
			}
		}
		return g.add(res.rows)
	}); err != nil {
		return st, err
	}
	st.Kept = st.Rows - st.RejectCount()
	st.Boreholes = len(g.boreholes())
	if err := checkKept(st); err != nil {
		return st, err
	}
	dups, err := g.write(ctx, cfg, put)
	st.Duplicates = dups
	return st, err
}

// checkKept fails a file with no usable row, naming it and why, rather
// than letting an empty table surface stages later as "no training rows".
func checkKept(st Stats) error {
	switch {
	case st.Kept > 0:
		return nil
	case st.Rows == 0:
		return fmt.Errorf("%s: no data rows after the header", st.File)
	}
	return fmt.Errorf("%s: no usable rows: all %d rows rejected (%s)", st.File, st.Rows, reasons(st))
}

// reasons lists the reject counts by reason, "reason n, …".
func reasons(st Stats) string {
	var parts []string
	for _, reason := range slices.Sorted(maps.Keys(st.Rejected)) {
		parts = append(parts, fmt.Sprintf("%s %d", reason, st.Rejected[reason]))
	}
	return strings.Join(parts, ", ")
}

// parseAll runs the reader, the parsing workers and, in this goroutine,
// emit on each chunk's result in file order.
func parseAll(ctx context.Context, cfg Config, l *layout, tab *strtab, r io.Reader, pre []byte, line int64, progress func(int64), emit func(result) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	in := make(chan chunk, workers)
	out := make(chan result, workers)
	readErr := make(chan error, 1)
	free := make(chan []byte, workers+2)
	go func() { readErr <- chunks(ctx, r, pre, line, in, free, progress) }()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := newParser(l, tab)
			for c := range in {
				res := p.parseChunk(c)
				putBuffer(free, c.data)
				select {
				case out <- res:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()

	pending := map[int]result{}
	next := 0
	var failed error
	for res := range out {
		if failed != nil {
			continue // drain so the workers can finish
		}
		pending[res.seq] = res
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if r.err == nil {
				r.err = emit(r)
			}
			if r.err != nil {
				failed = r.err
				cancel()
				break
			}
		}
	}
	if failed != nil {
		return failed
	}
	if err := <-readErr; err != nil {
		return fmt.Errorf("%s: %w", cfg.Name, err)
	}
	return ctx.Err()
}
