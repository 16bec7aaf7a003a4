package artifacts

import (
	"context"
	"fmt"
	"io"
)

// ReadOnly returns be opened so that nothing is written through it: Save
// and Remove fail with ErrReadOnly (wrapped, naming the operation and the
// object), and a Store over it that finds a corrupt object reports the
// *CorruptError and removes nothing. A tiered store still reads through
// to its remote, verifying blobs, but streams what it finds instead of
// filling the local store. It is for the commands that only look.
func ReadOnly(be Backend) Backend {
	if t, ok := be.(*Tiered); ok {
		ro := *t
		ro.readOnly = true
		return &ro
	}
	return readOnly{be}
}

// readOnly refuses the writes of the backend it wraps.
type readOnly struct{ Backend }

func (r readOnly) Save(_ context.Context, ns Namespace, name string, _ io.Reader, _ int64) error {
	return readOnlyError("save", ns, name, r.Location())
}

func (r readOnly) Remove(_ context.Context, ns Namespace, name string) error {
	return readOnlyError("remove", ns, name, r.Location())
}

func readOnlyError(op string, ns Namespace, name, where string) error {
	return fmt.Errorf("%s %s/%s in %s: %w", op, ns, name, where, ErrReadOnly)
}
