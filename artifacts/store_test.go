package artifacts_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"litho/artifacts"
)

// failing is a backend whose every call fails with err.
type failing struct{ err error }

func (f failing) Save(context.Context, artifacts.Namespace, string, io.Reader, int64) error {
	return f.err
}
func (f failing) Open(context.Context, artifacts.Namespace, string) (io.ReadCloser, error) {
	return nil, f.err
}
func (f failing) Stat(context.Context, artifacts.Namespace, string) (artifacts.Info, error) {
	return artifacts.Info{}, f.err
}
func (f failing) Remove(context.Context, artifacts.Namespace, string) error { return f.err }
func (f failing) List(context.Context, artifacts.Namespace, func(artifacts.Info) error) error {
	return f.err
}
func (f failing) Location() string { return "failing" }
func (f failing) Close() error     { return nil }

// TestStoreClassifiesBackendErrors: a broken store is "unavailable" (the
// CLI exits 3), a missing object or a cancelled context is not.
func TestStoreClassifiesBackendErrors(t *testing.T) {
	cases := []struct {
		name        string
		err         error
		unavailable bool
	}{
		{"io error", errors.New("input/output error"), true},
		{"missing", fmt.Errorf("cas/x: %w", artifacts.ErrNotFound), false},
		{"cancelled", context.Canceled, false},
	}
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := artifacts.NewStore(failing{c.err})
			_, putErr := st.PutBytes(ctx, []byte("x"))
			_, getErr := st.GetRecord(ctx, artifacts.Records, "k")
			_, statErr := st.Stat(ctx, artifacts.DigestBytes([]byte("x")))
			for _, err := range []error{putErr, getErr, statErr} {
				var ue *artifacts.UnavailableError
				if errors.As(err, &ue) != c.unavailable {
					t.Errorf("%v: unavailable = %v, want %v", err, !c.unavailable, c.unavailable)
				}
				if !errors.Is(err, c.err) {
					t.Errorf("%v does not wrap %v", err, c.err)
				}
			}
		})
	}
}
