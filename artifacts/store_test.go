package artifacts_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"litho/artifacts"
	"litho/artifacts/storetest"
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

// TestStoreDropsCorruptBlob: with no good copy anywhere the caller gets
// the CorruptError and the bad copy is gone, so the runner recomputes it:
// a local store, and a tiered one whose remote lacks the blob.
func TestStoreDropsCorruptBlob(t *testing.T) {
	ctx := context.Background()
	for _, tiered := range []bool{false, true} {
		local := storetest.Local(t)
		var be artifacts.Backend = local
		if tiered {
			be = artifacts.NewTiered(local, storetest.Local(t), nil)
		}
		good := storetest.Bytes(45, 3000)
		d := storetest.SaveBlob(t, local, good)
		flip(t, local, d)
		_, err := artifacts.NewStore(be).ReadAll(ctx, d)
		var ce *artifacts.CorruptError
		if !errors.As(err, &ce) || ce.Digest != d || ce.Kept != nil {
			t.Errorf("tiered %v: read of a damaged blob: %v, want a CorruptError with the copy removed", tiered, err)
		}
		wantAbsent(t, local, artifacts.Blobs, string(d), fmt.Sprintf("tiered %v: damaged blob kept", tiered))
	}
}

// TestStoreListStops: an error from List's callback comes back as it is,
// not as a store failure.
func TestStoreListStops(t *testing.T) {
	l := storetest.Local(t)
	storetest.SaveBlob(t, l, []byte("x"))
	stop := errors.New("stop")
	err := artifacts.NewStore(l).List(context.Background(), artifacts.Blobs, func(artifacts.Info) error { return stop })
	var ue *artifacts.UnavailableError
	if err != stop || errors.As(err, &ue) {
		t.Errorf("list with a failing callback: %v, want the callback's error", err)
	}
}
