package artifacts_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"litho/artifacts"
	"litho/artifacts/storetest"
)

// tree maps every file and directory under dir to its bytes.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			out[p+"/"] = ""
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// objects maps every object of be to its bytes.
func objects(t *testing.T, be artifacts.Backend) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, ns := range []artifacts.Namespace{artifacts.Blobs, artifacts.Records, artifacts.Runs} {
		for _, name := range names(t, be, ns) {
			out[string(ns)+"/"+name] = string(storetest.MustRead(t, be, ns, name))
		}
	}
	return out
}

// unchanged fails the test when the local tree or the remote's objects
// differ from what they were when it was called.
func unchanged(t *testing.T, local *artifacts.Local, remote artifacts.Backend) func() {
	t.Helper()
	dir, objs := tree(t, local.Root()), objects(t, remote)
	return func() {
		t.Helper()
		if !maps.Equal(tree(t, local.Root()), dir) {
			t.Error("the local store's directory tree changed")
		}
		if !maps.Equal(objects(t, remote), objs) {
			t.Error("the remote's objects changed")
		}
	}
}

// TestReadOnlyTieredReadsThrough: a read-only stack serves the remote's
// records and blobs, verified, and leaves the local directory tree
// byte-identical and the remote unchanged.
func TestReadOnlyTieredReadsThrough(t *testing.T) {
	eachRemote(t, func(t *testing.T, local *artifacts.Local, remote artifacts.Backend) {
		ctx := context.Background()
		good := storetest.Bytes(70, 5000)
		d := storetest.SaveBlob(t, remote, good)
		saveRecord(t, remote, "k", []artifacts.Digest{d})
		mine := storetest.SaveBlob(t, local, []byte("local only"))
		check := unchanged(t, local, remote)

		st := artifacts.NewStore(artifacts.ReadOnly(artifacts.NewTiered(local, remote, nil)))
		if got, err := st.ReadAll(ctx, d); err != nil || !bytes.Equal(got, good) {
			t.Errorf("read a remote blob: %d bytes, %v", len(got), err)
		}
		rc, err := st.Open(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, good) {
			t.Errorf("stream a remote blob: %d bytes, %v", len(got), err)
		}
		if _, err := st.GetRecord(ctx, artifacts.Records, "k"); err != nil {
			t.Errorf("read a remote record: %v", err)
		}
		if _, err := st.ReadAll(ctx, mine); err != nil {
			t.Errorf("read a local blob: %v", err)
		}
		n := 0
		if err := st.List(ctx, artifacts.Blobs, func(artifacts.Info) error { n++; return nil }); err != nil || n != 2 {
			t.Errorf("list blobs: %d, %v; want both tiers' 2", n, err)
		}
		check()
	})
}

// TestReadOnlyRefusesWrites: on a read-only local store and a read-only
// tiered stack, Save and Remove fail with ErrReadOnly naming the
// operation, through the Store too, and nothing changes.
func TestReadOnlyRefusesWrites(t *testing.T) {
	ctx := context.Background()
	local, remote := storetest.Local(t), storetest.Local(t)
	saveRecord(t, local, "k", nil)
	saveRecord(t, remote, "k", nil)
	check := unchanged(t, local, remote)
	for _, be := range []artifacts.Backend{artifacts.ReadOnly(local), artifacts.ReadOnly(artifacts.NewTiered(local, remote, nil))} {
		b := []byte("new")
		d := artifacts.DigestBytes(b)
		for op, err := range map[string]error{
			"save":   be.Save(ctx, artifacts.Blobs, string(d), bytes.NewReader(b), int64(len(b))),
			"remove": be.Remove(ctx, artifacts.Records, "k"),
		} {
			if !errors.Is(err, artifacts.ErrReadOnly) || !strings.Contains(err.Error(), op) {
				t.Errorf("%s: %s: %v, want ErrReadOnly naming %q", be.Location(), op, err, op)
			}
		}
		st := artifacts.NewStore(be)
		_, putErr := st.PutBytes(ctx, b)
		for _, err := range []error{putErr, st.PutRecord(ctx, artifacts.Records, "k2", b), st.RemoveRecord(ctx, artifacts.Records, "k")} {
			var ue *artifacts.UnavailableError
			if !errors.Is(err, artifacts.ErrReadOnly) || errors.As(err, &ue) {
				t.Errorf("%s: store write: %v, want ErrReadOnly (not a store failure)", be.Location(), err)
			}
		}
	}
	check()
}

// TestReadOnlyKeepsCorrupt: a read-only store reports a corrupt copy,
// local or remote, says it kept it, and removes nothing.
func TestReadOnlyKeepsCorrupt(t *testing.T) {
	eachRemote(t, func(t *testing.T, local *artifacts.Local, remote artifacts.Backend) {
		ctx := context.Background()
		good := storetest.Bytes(71, 3000)
		d := storetest.SaveBlob(t, remote, good)
		storetest.SaveBlob(t, local, good)
		flip(t, local, d)
		bad := bytes.Clone(good[:2000])
		bad[10] ^= 0xff
		d2 := artifacts.DigestBytes(good[:2000])
		if err := remote.Save(ctx, artifacts.Blobs, string(d2), bytes.NewReader(bad), int64(len(bad))); err != nil {
			t.Fatal(err)
		}
		check := unchanged(t, local, remote)
		st := artifacts.NewStore(artifacts.ReadOnly(artifacts.NewTiered(local, remote, nil)))
		for _, c := range []struct {
			d     artifacts.Digest
			where string
		}{{d, "local"}, {d2, "remote"}} {
			_, err := st.ReadAll(ctx, c.d)
			var ce *artifacts.CorruptError
			if !errors.As(err, &ce) || ce.Digest != c.d || !errors.Is(ce.Kept, artifacts.ErrReadOnly) {
				t.Errorf("corrupt %s copy: %v, want a CorruptError that kept it (ErrReadOnly)", c.where, err)
			}
		}
		check()
	})
}
