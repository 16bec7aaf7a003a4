package artifacts_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"litho/artifacts"
	"litho/artifacts/storetest"
)

// names lists a namespace, sorted.
func names(t *testing.T, be artifacts.Backend, ns artifacts.Namespace) []string {
	t.Helper()
	var out []string
	if err := be.List(context.Background(), ns, func(i artifacts.Info) error { out = append(out, i.Name); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func sorted(s ...string) []string { slices.Sort(s); return s }

// TestGCRetained: with everything younger than the grace period nothing
// is deleted; once all of it is older, only what the retained records
// reach (through partition links too) survives.
func TestGCRetained(t *testing.T) {
	for _, r := range remotes {
		t.Run(r.name, func(t *testing.T) {
			ctx := context.Background()
			be := r.open(t)
			ds := fillHost(t, be, 0) // stage → part-a, part-b; single
			shared := ds[0]
			saveRecord(t, be, key("old"), []artifacts.Digest{shared, storetest.SaveBlob(t, be, []byte("old output"))})
			storetest.SaveBlob(t, be, []byte("unreferenced"))
			allRecs, allBlobs := names(t, be, artifacts.Records), names(t, be, artifacts.Blobs)
			opt := artifacts.GCOptions{Retain: func(k string) bool { return k == recStage }, Refs: testRefs}

			st, err := artifacts.GC(ctx, be, opt)
			if err != nil || st.RecordsDeleted+st.BlobsDeleted != 0 {
				t.Fatalf("gc of young objects: %+v, %v; want nothing deleted", st, err)
			}
			if !slices.Equal(names(t, be, artifacts.Records), allRecs) || !slices.Equal(names(t, be, artifacts.Blobs), allBlobs) {
				t.Fatal("gc deleted objects younger than the grace period")
			}

			opt.Now = time.Now().Add(25 * time.Hour)
			dry := opt
			dry.DryRun = true
			if st, err := artifacts.GC(ctx, be, dry); err != nil || st.RecordsDeleted != 2 || st.BlobsDeleted != 3 {
				t.Errorf("dry run: %+v, %v; want 2 records and 3 blobs counted", st, err)
			}
			if !slices.Equal(names(t, be, artifacts.Blobs), allBlobs) {
				t.Fatal("dry run deleted blobs")
			}
			st, err = artifacts.GC(ctx, be, opt)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := names(t, be, artifacts.Records), sorted(recStage, recPartA, recPartB); !slices.Equal(got, want) {
				t.Errorf("records kept %v, want %v", got, want)
			}
			want := sorted(string(ds[0]), string(ds[1]), string(ds[2]), string(ds[3]))
			if got := names(t, be, artifacts.Blobs); !slices.Equal(got, want) {
				t.Errorf("blobs kept %v, want the 4 the retained stage reaches", got)
			}
			checkConsistent(t, be)
			if st.RecordsDeleted != 2 || st.BlobsDeleted != 3 || st.BytesDeleted == 0 {
				t.Errorf("stats %+v, want 2 records and 3 blobs deleted", st)
			}
		})
	}
}

// age sets a local object's time to d ago.
func age(t *testing.T, l *artifacts.Local, ns artifacts.Namespace, name string, d time.Duration) {
	t.Helper()
	old := time.Now().Add(-d)
	if err := os.Chtimes(l.Path(ns, name), old, old); err != nil {
		t.Fatal(err)
	}
}

// TestGCGrace: a record published within the grace period protects the
// (old) blobs it names even though nobody retains it, and a young blob
// nothing names survives; old unreferenced things go.
func TestGCGrace(t *testing.T) {
	ctx := context.Background()
	l := storetest.Local(t)
	oldBlob := storetest.SaveBlob(t, l, []byte("old blob, named by a fresh record"))
	orphan := storetest.SaveBlob(t, l, []byte("old orphan"))
	young := storetest.SaveBlob(t, l, []byte("young orphan"))
	stale := storetest.SaveBlob(t, l, []byte("named by a stale record"))
	saveRecord(t, l, key("fresh"), []artifacts.Digest{oldBlob})
	saveRecord(t, l, key("stale"), []artifacts.Digest{stale})
	for _, d := range []artifacts.Digest{oldBlob, orphan, stale} {
		age(t, l, artifacts.Blobs, string(d), 48*time.Hour)
	}
	age(t, l, artifacts.Records, key("stale"), 48*time.Hour)
	age(t, l, artifacts.Records, key("fresh"), time.Hour)

	st, err := artifacts.GC(ctx, l, artifacts.GCOptions{Retain: func(string) bool { return false }, Refs: testRefs})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(t, l, artifacts.Records); !slices.Equal(got, []string{key("fresh")}) {
		t.Errorf("records kept %v, want [fresh]", got)
	}
	if got, want := names(t, l, artifacts.Blobs), sorted(string(oldBlob), string(young)); !slices.Equal(got, want) {
		t.Errorf("blobs kept %v, want %v", got, want)
	}
	if st.BlobsDeleted != 2 || st.RecordsDeleted != 1 {
		t.Errorf("stats %+v, want 2 blobs and 1 record deleted", st)
	}
}

// TestGCUnreadableRecord: a kept record that cannot be parsed stops the
// collection before anything is deleted.
func TestGCUnreadableRecord(t *testing.T) {
	l := storetest.Local(t)
	orphan := storetest.SaveBlob(t, l, []byte("orphan"))
	if err := l.Save(context.Background(), artifacts.Records, key("broken"), strings.NewReader("{not json"), -1); err != nil {
		t.Fatal(err)
	}
	_, err := artifacts.GC(context.Background(), l, artifacts.GCOptions{Refs: testRefs, Now: time.Now().Add(48 * time.Hour)})
	if err == nil {
		t.Fatal("gc with an unparsable record: no error")
	}
	if _, err := l.Stat(context.Background(), artifacts.Blobs, string(orphan)); errors.Is(err, artifacts.ErrNotFound) {
		t.Error("gc deleted a blob although a record could not be read")
	}
}

// TestGCNoGrace: with NoGrace even fresh objects that no retained record
// reaches go, and Deleted hears of each, records then blobs in listing
// order; a dry run reports the same list and deletes nothing.
func TestGCNoGrace(t *testing.T) {
	ctx := context.Background()
	l := storetest.Local(t)
	ds := fillHost(t, l, 0) // stage → part-a, part-b; single
	orphan := storetest.SaveBlob(t, l, []byte("orphan"))
	var got []string
	opt := artifacts.GCOptions{
		Retain:  func(k string) bool { return k == recStage },
		Refs:    testRefs,
		NoGrace: true,
		DryRun:  true,
		Deleted: func(ns artifacts.Namespace, i artifacts.Info) { got = append(got, string(ns)+"/"+i.Name) },
	}
	want := append([]string{"ac/" + recSingle}, sorted("cas/"+string(ds[4]), "cas/"+string(orphan))...)
	allBlobs := names(t, l, artifacts.Blobs)
	if _, err := artifacts.GC(ctx, l, opt); err != nil || !slices.Equal(got, want) {
		t.Fatalf("dry run reported %v (%v), want %v", got, err, want)
	}
	if !slices.Equal(names(t, l, artifacts.Blobs), allBlobs) {
		t.Fatal("dry run deleted blobs")
	}
	got, opt.DryRun = nil, false
	st, err := artifacts.GC(ctx, l, opt)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("gc reported %v (%v), want %v", got, err, want)
	}
	if kept := names(t, l, artifacts.Records); !slices.Equal(kept, sorted(recStage, recPartA, recPartB)) {
		t.Errorf("records kept %v", kept)
	}
	if st.Records-st.RecordsDeleted != 3 || st.Blobs-st.BlobsDeleted != 4 {
		t.Errorf("stats %+v, want 3 records and 4 blobs kept", st)
	}
	checkConsistent(t, l)
}
