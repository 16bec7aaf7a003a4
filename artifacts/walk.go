package artifacts

import (
	"context"
	"errors"
	"fmt"
)

// RecordRefs lists what a stored record names: the blobs it reaches and
// the records it links to (a mapped stage's partition records). The record
// format belongs to the runner, so callers supply the parser.
type RecordRefs func(record []byte) (blobs []Digest, records []string, err error)

// Graph is what a set of records reaches: the records level by level (the
// roots, then the records they link to, and so on; each at the first
// level it is found), the blobs they name, each once in the order found,
// and the named records that do not exist.
type Graph struct {
	Levels  [][]string
	Blobs   []Digest
	Missing []string
}

// Walk follows the records in be from roots through the records they link
// to: the one walker behind push, pull and garbage collection. A record
// that cannot be read or parsed is an error, since guessing what it names
// could lose objects; one that does not exist goes to Missing, and each
// caller decides what that means (a transfer will not publish a record
// without its links; gc has nothing to keep for it).
func Walk(ctx context.Context, be Backend, roots []string, refs RecordRefs) (*Graph, error) {
	w := &walker{be: be, refs: refs, g: &Graph{}, seen: map[string]bool{}, seenBlob: map[Digest]bool{}}
	for level := roots; len(level) > 0; {
		var err error
		if level, err = w.level(ctx, level); err != nil {
			return nil, err
		}
	}
	return w.g, nil
}

type walker struct {
	be       Backend
	refs     RecordRefs
	g        *Graph
	seen     map[string]bool
	seenBlob map[Digest]bool
}

// level visits the records of one level not seen before and returns the
// keys they link to.
func (w *walker) level(ctx context.Context, keys []string) ([]string, error) {
	var cur, next []string
	for _, key := range keys {
		if w.seen[key] {
			continue
		}
		w.seen[key] = true
		bs, rs, err := readRefs(ctx, w.be, key, w.refs)
		if errors.Is(err, ErrNotFound) {
			w.g.Missing = append(w.g.Missing, key)
			continue
		}
		if err != nil {
			return nil, err
		}
		cur = append(cur, key)
		for _, d := range bs {
			if !w.seenBlob[d] {
				w.seenBlob[d] = true
				w.g.Blobs = append(w.g.Blobs, d)
			}
		}
		next = append(next, rs...)
	}
	if len(cur) > 0 {
		w.g.Levels = append(w.g.Levels, cur)
	}
	return next, nil
}

// readRefs reads a record and lists what it names.
func readRefs(ctx context.Context, be Backend, key string, refs RecordRefs) ([]Digest, []string, error) {
	rec, err := ReadObject(ctx, be, Records, key)
	if err != nil {
		return nil, nil, fmt.Errorf("read record %s from %s: %w", key, be.Location(), err)
	}
	bs, rs, err := refs(rec)
	if err != nil {
		return nil, nil, fmt.Errorf("record %s in %s: %w", key, be.Location(), err)
	}
	return bs, rs, nil
}
