package dag

import "context"

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
