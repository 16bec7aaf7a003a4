package artifacts_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"litho/artifacts"
	"litho/artifacts/storetest"
)

// Record names are stage keys, as litho gives them, so that garbage
// collection takes the records for its own.
var recStage, recPartA, recPartB, recSingle = key("stage"), key("part-a"), key("part-b"), key("single")

// key is a key-shaped record name made from a readable one.
func key(s string) string { return string(artifacts.DigestBytes([]byte(s))) }

// fillHost gives a backend three stage records: recStage links its two
// partition records, each naming blobs; recSingle names one blob.
func fillHost(t *testing.T, be artifacts.Backend, big int) []artifacts.Digest {
	t.Helper()
	var ds []artifacts.Digest
	for i := range 5 {
		n := 10000 + i
		if i == 0 && big > 0 {
			n = big
		}
		ds = append(ds, storetest.SaveBlob(t, be, storetest.Bytes(uint64(300+i), n)))
	}
	saveRecord(t, be, recPartA, ds[0:2])
	saveRecord(t, be, recPartB, ds[2:3])
	saveRecord(t, be, recStage, ds[3:4], recPartA, recPartB)
	saveRecord(t, be, recSingle, ds[4:5])
	return ds
}

// TestPushPull: records and everything they reach go from host A to the
// remote and on to host B; a second push copies no blob again.
func TestPushPull(t *testing.T) {
	for _, r := range remotes {
		t.Run(r.name, func(t *testing.T) {
			ctx := context.Background()
			a, remote, b := storetest.Local(t), r.open(t), storetest.Local(t)
			ds := fillHost(t, a, 0)
			keys := []string{recStage, recSingle}
			st, err := artifacts.TransferRecords(ctx, a, remote, keys, testRefs, 4)
			if err != nil {
				t.Fatalf("push: %v", err)
			}
			if st.Copied != len(ds)+4 || st.Skipped != 0 {
				t.Errorf("push stats %+v, want %d copied", st, len(ds)+4)
			}
			if n := checkConsistent(t, remote); n != 4 {
				t.Errorf("remote has %d records after push, want 4", n)
			}
			if _, err := artifacts.TransferRecords(ctx, remote, b, []string{recStage}, testRefs, 4); err != nil {
				t.Fatalf("pull: %v", err)
			}
			if n := checkConsistent(t, b); n != 3 {
				t.Errorf("host B has %d records after pulling stage, want 3 (stage and its partitions)", n)
			}
			st, err = artifacts.TransferRecords(ctx, a, remote, keys, testRefs, 4)
			if err != nil || st.Skipped != len(ds) || st.Copied != 4 {
				t.Errorf("second push: %+v, %v; want the %d blobs skipped and only the 4 records copied", st, err, len(ds))
			}
		})
	}
}

// TestTransferRecordsOrder: blobs land before any record, and linked
// partition records before the stage record that links them.
func TestTransferRecordsOrder(t *testing.T) {
	a, dst := storetest.Local(t), &recorder{Backend: storetest.Local(t)}
	fillHost(t, a, 0)
	if _, err := artifacts.TransferRecords(context.Background(), a, dst, []string{recStage}, testRefs, 4); err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	lastBlob := -1
	for i, s := range dst.log {
		pos[s] = i
		if strings.HasPrefix(s, "cas/") {
			lastBlob = i
		}
	}
	for _, rec := range []string{"ac/" + recPartA, "ac/" + recPartB, "ac/" + recStage} {
		if p, ok := pos[rec]; !ok || p < lastBlob {
			t.Errorf("%s saved at %d (present %v), want after the last blob at %d", rec, p, ok, lastBlob)
		}
	}
	if pos["ac/"+recStage] < pos["ac/"+recPartA] || pos["ac/"+recStage] < pos["ac/"+recPartB] {
		t.Errorf("stage record saved before its partition records: %v", dst.log)
	}
}

// streamOnly hides that a backend's objects are files, so transfers
// verify them as streams.
type streamOnly struct{ artifacts.Backend }

