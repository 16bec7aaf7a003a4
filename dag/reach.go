package dag

import (
	"context"

	"litho/artifacts"
)

// Reachable follows records from the given keys (a mapped stage's record
// reaches its partitions' records) and returns the record keys and blobs
// they reach. Missing records are ignored.
func Reachable(ctx context.Context, st *artifacts.Store, keys []string) (map[string]bool, map[artifacts.Digest]bool, error) {
	recs := map[string]bool{}
	blobs := map[artifacts.Digest]bool{}
	queue := append([]string(nil), keys...)
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		if k == "" || recs[k] {
			continue
		}
		rec, ok, err := LoadRecord(ctx, st, k)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			continue
		}
		recs[k] = true
		for _, d := range rec.Digests() {
			blobs[d] = true
		}
		for _, pk := range rec.Partitions {
			queue = append(queue, pk)
		}
	}
	return recs, blobs, nil
}

// CurrentKeys are the keys of the stages of p that are cached now, as a
// run would find them.
func (r *Runner) CurrentKeys(ctx context.Context, p *Pipeline) ([]string, error) {
	plan, err := r.Plan(ctx, p, Options{})
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, e := range plan {
		if e.Key != "" {
			keys = append(keys, e.Key)
		}
	}
	return keys, nil
}
