// Package storetest is the conformance suite every artifacts.Backend
// passes: local, S3 and tiered run the same tests, so they behave alike.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"

	"litho/artifacts"
)

// Run runs the suite. open returns an empty backend; it is called once
// per test, and the test closes what it returns.
func Run(t *testing.T, open func(t *testing.T) artifacts.Backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, be artifacts.Backend)
	}{
		{"SaveOpenStat", testSaveOpenStat},
		{"Missing", testMissing},
		{"BlobSaveIsIdempotent", testBlobIdempotent},
		{"RecordReplaced", testRecordReplaced},
		{"NamespacesSeparate", testNamespaces},
		{"List", testList},
		{"ListStopsOnError", testListStops},
		{"Remove", testRemove},
		{"LargeStreamed", testLarge},
		{"ShortReaderLeavesNothing", testShortReader},
		{"CancelledLeavesNothing", testCancelled},
		{"ConcurrentSameBlob", testConcurrentSameBlob},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			be := open(t)
			t.Cleanup(func() { be.Close() })
			tc.fn(t, be)
		})
	}
}

// Bytes returns n deterministic pseudo-random bytes for seed.
func Bytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// SaveBlob stores b under its digest and returns the digest.
func SaveBlob(t testing.TB, be artifacts.Backend, b []byte) artifacts.Digest {
	t.Helper()
	d := artifacts.DigestBytes(b)
	if err := be.Save(context.Background(), artifacts.Blobs, string(d), bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatalf("save blob %s: %v", d.Short(), err)
	}
	return d
}

// MustRead is artifacts.ReadObject that fails the test on error.
func MustRead(t testing.TB, be artifacts.Backend, ns artifacts.Namespace, name string) []byte {
	t.Helper()
	b, err := artifacts.ReadObject(context.Background(), be, ns, name)
	if err != nil {
		t.Fatalf("read %s/%s: %v", ns, name, err)
	}
	return b
}

func save(t *testing.T, be artifacts.Backend, ns artifacts.Namespace, name string, b []byte) {
	t.Helper()
	if err := be.Save(context.Background(), ns, name, bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatalf("save %s/%s: %v", ns, name, err)
	}
}

func wantNotFound(t *testing.T, be artifacts.Backend, ns artifacts.Namespace, name string) {
	t.Helper()
	if _, err := be.Stat(context.Background(), ns, name); !errors.Is(err, artifacts.ErrNotFound) {
		t.Errorf("stat %s/%s: got %v, want ErrNotFound", ns, name, err)
	}
	if _, err := artifacts.ReadObject(context.Background(), be, ns, name); !errors.Is(err, artifacts.ErrNotFound) {
		t.Errorf("open %s/%s: got %v, want ErrNotFound", ns, name, err)
	}
}

// onlyReader hides Seek and other methods, as a network stream would.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func testSaveOpenStat(t *testing.T, be artifacts.Backend) {
	cases := []struct {
		ns   artifacts.Namespace
		data []byte
	}{
		{artifacts.Blobs, Bytes(1, 1000)},
		{artifacts.Blobs, []byte{}},
		{artifacts.Records, []byte(`{"key":"k1"}`)},
		{artifacts.Runs, []byte(`{"run":1}`)},
	}
	for _, c := range cases {
		name := string(artifacts.DigestBytes(c.data))
		save(t, be, c.ns, name, c.data)
		if got := MustRead(t, be, c.ns, name); !bytes.Equal(got, c.data) {
			t.Errorf("%s/%s: read %d bytes, want %d identical bytes", c.ns, name[:8], len(got), len(c.data))
		}
		info, err := be.Stat(context.Background(), c.ns, name)
		if err != nil {
			t.Fatalf("stat %s/%s: %v", c.ns, name[:8], err)
		}
		if info.Name != name || info.Size != int64(len(c.data)) || info.ModTime.IsZero() {
			t.Errorf("stat %s/%s = %+v, want name, size %d and a modification time", c.ns, name[:8], info, len(c.data))
		}
	}
}

func testMissing(t *testing.T, be artifacts.Backend) {
	for _, ns := range []artifacts.Namespace{artifacts.Blobs, artifacts.Records, artifacts.Runs} {
		wantNotFound(t, be, ns, string(artifacts.DigestBytes([]byte("absent "+ns))))
	}
}

func testBlobIdempotent(t *testing.T, be artifacts.Backend) {
	b := Bytes(2, 4096)
	d := SaveBlob(t, be, b)
	SaveBlob(t, be, b)
	if err := be.Save(context.Background(), artifacts.Blobs, string(d), onlyReader{bytes.NewReader(b)}, -1); err != nil {
		t.Fatalf("save again with unknown size: %v", err)
	}
	if got := MustRead(t, be, artifacts.Blobs, string(d)); !bytes.Equal(got, b) {
		t.Errorf("blob changed after saving it again")
	}
	n := 0
	if err := be.List(context.Background(), artifacts.Blobs, func(artifacts.Info) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("listed %d blobs after saving one blob three times, want 1", n)
	}
}

func testRecordReplaced(t *testing.T, be artifacts.Backend) {
	save(t, be, artifacts.Records, "key1", []byte("first"))
	save(t, be, artifacts.Records, "key1", []byte("second, longer"))
	if got := MustRead(t, be, artifacts.Records, "key1"); string(got) != "second, longer" {
		t.Errorf("record = %q, want the second version", got)
	}
}

func testNamespaces(t *testing.T, be artifacts.Backend) {
	name := string(artifacts.DigestBytes([]byte("shared name")))
	save(t, be, artifacts.Records, name, []byte("record"))
	save(t, be, artifacts.Runs, name, []byte("run"))
	wantNotFound(t, be, artifacts.Blobs, name)
	if got := MustRead(t, be, artifacts.Records, name); string(got) != "record" {
		t.Errorf("record = %q", got)
	}
	if got := MustRead(t, be, artifacts.Runs, name); string(got) != "run" {
		t.Errorf("run = %q", got)
	}
}

