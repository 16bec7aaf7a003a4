package dag

import (
	"context"

	"litho/artifacts"
)

// lookup is the one cache check of a walk: the record of key, and whether
// every blob it names is still stored. rec is nil when there is no record;
// a record that is not complete proves nothing and is redone.
func lookup(ctx context.Context, st *artifacts.Store, key string) (rec *Record, full bool, err error) {
	rec, ok, err := LoadRecord(ctx, st, key)
	if err != nil || !ok {
		return nil, false, err
	}
	full, err = complete(ctx, st, rec)
	if err != nil {
		return nil, false, err
	}
	return rec, full, nil
}
