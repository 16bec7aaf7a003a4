package dag

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"litho/artifacts"
	"litho/artifacts/storetest"
)

// TestRecordIntegrityRoundTrip: a saved record passes its own check when
// read back, whatever its values (integers past 2^53, floats, escaped and
// non-ASCII strings, partitions, notes); any change to a stored record
// fails it, however valid its JSON.
func TestRecordIntegrityRoundTrip(t *testing.T) {
	ctx := context.Background()
	local := storetest.Local(t)
	st := artifacts.NewStore(local)
	d := artifacts.DigestBytes([]byte("x"))
	key := string(artifacts.DigestBytes([]byte("key")))
	rec := &Record{Key: key, Stage: "s", Host: "h <&> ü", Litho: "v", Start: time.Now().UTC(), Seconds: 1.0 / 3,
		Fields: KeyFields{Kind: "k", Version: "1", Inputs: map[string]artifacts.Digest{"in": d},
			Params: map[string]any{"seed": int64(math.MaxInt64), "rate": 1e-300, "ks": []int64{4, 18}, "name": "a\"b<c>\u2028"}},
		Outputs:    map[string]OutputRecord{"out": {Digest: d, MediaType: MediaManifest, Size: 3, Parts: map[string]artifacts.Digest{"p": d}}},
		Notes:      map[string]string{"backend": "go"},
		Partitions: map[string]string{"p": key},
	}
	if err := saveRecord(ctx, st, rec); err != nil {
		t.Fatal(err)
	}
	b, err := st.GetRecord(ctx, artifacts.Records, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, why := decodeRecord(b, key); why != "" {
		t.Fatalf("a saved record fails its own check: %s\n%s", why, b)
	}
	for name, edit := range map[string]func(string) string{
		"a digest": func(s string) string {
			return strings.Replace(s, string(d), string(artifacts.DigestBytes([]byte("y"))), 1)
		},
		"a number": func(s string) string { return strings.Replace(s, "9223372036854775807", "9223372036854775806", 1) },
		"a string": func(s string) string { return strings.Replace(s, `"go"`, `"xla"`, 1) },
		"a field":  func(s string) string { return strings.Replace(s, `"stage": "s"`, `"stage": "s", "extra": 1`, 1) },
		"trailing": func(s string) string { return s + "{}" },
	} {
		if _, why := decodeRecord([]byte(edit(string(b))), key); why == "" {
			t.Errorf("a record with %s changed passes its check", name)
		}
	}
	if _, why := decodeRecord(b, string(artifacts.DigestBytes([]byte("other")))); !strings.Contains(why, "another key") {
		t.Errorf("a record under another key: %q", why)
	}
}

// TestRecordIntegrityForward: a record sealed by a later litho, with a
// field this one does not know, passes this one's check; a record from
// before integrity digests passes too (fits still applies to it).
func TestRecordIntegrityForward(t *testing.T) {
	key := string(artifacts.DigestBytes([]byte("key")))
	later := []byte("{\n  \"key\": \"" + key + "\",\n  \"future\": {\"x\": 1}," + integrityField + unsealed + "\"\n}")
	copy(later[bytes.LastIndex(later, []byte(unsealed)):], artifacts.DigestBytes(later))
	if _, why := decodeRecord(later, key); why != "" {
		t.Errorf("a later litho's record: %s", why)
	}
	if _, why := decodeRecord([]byte(`{"key": "`+key+`"}`), key); why != "" {
		t.Errorf("a record from before integrity digests: %s", why)
	}
}

// TestFits: a record fits its kind when its outputs are the kind's, with
// their media types (manifests for a partitioned output); an optional
// output may be absent, a required one may not; a partition's record
// may lack outputs.
func TestFits(t *testing.T) {
	k := &Kind{Name: "k", Outputs: []OutputSpec{
		{Name: "table", MediaType: "application/parquet"},
		{Name: "parts", MediaType: "application/parquet", Partitioned: true},
		{Name: "extra", MediaType: "text/plain", Optional: true},
	}}
	good := func() *Record {
		return &Record{Fields: KeyFields{Kind: "k"}, Outputs: map[string]OutputRecord{
			"table": {MediaType: "application/parquet"}, "parts": {MediaType: MediaManifest}}}
	}
	cases := map[string]func(r *Record){
		"":                  func(r *Record) {},
		"another kind":      func(r *Record) { r.Fields.Kind = "other" },
		"no table":          func(r *Record) { delete(r.Outputs, "table") },
		"an unknown output": func(r *Record) { r.Outputs["nope"] = OutputRecord{MediaType: "text/plain"} },
		"a table as PNG":    func(r *Record) { r.Outputs["table"] = OutputRecord{MediaType: "image/png"} },
		"parts unmanifested": func(r *Record) {
			r.Outputs["parts"] = OutputRecord{MediaType: "application/parquet"}
		},
		"a file outside": func(r *Record) {
			r.Outputs["table"] = OutputRecord{MediaType: "application/parquet", External: "/etc/passwd"}
		},
	}
	for name, edit := range cases {
		r := good()
		edit(r)
		if why := fits(r, k); (why == "") != (name == "") {
			t.Errorf("%q: fits says %q", name, why)
		}
	}
	r := good()
	r.Outputs["extra"] = OutputRecord{MediaType: "text/plain"}
	if why := fits(r, k); why != "" {
		t.Errorf("with the optional output: %s", why)
	}
	part := &Record{Fields: KeyFields{Kind: "k"}, Partition: "p", Outputs: map[string]OutputRecord{"parts": {MediaType: "application/parquet"}}}
	if why := fits(part, k); why != "" {
		t.Errorf("a partition's record: %s", why)
	}
}
