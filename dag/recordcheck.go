package dag

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"litho/artifacts"
)

// A record carries its own digest, so that any change to its stored
// bytes shows, however valid the JSON: Integrity, the last field, holds
// the SHA-256 of the record's bytes as stored with that value replaced by
// zeros. It covers the bytes, not a re-encoding, so a litho that does not
// know a field added later still checks a record that has it (and an
// older litho, which ignores Integrity, reads it as before).

// integrityField introduces Integrity in a record written by seal:
// indented two spaces, so a parameter or note of that name never matches.
const integrityField = "\n  \"integrity\": \""

var unsealed = strings.Repeat("0", 64)

// seal encodes r with its integrity digest.
func seal(r *Record) ([]byte, error) {
	c := *r
	c.Integrity = unsealed
	b, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return nil, err
	}
	at := bytes.LastIndex(b, []byte(integrityField+unsealed)) + len(integrityField)
	copy(b[at:], artifacts.DigestBytes(b))
	return b, nil
}

// sealIntact reports whether b, a record that claims the integrity digest
// sum, hashes to it.
func sealIntact(b []byte, sum string) bool {
	at := bytes.LastIndex(b, []byte(integrityField))
	if at < 0 || len(b) < at+len(integrityField)+len(unsealed) {
		return false
	}
	at += len(integrityField)
	if string(b[at:at+len(unsealed)]) != sum {
		return false
	}
	blank := bytes.Clone(b)
	copy(blank[at:], unsealed)
	return string(artifacts.DigestBytes(blank)) == sum
}

// decodeRecord parses a stored record and checks that it is key's and
// intact; why says what is wrong. A record without an integrity digest
// was written by a litho from before they had one; it is trusted as far
// as fits allows.
func decodeRecord(b []byte, key string) (rec *Record, why string) {
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, "it does not parse: " + err.Error()
	}
	if r.Key != key {
		return nil, fmt.Sprintf("it holds the record of another key (%.12s)", r.Key)
	}
	if r.Integrity != "" && !sealIntact(b, r.Integrity) {
		return nil, "its bytes do not match its integrity digest"
	}
	return &r, ""
}

// fits says why a record cannot be one of kind k's runs ("" when it can):
// its kind, and each output's presence (unless optional) and media type,
// as the kind declares them. A record that names a blob of another kind
// of content is set aside before a stage downstream fails on it.
func fits(rec *Record, k *Kind) string {
	if rec.Fields.Kind != k.Name {
		return fmt.Sprintf("it is a record of kind %q, not %q", rec.Fields.Kind, k.Name)
	}
	for name := range rec.Outputs {
		if _, ok := k.Output(name); !ok {
			return fmt.Sprintf("kind %s has no output %q", k.Name, name)
		}
	}
	for _, spec := range k.Outputs {
		o, ok := rec.Outputs[spec.Name]
		want := spec.MediaType
		// A stage-level output is a manifest when the kind declares it
		// partitioned, or when the stage ran per partition (folds, seeds)
		// or wrote partitions into it.
		if rec.Partition == "" && (spec.Partitioned || ok && o.MediaType == MediaManifest) {
			want = MediaManifest
		}
		switch {
		case !ok && rec.Partition == "" && !spec.Optional:
			return fmt.Sprintf("output %s is missing", spec.Name)
		case ok && o.MediaType != want:
			return fmt.Sprintf("output %s is %s, want %s", spec.Name, o.MediaType, want)
		case ok && o.External != "" && !spec.External:
			return fmt.Sprintf("output %s names a file outside the store", spec.Name)
		}
	}
	return ""
}

// setAside removes a record that cannot be trusted, saying which and why,
// so that its stage is recomputed rather than failing on every run. A
// read-only store keeps it; the caller treats it as missing all the same.
// A nil log discards the warning.
func setAside(ctx context.Context, st *artifacts.Store, key, why string, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	err := st.RemoveRecord(context.WithoutCancel(ctx), artifacts.Records, key)
	if err != nil {
		log.Warn("record cannot be trusted; left in place, its stage counts as not run", "record", key, "why", why, "remove", err)
		return
	}
	log.Warn("record cannot be trusted; removed, its stage will be recomputed", "record", key, "why", why)
}

// CheckRecord says why the stored bytes b cannot be trusted as the record
// of key ("" when they can): they must parse, be key's, match their
// integrity digest and, when reg knows the record's kind at its version,
// fit it. It is what `litho verify` asks of every record.
func CheckRecord(b []byte, key string, reg *Registry) (*Record, string) {
	rec, why := decodeRecord(b, key)
	if why != "" {
		return nil, why
	}
	if k, ok := reg.Lookup(rec.Fields.Kind); ok && k.Version == rec.Fields.Version {
		if why := fits(rec, k); why != "" {
			return nil, why
		}
	}
	return rec, ""
}

// CheckManifests reads the partition manifests rec names and says why one
// does not list the partitions rec does ("" when all do); err is a
// manifest that cannot be read.
func CheckManifests(ctx context.Context, st *artifacts.Store, rec *Record) (string, error) {
	for _, name := range slices.Sorted(maps.Keys(rec.Outputs)) {
		o := rec.Outputs[name]
		if o.MediaType != MediaManifest {
			continue
		}
		b, err := st.ReadAll(ctx, o.Digest)
		if err != nil {
			return "", err
		}
		var m Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Sprintf("output %s: its manifest %s does not parse: %v", name, o.Digest.Short(), err), nil
		}
		if !maps.Equal(m.Parts, o.Parts) {
			return fmt.Sprintf("output %s: its manifest %s lists other partitions than the record", name, o.Digest.Short()), nil
		}
	}
	return "", nil
}
