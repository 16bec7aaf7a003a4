package dag

import (
	"context"
)

// lookup is the one cache check of a walk: the record of key for a run
// of kind k, and whether every blob it names is still stored. rec is nil
// when there is no record, or none to trust (a record that does not fit
// k is set aside); a record that is not complete proves nothing and is
// redone.
func (r *Runner) lookup(ctx context.Context, k *Kind, key string) (rec *Record, full bool, err error) {
	rec, ok, err := LoadRecord(ctx, r.Store, key, r.log())
	if err != nil || !ok {
		return nil, false, err
	}
	if why := fits(rec, k); why != "" {
		setAside(ctx, r.Store, key, why, r.log())
		return nil, false, nil
	}
	full, err = complete(ctx, r.Store, rec, r.log())
	if err != nil {
		return nil, false, err
	}
	return rec, full, nil
}