func listAll(t *testing.T, be artifacts.Backend, ns artifacts.Namespace) map[string]int64 {
	t.Helper()
	got := map[string]int64{}
	if err := be.List(context.Background(), ns, func(i artifacts.Info) error {
		if _, dup := got[i.Name]; dup {
			t.Errorf("list %s: %s listed twice", ns, i.Name)
		}
		got[i.Name] = i.Size
		return nil
	}); err != nil {
		t.Fatalf("list %s: %v", ns, err)
	}
	return got
}

func testList(t *testing.T, be artifacts.Backend) {
	want := map[artifacts.Namespace]map[string]int64{
		artifacts.Blobs: {}, artifacts.Records: {}, artifacts.Runs: {},
	}
	for i := range 5 {
		b := Bytes(uint64(10+i), 100*i)
		want[artifacts.Blobs][string(SaveBlob(t, be, b))] = int64(len(b))
		key := fmt.Sprintf("rec%02d", i)
		save(t, be, artifacts.Records, key, []byte(key))
		want[artifacts.Records][key] = int64(len(key))
	}
	save(t, be, artifacts.Runs, "20260101T000000Z-1", []byte("{}"))
	want[artifacts.Runs]["20260101T000000Z-1"] = 2
	for ns, w := range want {
		got := listAll(t, be, ns)
		if len(got) != len(w) {
			t.Errorf("list %s: %d objects, want %d", ns, len(got), len(w))
		}
		for name, size := range w {
			if gs, ok := got[name]; !ok || gs != size {
				t.Errorf("list %s: %s size %d (listed %v), want %d", ns, name, gs, ok, size)
			}
		}
	}
}

func testListStops(t *testing.T, be artifacts.Backend) {
	for i := range 3 {
		SaveBlob(t, be, Bytes(uint64(20+i), 10))
	}
	stop := errors.New("stop")
	calls := 0
	err := be.List(context.Background(), artifacts.Blobs, func(artifacts.Info) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("list with failing callback: err %v after %d calls, want the callback's error after 1", err, calls)
	}
}

func testRemove(t *testing.T, be artifacts.Backend) {
	ctx := context.Background()
	save(t, be, artifacts.Records, "gone", []byte("x"))
	if err := be.Remove(ctx, artifacts.Records, "gone"); err != nil {
		t.Fatalf("remove: %v", err)
	}
	wantNotFound(t, be, artifacts.Records, "gone")
	if err := be.Remove(ctx, artifacts.Records, "never-there"); err != nil {
		t.Errorf("removing a missing object: %v, want nil", err)
	}
	d := SaveBlob(t, be, Bytes(3, 500))
	if err := be.Remove(ctx, artifacts.Blobs, string(d)); err != nil {
		t.Fatalf("remove blob: %v", err)
	}
	wantNotFound(t, be, artifacts.Blobs, string(d))
}

// testLarge crosses S3's multipart threshold (16 MiB) with a reader that
// cannot seek, once with a known size and once without.
func testLarge(t *testing.T, be artifacts.Backend) {
	for i, known := range []bool{true, false} {
		b := Bytes(uint64(30+i), 17<<20+123)
		d := artifacts.DigestBytes(b)
		size := int64(-1)
		if known {
			size = int64(len(b))
		}
		if err := be.Save(context.Background(), artifacts.Blobs, string(d), onlyReader{bytes.NewReader(b)}, size); err != nil {
			t.Fatalf("save %d bytes (size known %v): %v", len(b), known, err)
		}
		if got := MustRead(t, be, artifacts.Blobs, string(d)); !bytes.Equal(got, b) {
			t.Errorf("large blob (size known %v): read %d bytes differing from the %d written", known, len(got), len(b))
		}
	}
}

func testShortReader(t *testing.T, be artifacts.Backend) {
	b := Bytes(4, 1000)
	d := artifacts.DigestBytes(b)
	err := be.Save(context.Background(), artifacts.Blobs, string(d), onlyReader{bytes.NewReader(b[:400])}, int64(len(b)))
	if err == nil {
		t.Fatal("save with a reader shorter than the size: no error")
	}
	wantNotFound(t, be, artifacts.Blobs, string(d))
}

func testCancelled(t *testing.T, be artifacts.Backend) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := Bytes(5, 1000)
	d := artifacts.DigestBytes(b)
	if err := be.Save(ctx, artifacts.Blobs, string(d), bytes.NewReader(b), int64(len(b))); err == nil {
		t.Fatal("save with a cancelled context: no error")
	}
	if err := be.List(ctx, artifacts.Blobs, func(artifacts.Info) error { return nil }); err == nil {
		t.Error("list with a cancelled context: no error")
	}
	wantNotFound(t, be, artifacts.Blobs, string(d))
}

func testConcurrentSameBlob(t *testing.T, be artifacts.Backend) {
	b := Bytes(6, 64<<10)
	d := artifacts.DigestBytes(b)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			errs[i] = be.Save(context.Background(), artifacts.Blobs, string(d), onlyReader{bytes.NewReader(b)}, int64(len(b)))
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent saves of one blob: %v", err)
	}
	if got := MustRead(t, be, artifacts.Blobs, string(d)); !bytes.Equal(got, b) {
		t.Error("blob corrupted by concurrent saves")
	}
	if n := len(listAll(t, be, artifacts.Blobs)); n != 1 {
		t.Errorf("listed %d blobs after concurrent saves of one, want 1", n)
	}
}
