package artifacts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"litho/artifacts"
	"litho/artifacts/s3store/s3test"
	"litho/artifacts/storetest"
)

// remotes are the backends a tiered store is tested in front of: another
// local directory (always) and the real MinIO (under scripts/test.sh).
var remotes = []struct {
	name string
	open func(t *testing.T) artifacts.Backend
}{
	{"local", func(t *testing.T) artifacts.Backend { return storetest.Local(t) }},
	{"s3", func(t *testing.T) artifacts.Backend { be, _ := s3test.Open(t); return be }},
}

// eachRemote runs fn once per remote as a subtest, with a fresh local
// store and remote.
func eachRemote(t *testing.T, fn func(t *testing.T, local *artifacts.Local, remote artifacts.Backend)) {
	for _, r := range remotes {
		t.Run(r.name, func(t *testing.T) { fn(t, storetest.Local(t), r.open(t)) })
	}
}

func TestTieredConformance(t *testing.T) {
	for _, r := range remotes {
		t.Run(r.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) artifacts.Backend {
				return artifacts.NewTiered(storetest.Local(t), r.open(t), nil)
			})
		})
	}
}

// TestTieredReadFillsLocal: an object only the remote has is served and
// copied into the local store; later reads need no remote.
func TestTieredReadFillsLocal(t *testing.T) {
	eachRemote(t, func(t *testing.T, local *artifacts.Local, remote artifacts.Backend) {
		b := storetest.Bytes(40, 3000)
		d := storetest.SaveBlob(t, remote, b)
		rec := []byte(`{"key":"k"}`)
		if err := remote.Save(context.Background(), artifacts.Records, "k", bytes.NewReader(rec), int64(len(rec))); err != nil {
			t.Fatal(err)
		}
		tiered := artifacts.NewTiered(local, remote, nil)
		if got := storetest.MustRead(t, tiered, artifacts.Blobs, string(d)); !bytes.Equal(got, b) {
			t.Fatal("tiered read returned other bytes")
		}
		if got := storetest.MustRead(t, tiered, artifacts.Records, "k"); !bytes.Equal(got, rec) {
			t.Fatal("tiered record read returned other bytes")
		}
		if got := storetest.MustRead(t, local, artifacts.Blobs, string(d)); !bytes.Equal(got, b) {
			t.Error("blob not filled into the local store")
		}
		if got := storetest.MustRead(t, local, artifacts.Records, "k"); !bytes.Equal(got, rec) {
			t.Error("record not filled into the local store")
		}
	})
}

// TestTieredCorruptRemote: a remote blob altered behind litho's back is
// reported as corrupt, never enters the local store, and is removed from
// the remote so that the good bytes can be published again.
func TestTieredCorruptRemote(t *testing.T) {
	eachRemote(t, func(t *testing.T, local *artifacts.Local, remote artifacts.Backend) {
		ctx := context.Background()
		d, good, bad := saveAltered(t, remote, 41, 5000, 1234)
		st := artifacts.NewStore(artifacts.NewTiered(local, remote, nil))
		got, err := st.ReadAll(ctx, d)
		var ce *artifacts.CorruptError
		if !errors.As(err, &ce) || ce.Digest != d || ce.Got != artifacts.DigestBytes(bad) {
			t.Fatalf("read of altered remote blob: %d bytes, err %v; want a CorruptError naming %s", len(got), err, d.Short())
		}
		if ce.Where != remote.Location() {
			t.Errorf("corrupt error names %q, want the remote %q", ce.Where, remote.Location())
		}
		wantAbsent(t, local, artifacts.Blobs, string(d), "corrupt blob entered the local store")
		wantAbsent(t, remote, artifacts.Blobs, string(d), "corrupt remote blob still there")
		// The next run recomputes and publishes the good bytes.
		if _, err := st.PutBytes(ctx, good); err != nil {
			t.Fatal(err)
		}
		if got := storetest.MustRead(t, remote, artifacts.Blobs, string(d)); !bytes.Equal(got, good) {
			t.Error("good bytes not published after the corrupt copy was found")
		}
	})
}

// TestTieredNeverPublishesCorruptLocal: a local blob damaged on disk is
// not uploaded.
func TestTieredNeverPublishesCorruptLocal(t *testing.T) {
	eachRemote(t, func(t *testing.T, local *artifacts.Local, remote artifacts.Backend) {
		// Same length, one byte flipped: the local store cannot tell by
		// its size and keeps it; the upload's digest check must.
		d, good, _ := saveAltered(t, local, 42, 800, 100)
		err := artifacts.NewTiered(local, remote, nil).Save(context.Background(), artifacts.Blobs, string(d), bytes.NewReader(good), int64(len(good)))
		var ce *artifacts.CorruptError
		if !errors.As(err, &ce) {
			t.Fatalf("save over a damaged local copy: %v, want a CorruptError", err)
		}
		wantAbsent(t, remote, artifacts.Blobs, string(d), "damaged local blob was published")
		wantAbsent(t, local, artifacts.Blobs, string(d), "damaged local blob kept, want it removed so the next save stores good bytes")
	})
}

