package artifacts_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"litho/artifacts"
	"litho/artifacts/storetest"
)

// TestWalk: records come level by level, roots first, each blob once in
// the order found; a record that does not exist is listed as missing, one
// that does not parse is an error.
func TestWalk(t *testing.T) {
	ctx := context.Background()
	l := storetest.Local(t)
	ds := fillHost(t, l, 0) // stage → part-a (ds 0, 1), part-b (ds 2); stage ds 3; single ds 4
	saveRecord(t, l, key("again"), ds[4:5], recPartA)
	g, err := artifacts.Walk(ctx, l, []string{recStage, recSingle, "absent", key("again")}, testRefs)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprint([][]string{{recStage, recSingle, key("again")}, {recPartA, recPartB}}); fmt.Sprint(g.Levels) != want {
		t.Errorf("levels %v, want %s", g.Levels, want)
	}
	if want := []artifacts.Digest{ds[3], ds[4], ds[0], ds[1], ds[2]}; !slices.Equal(g.Blobs, want) {
		t.Errorf("blobs %v, want %v", g.Blobs, want)
	}
	if !slices.Equal(g.Missing, []string{"absent"}) {
		t.Errorf("missing %v, want [absent]", g.Missing)
	}
	if err := l.Save(ctx, artifacts.Records, key("broken"), strings.NewReader("{not json"), -1); err != nil {
		t.Fatal(err)
	}
	if _, err := artifacts.Walk(ctx, l, []string{recStage, key("broken")}, testRefs); err == nil {
		t.Error("walk over an unparsable record: no error")
	}
}

// TestTransferRecordsMissing: a named record the source lacks stops the
// transfer before anything is copied.
func TestTransferRecordsMissing(t *testing.T) {
	a, dst := storetest.Local(t), storetest.Local(t)
	fillHost(t, a, 0)
	_, err := artifacts.TransferRecords(context.Background(), a, dst, []string{recStage, "absent"}, testRefs, 2)
	if !errors.Is(err, artifacts.ErrNotFound) {
		t.Errorf("transfer of an absent record: %v, want ErrNotFound", err)
	}
	if n := len(names(t, dst, artifacts.Blobs)) + len(names(t, dst, artifacts.Records)); n != 0 {
		t.Errorf("%d objects copied, want none", n)
	}
}
