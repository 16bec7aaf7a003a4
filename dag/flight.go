package dag

import (
	"context"
	"sync"
)

// flights lets instances that share a key (two stages declared with
// equal parameters and inputs) produce it once per walk, as BuildKit
// merges equal vertices: the first produces and commits, the others wait
// for it and take its record.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

type flight struct {
	done chan struct{}
	rec  *Record
	err  error
}

// do runs fn for key unless another instance is running or has run it in
// this walk; shared reports that the record came from that other one.
func (f *flights) do(ctx context.Context, key string, fn func() (*Record, error)) (rec *Record, shared bool, err error) {
	f.mu.Lock()
	if fl, ok := f.m[key]; ok {
		f.mu.Unlock()
		select {
		case <-fl.done:
			return fl.rec, true, fl.err
		case <-ctx.Done():
			return nil, true, ctx.Err()
		}
	}
	if f.m == nil {
		f.m = map[string]*flight{}
	}
	fl := &flight{done: make(chan struct{})}
	f.m[key] = fl
	f.mu.Unlock()
	fl.rec, fl.err = fn()
	close(fl.done)
	return fl.rec, false, fl.err
}

// produceOnce produces and commits the stage (or partition) under key,
// once per walk whatever the number of instances sharing the key.
func (s *stageRun) produceOnce(ctx context.Context, fields KeyFields, key, part string, inputs map[string]resolvedInput) (*Record, bool, error) {
	return s.flights.do(ctx, key, func() (*Record, error) {
		rec, err := s.produce(ctx, fields, key, part, inputs)
		if err == nil {
			err = s.commit(ctx, rec)
		}
		return rec, err
	})
}