// recorder is a backend that logs the order in which objects are saved.
type recorder struct {
	artifacts.Backend
	mu  sync.Mutex
	log []string
}

func (r *recorder) Save(ctx context.Context, ns artifacts.Namespace, name string, rd io.Reader, size int64) error {
	if err := r.Backend.Save(ctx, ns, name, rd, size); err != nil {
		return err
	}
	r.mu.Lock()
	r.log = append(r.log, string(ns)+"/"+name)
	r.mu.Unlock()
	return nil
}

// TestTieredPublishesInWriteOrder: each write reaches the remote before
// Save returns, so a record saved after its blobs is published after them.
func TestTieredPublishesInWriteOrder(t *testing.T) {
	ctx := context.Background()
	remote := &recorder{Backend: storetest.Local(t)}
	st := artifacts.NewStore(artifacts.NewTiered(storetest.Local(t), remote, nil))
	var want []string
	for i := range 3 {
		d, err := st.PutBytes(ctx, storetest.Bytes(uint64(50+i), 100))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, "cas/"+string(d))
	}
	if err := st.PutRecord(ctx, artifacts.Records, "rec", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	want = append(want, "ac/rec")
	if fmt.Sprint(remote.log) != fmt.Sprint(want) {
		t.Errorf("remote saves in order %v, want %v", remote.log, want)
	}
}

// testRecord is the record format of these tests: what it names.
type testRecord struct {
	Blobs []artifacts.Digest `json:"blobs"`
	Links []string           `json:"links"`
}

func testRefs(b []byte) ([]artifacts.Digest, []string, error) {
	var r testRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, nil, err
	}
	return r.Blobs, r.Links, nil
}

func saveRecord(t testing.TB, be artifacts.Backend, key string, blobs []artifacts.Digest, links ...string) {
	t.Helper()
	b, err := json.Marshal(testRecord{Blobs: blobs, Links: links})
	if err != nil {
		t.Fatal(err)
	}
	if err := be.Save(context.Background(), artifacts.Records, key, bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatalf("save record %s: %v", key, err)
	}
}

// checkConsistent asserts that every record in be names only objects
// that exist and verify: what "no reader sees a record whose objects are
// missing" means.
func checkConsistent(t *testing.T, be artifacts.Backend) int {
	t.Helper()
	ctx := context.Background()
	var keys []string
	if err := be.List(ctx, artifacts.Records, func(i artifacts.Info) error { keys = append(keys, i.Name); return nil }); err != nil {
		t.Fatal(err)
	}
	st := artifacts.NewStore(be)
	for _, key := range keys {
		bs, links, err := testRefs(storetest.MustRead(t, be, artifacts.Records, key))
		if err != nil {
			t.Fatalf("record %s: %v", key, err)
		}
		for _, d := range bs {
			if _, err := st.ReadAll(ctx, d); err != nil {
				t.Errorf("record %s names blob %s: %v", key, d.Short(), err)
			}
		}
		for _, l := range links {
			if _, err := be.Stat(ctx, artifacts.Records, l); err != nil {
				t.Errorf("record %s links record %s: %v", key, l, err)
			}
		}
	}
	return len(keys)
}