func (s streamOnly) Open(ctx context.Context, ns artifacts.Namespace, name string) (io.ReadCloser, error) {
	rc, err := s.Backend.Open(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	return struct{ io.ReadCloser }{rc}, nil
}

// TestTransferCorruptSource: a blob that does not match its digest is
// reported, not copied, and the record naming it is not published,
// whether the source is a local file, a stream or the S3 store.
func TestTransferCorruptSource(t *testing.T) {
	sources := append([]struct {
		name string
		open func(t *testing.T) artifacts.Backend
	}{{"stream", func(t *testing.T) artifacts.Backend { return streamOnly{storetest.Local(t)} }}}, remotes...)
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			ctx := context.Background()
			from, to := src.open(t), storetest.Local(t)
			good := storetest.Bytes(60, 20000)
			d := artifacts.DigestBytes(good)
			if err := from.Save(ctx, artifacts.Blobs, string(d), bytes.NewReader(good[1:]), int64(len(good)-1)); err != nil {
				t.Fatal(err)
			}
			saveRecord(t, from, "rec", []artifacts.Digest{d})
			_, err := artifacts.TransferRecords(ctx, from, to, []string{"rec"}, testRefs, 2)
			var ce *artifacts.CorruptError
			if !errors.As(err, &ce) || ce.Digest != d {
				t.Fatalf("transfer of a corrupt blob: %v, want a CorruptError for %s", err, d.Short())
			}
			wantAbsent(t, to, artifacts.Blobs, string(d), "corrupt blob copied")
			wantAbsent(t, to, artifacts.Records, "rec", "record naming a corrupt blob copied")
		})
	}
}

// TestPushCorruptLargeStream: a damaged blob of the right size, streamed
// into a multipart upload (which may stop reading at the stated size,
// before EOF), is caught and never lands at the destination.
func TestPushCorruptLargeStream(t *testing.T) {
	for _, r := range remotes {
		t.Run(r.name, func(t *testing.T) {
			ctx := context.Background()
			from, to := storetest.Local(t), r.open(t)
			d, _, _ := saveAltered(t, from, 61, 20<<20, 20<<20-1)
			_, err := artifacts.Transfer(ctx, streamOnly{from}, to, artifacts.Blobs, []string{string(d)}, 1)
			var ce *artifacts.CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("push of a damaged large blob: %v, want a CorruptError", err)
			}
			wantAbsent(t, to, artifacts.Blobs, string(d), "damaged blob landed at the destination")
		})
	}
}

// killer cancels a context once n bytes have been read from its backend:
// a process killed in the middle of a push.
type killer struct {
	artifacts.Backend
	left   atomic.Int64
	cancel context.CancelFunc
}

func (k *killer) Open(ctx context.Context, ns artifacts.Namespace, name string) (io.ReadCloser, error) {
	rc, err := k.Backend.Open(ctx, ns, name)
	if err != nil {
		return nil, err
	}
	return killReader{rc, k}, nil
}

type killReader struct {
	io.ReadCloser
	k *killer
}

func (r killReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if r.k.left.Add(-int64(n)) <= 0 {
		r.k.cancel()
	}
	return n, err
}

// TestPushKilledMidUpload: a push cut off in the middle of a large
// (multipart on S3) upload leaves the remote consistent: no record, no
// partial object; the next push completes.
func TestPushKilledMidUpload(t *testing.T) {
	for _, r := range remotes {
		t.Run(r.name, func(t *testing.T) {
			a, remote := storetest.Local(t), r.open(t)
			ds := fillHost(t, a, 40<<20)
			ctx, cancel := context.WithCancel(context.Background())
			src := &killer{Backend: a, cancel: cancel}
			src.left.Store(20 << 20)
			if _, err := artifacts.TransferRecords(ctx, src, remote, []string{recStage, recSingle}, testRefs, 2); err == nil {
				t.Fatal("push killed half-way: no error")
			}
			if n := checkConsistent(t, remote); n != 0 {
				t.Errorf("killed push published %d records before all blobs", n)
			}
			wantAbsent(t, remote, artifacts.Blobs, string(ds[0]), "large blob whose upload was cut")
			checkBlobsVerify(t, remote)
			if _, err := artifacts.TransferRecords(context.Background(), a, remote, []string{recStage, recSingle}, testRefs, 2); err != nil {
				t.Fatalf("push after the killed one: %v", err)
			}
			if n := checkConsistent(t, remote); n != 4 {
				t.Errorf("remote has %d records after the second push, want 4", n)
			}
		})
	}
}

// checkBlobsVerify asserts every blob the backend lists matches its name.
func checkBlobsVerify(t *testing.T, be artifacts.Backend) {
	t.Helper()
	st := artifacts.NewStore(be)
	err := be.List(context.Background(), artifacts.Blobs, func(i artifacts.Info) error {
		_, err := st.ReadAll(context.Background(), artifacts.Digest(i.Name))
		return err
	})
	if err != nil {
		t.Errorf("a listed blob does not verify: %v", err)
	}
}
