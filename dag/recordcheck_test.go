package dag

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"litho/artifacts"
)

// TestRecordIntegrityRoundTrip: a saved record passes its own check when
// read back, whatever its values (integers past 2^53, floats, escaped and
// non-ASCII strings, partitions, notes); any change to a stored record
// fails it, however valid its JSON.
func TestRecordIntegrityRoundTrip(t *testing.T) {
	ctx := context.Background()
	local, err := artifacts.OpenLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
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