// TestTwoHostsConcurrent: two hosts, each with its own local store, write
// overlapping results into one remote at the same time, each publishing
// blobs then the record as the runner does. Both end with every record's
// objects present and intact, and each host reads the other's results.
func TestTwoHostsConcurrent(t *testing.T) {
	for _, r := range remotes {
		t.Run(r.name, func(t *testing.T) {
			remote := r.open(t)
			hosts := []artifacts.Backend{artifacts.NewTiered(storetest.Local(t), remote, nil), artifacts.NewTiered(storetest.Local(t), remote, nil)}
			const stages = 12
			var wg sync.WaitGroup
			errs := make([]error, len(hosts))
			for h, be := range hosts {
				wg.Go(func() { errs[h] = runStages(be, h, stages) })
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			// Shared stages (even i) have one key; odd ones are per host.
			if n := checkConsistent(t, remote); n != stages/2+stages {
				t.Errorf("remote holds %d records, want %d", n, stages/2+stages)
			}
			for _, be := range hosts {
				checkConsistent(t, be)
			}
		})
	}
}

// runStages imitates a runner: per stage, save output blobs, then the
// record. Even stages are computed by both hosts with identical bytes.
func runStages(be artifacts.Backend, host, n int) error {
	ctx := context.Background()
	st := artifacts.NewStore(be)
	for i := range n {
		seed, key := uint64(1000+i), fmt.Sprintf("stage%02d", i)
		if i%2 == 1 {
			seed, key = uint64(2000+100*host+i), fmt.Sprintf("stage%02d-host%d", i, host)
		}
		var ds []artifacts.Digest
		for j := range 3 {
			d, err := st.PutBytes(ctx, storetest.Bytes(seed*10+uint64(j), 20000+j))
			if err != nil {
				return err
			}
			ds = append(ds, d)
		}
		rec, _ := json.Marshal(testRecord{Blobs: ds})
		if err := st.PutRecord(ctx, artifacts.Records, key, rec); err != nil {
			return err
		}
	}
	return nil
}

// saveAltered saves into be, under the digest d of n seeded bytes, those
// bytes with the one at index at flipped: a copy damaged behind litho's
// back, of the right size. It returns d, the good bytes and the bad.
func saveAltered(t *testing.T, be artifacts.Backend, seed uint64, n, at int) (d artifacts.Digest, good, bad []byte) {
	t.Helper()
	good = storetest.Bytes(seed, n)
	bad = bytes.Clone(good)
	bad[at] ^= 0xff
	d = artifacts.DigestBytes(good)
	if err := be.Save(context.Background(), artifacts.Blobs, string(d), bytes.NewReader(bad), int64(len(bad))); err != nil {
		t.Fatal(err)
	}
	return d, good, bad
}

// wantAbsent reports msg when be still holds the object.
func wantAbsent(t *testing.T, be artifacts.Backend, ns artifacts.Namespace, name, msg string) {
	t.Helper()
	if _, err := be.Stat(context.Background(), ns, name); !errors.Is(err, artifacts.ErrNotFound) {
		t.Errorf("%s (stat: %v)", msg, err)
	}
}

// flip damages a local blob file without changing its size.
func flip(t *testing.T, l *artifacts.Local, d artifacts.Digest) {
	t.Helper()
	storetest.Edit(t, l.Path(artifacts.Blobs, string(d)), func(b []byte) { b[len(b)/2] ^= 0xff })
}

// putDamaged puts 4000 seeded bytes through st, then damages the copy
// in local.
func putDamaged(t *testing.T, st *artifacts.Store, local *artifacts.Local, seed uint64) ([]byte, artifacts.Digest) {
	t.Helper()
	good := storetest.Bytes(seed, 4000)
	d, err := st.PutBytes(context.Background(), good)
	if err != nil {
		t.Fatal(err)
	}
	flip(t, local, d)
	return good, d
}

// TestTieredRecoversCorruptLocal: a local copy damaged on disk is dropped
// and the remote's good copy fetched again (verified) and served in the
// same read; the remote copy stays.
func TestTieredRecoversCorruptLocal(t *testing.T) {
	eachRemote(t, func(t *testing.T, local *artifacts.Local, remote artifacts.Backend) {
		st := artifacts.NewStore(artifacts.NewTiered(local, remote, nil))
		good, d := putDamaged(t, st, local, 43)
		if got, err := st.ReadAll(context.Background(), d); err != nil || !bytes.Equal(got, good) {
			t.Fatalf("read over a damaged local copy: %d bytes, %v; want the remote's good bytes", len(got), err)
		}
		if got := storetest.MustRead(t, local, artifacts.Blobs, string(d)); !bytes.Equal(got, good) {
			t.Error("local copy not restored from the remote")
		}
		if got := storetest.MustRead(t, remote, artifacts.Blobs, string(d)); !bytes.Equal(got, good) {
			t.Error("remote copy changed")
		}
	})
}

// TestTieredStreamDropsCorruptLocal: a stream cannot take back the bad
// bytes it delivered, so it fails with a CorruptError; it drops the local
// copy only, and the next read serves the remote's.
func TestTieredStreamDropsCorruptLocal(t *testing.T) {
	ctx := context.Background()
	local, remote := storetest.Local(t), storetest.Local(t)
	st := artifacts.NewStore(artifacts.NewTiered(local, remote, nil))
	good, d := putDamaged(t, st, local, 44)
	rc, err := st.Open(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(rc)
	rc.Close()
	var ce *artifacts.CorruptError
	if !errors.As(err, &ce) || ce.Kept != nil {
		t.Fatalf("stream over a damaged local copy: %v, want a CorruptError with the copy removed", err)
	}
	wantAbsent(t, local, artifacts.Blobs, string(d), "damaged local copy kept")
	if got, err := st.ReadAll(ctx, d); err != nil || !bytes.Equal(got, good) {
		t.Errorf("read after the stream: %d bytes, %v; want the remote's good bytes", len(got), err)
	}
}

// TestTieredRemoveRecord: Store.RemoveRecord removes from both tiers.
func TestTieredRemoveRecord(t *testing.T) {
	ctx := context.Background()
	local, remote := storetest.Local(t), storetest.Local(t)
	st := artifacts.NewStore(artifacts.NewTiered(local, remote, nil))
	if err := st.PutRecord(ctx, artifacts.Records, "k", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if err := st.RemoveRecord(ctx, artifacts.Records, "k"); err != nil {
		t.Fatal(err)
	}
	for _, be := range []artifacts.Backend{local, remote} {
		wantAbsent(t, be, artifacts.Records, "k", "record still in "+be.Location())
	}
	if err := st.RemoveRecord(ctx, artifacts.Blobs, "k"); err == nil {
		t.Error("RemoveRecord of a blob: no error")
	}
}
