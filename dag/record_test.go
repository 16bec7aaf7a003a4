package dag_test

import (
	"encoding/json"
	"slices"
	"testing"

	"litho/artifacts"
	"litho/dag"
)

// TestRecordRefs: a stored record names its stored outputs and parts (not
// external files) and, sorted, its partitions' records.
func TestRecordRefs(t *testing.T) {
	d := func(s string) artifacts.Digest { return artifacts.DigestBytes([]byte(s)) }
	rec := dag.Record{
		Key: "k",
		Outputs: map[string]dag.OutputRecord{
			"table": {Digest: d("manifest"), Parts: map[string]artifacts.Digest{"b1": d("part")}},
			"file":  {Digest: d("outside"), External: "/data/in.las"},
		},
		Partitions: map[string]string{"b2": "key-b2", "b1": "key-b1"},
	}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	blobs, links, err := dag.RecordRefs(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []artifacts.Digest{d("manifest"), d("part")}
	slices.Sort(blobs)
	slices.Sort(want)
	if !slices.Equal(blobs, want) {
		t.Errorf("blobs %v, want %v", blobs, want)
	}
	if !slices.Equal(links, []string{"key-b1", "key-b2"}) {
		t.Errorf("links %v, want [key-b1 key-b2]", links)
	}
	if _, _, err := dag.RecordRefs([]byte("{not json")); err == nil {
		t.Error("unparsable record: no error")
	}
}
