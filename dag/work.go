package dag

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

	"litho/artifacts"
)

// LoadWorkSpec reads a stored work spec.
func LoadWorkSpec(ctx context.Context, st *artifacts.Store, d artifacts.Digest) (*WorkSpec, error) {
	b, err := st.ReadAll(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("read work spec %s: %w", d.Short(), err)
	}
	var spec WorkSpec
	if err := json.Unmarshal(b, &spec); err != nil {
		return nil, fmt.Errorf("work spec %s: %w", d.Short(), err)
	}
	return &spec, nil
}

// Work is the worker's side of an executor (`litho exec`): it runs the
// spec's units at the given indexes in this process, each one only if
// its record is still missing (another host may have published it), and
// commits each record after its outputs are stored. It refuses a spec
// this build would compute differently.
func (r *Runner) Work(ctx context.Context, reg *Registry, spec *WorkSpec, units []int) error {
	n, err := specNode(reg, spec)
	if err != nil {
		return err
	}
	consumed := map[string]bool{}
	for _, o := range spec.Consumed {
		consumed[o] = true
	}
	for _, i := range units {
		if i < 0 || i >= len(spec.Units) {
			return fmt.Errorf("work spec of %s has %d units; no unit %d", spec.Stage, len(spec.Units), i)
		}
	}
	s := &stageRun{r: r, n: n, sem: make(chan struct{}, 1), emit: r.emitter(), consumed: consumed, flights: &flights{}}
	// One unit's failure does not keep the task's others from running, as
	// a failed partition does not in a local run.
	var errs []error
	for _, i := range units {
		if err := ctx.Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		errs = append(errs, s.work(ctx, spec.Inputs, spec.Units[i]))
	}
	return errors.Join(errs...)
}

// TaskUnits are the indexes of task t's units when each task of n units
// runs batch of them: the one mapping the executor and its workers share.
func TaskUnits(t, batch, n int) []int {
	var out []int
	for i := t * batch; i < min((t+1)*batch, n); i++ {
		out = append(out, i)
	}
	return out
}

// work runs one unit unless its record is already complete.
func (s *stageRun) work(ctx context.Context, inputs map[string]OutputRecord, u WorkUnit) error {
	fields := Fields(s.n, inputs)
	if u.Partition != "" {
		fields = PartitionFields(s.n, inputs, u.Partition)
	}
	key := fields.Key()
	if key != u.Key {
		return fmt.Errorf("%s %s: this litho computes key %s where the driver computed %s: run one litho build on the driver and the nodes",
			s.n.Name, u.Partition, key[:12], u.Key[:min(12, len(u.Key))])
	}
	start := time.Now()
	rec, full, err := s.r.lookup(ctx, s.n.Kind, key)
	switch {
	case err != nil:
		return err
	case full:
		s.emitCached(u.Partition, key, rec)
		return nil
	}
	rec, err = s.produce(ctx, fields, key, u.Partition, resolveInputs(s.n, inputs, u.Partition))
	if err == nil {
		err = s.commit(ctx, rec)
	}
	if err != nil {
		s.fail(u.Partition, key, start, err)
		return fmt.Errorf("%s %s: %w", s.n.Name, u.Partition, err)
	}
	s.emitRan(u.Partition, key, "", start, rec)
	return nil
}

// specNode rebuilds the stage instance a spec describes.
func specNode(reg *Registry, spec *WorkSpec) (*Node, error) {
	k, ok := reg.Lookup(spec.Kind)
	if !ok {
		return nil, fmt.Errorf("work spec for stage %s: this litho has no stage kind %q", spec.Stage, spec.Kind)
	}
	if k.Version != spec.Version {
		return nil, fmt.Errorf("work spec for stage %s: kind %s version %s, but this litho's %s is version %s: run one litho build on the driver and the nodes",
			spec.Stage, spec.Kind, spec.Version, spec.Kind, k.Version)
	}
	values := map[string]any{}
	for name, raw := range spec.Params {
		ps, ok := k.Param(name)
		if !ok {
			return nil, fmt.Errorf("work spec for stage %s: %s has no parameter %q", spec.Stage, k.Name, name)
		}
		v := reflect.New(reflect.TypeOf(ps.Default))
		if err := json.Unmarshal(raw, v.Interface()); err != nil {
			return nil, fmt.Errorf("work spec for stage %s: parameter %s: %w", spec.Stage, name, err)
		}
		values[name] = v.Elem().Interface()
	}
	n := &Node{Name: spec.Stage, Inputs: map[string]Ref{}}
	if err := n.Reset(k, values); err != nil {
		return nil, fmt.Errorf("work spec for stage %s: %w", spec.Stage, err)
	}
	return n, nil
}
