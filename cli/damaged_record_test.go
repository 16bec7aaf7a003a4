package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"litho/artifacts"
	"litho/artifacts/s3store"
	"litho/cli/clitest"
	"litho/dag"
)

// recordFile is where a local store in dir keeps a record.
func recordFile(dir, key string) string {
	return filepath.Join(dir, ".litho", "ac", key[:2], key)
}

// editJSON decodes a record, lets edit change it and encodes it again
// (which alone breaks its integrity digest unless edit deletes it).
func editJSON(t *testing.T, b []byte, edit func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func output(m map[string]any, name string) map[string]any {
	return m["outputs"].(map[string]any)[name].(map[string]any)
}

// recordDamage is one way a stored record goes wrong: which record, and
// its bytes afterwards (from its own and the other stages' records).
type recordDamage struct {
	name   string
	stage  string // "stage" or "stage/partition"
	damage func(t *testing.T, own []byte, other func(stage string) []byte) []byte
	trust  bool // the record is still good: it stays cached, no warning
}

var recordDamages = []recordDamage{
	{"points at another valid blob of the same size", "a", func(t *testing.T, own []byte, other func(string) []byte) []byte {
		var c dag.Record
		json.Unmarshal(other("concat"), &c)
		return editJSON(t, own, func(m map[string]any) {
			o := output(m, "out")
			o["digest"], o["size"] = string(c.Outputs["out"].Digest), c.Outputs["out"].Size
		})
	}, false},
	{"media type changed", "a", func(t *testing.T, own []byte, _ func(string) []byte) []byte {
		return editJSON(t, own, func(m map[string]any) { output(m, "out")["media_type"] = "image/png" })
	}, false},
	{"a harmless field changed", "a", func(t *testing.T, own []byte, _ func(string) []byte) []byte {
		return bytes.Replace(own, []byte(`"host": "`), []byte(`"host": "x`), 1)
	}, false},
	{"truncated", "a", func(t *testing.T, own []byte, _ func(string) []byte) []byte { return own[:len(own)/2] }, false},
	{"empty", "concat", func(t *testing.T, own []byte, _ func(string) []byte) []byte { return nil }, false},
	{"another stage's record", "a", func(t *testing.T, _ []byte, other func(string) []byte) []byte { return other("concat") }, false},
	{"another kind's record under this key, no digest", "a", func(t *testing.T, own []byte, other func(string) []byte) []byte {
		var key string
		json.Unmarshal(own, &struct{ Key *string }{&key})
		return editJSON(t, other("concat"), func(m map[string]any) { m["key"] = key; delete(m, "integrity") })
	}, false},
	{"from before digests, media type changed", "concat", func(t *testing.T, own []byte, _ func(string) []byte) []byte {
		return editJSON(t, own, func(m map[string]any) { delete(m, "integrity"); output(m, "out")["media_type"] = "text/html" })
	}, false},
	{"from before digests, intact", "a", func(t *testing.T, own []byte, _ func(string) []byte) []byte {
		return editJSON(t, own, func(m map[string]any) { delete(m, "integrity") })
	}, true},
}

// TestDamagedRecordRecomputed: after any one damage to a stage's or a
// partition's record in the local store, the next run says which record
// it cannot trust, recomputes that stage (partition) instead of trusting
// or failing on it, and ends with the same outputs as a clean run; the
// run after that is all cached and quiet. A record from before integrity
// digests that still fits is trusted.
func TestDamagedRecordRecomputed(t *testing.T) {
	for _, rd := range recordDamages {
		t.Run(rd.name, func(t *testing.T) {
			dir := t.TempDir()
			clean := events(t, mustRun(t, dir, nil, "run", "--json").Stdout)
			keys := clitest.Keys(clean)
			other := func(stage string) []byte { b, _ := os.ReadFile(recordFile(dir, keys[stage])); return b }
			own := other(rd.stage)
			if err := os.WriteFile(recordFile(dir, keys[rd.stage]), rd.damage(t, own, other), 0o644); err != nil {
				t.Fatal(err)
			}
			r := mustRun(t, dir, nil, "run", "--json")
			checkRecovered(t, rd, keys[rd.stage], clean, r)
			if again := mustRun(t, dir, nil, "run", "--json"); executed(events(t, again.Stdout)) != 0 || strings.Contains(again.Stderr, "cannot be trusted") {
				t.Errorf("the run after recovery: %d executed: %s", executed(events(t, again.Stdout)), again.Stderr)
			}
		})
	}
}

// checkRecovered asserts what a run after a record's damage did.
func checkRecovered(t *testing.T, rd recordDamage, key string, clean []dag.Event, r result) {
	t.Helper()
	st := stageStatus(events(t, r.Stdout))
	warned := strings.Contains(r.Stderr, "record cannot be trusted") && strings.Contains(r.Stderr, key)
	switch {
	case rd.trust && (st[rd.stage] != dag.StatusCached || warned):
		t.Errorf("a good record was not trusted: %s %s: %s", rd.stage, st[rd.stage], r.Stderr)
	case !rd.trust && st[rd.stage] == dag.StatusCached:
		t.Errorf("%s stayed cached on a damaged record", rd.stage)
	case !rd.trust && !warned:
		t.Errorf("no warning naming record %s: %s", key, r.Stderr)
	}
	if got, want := outputs(events(t, r.Stdout)), outputs(clean); !equalOutputs(got, want) {
		t.Errorf("outputs after recovery %v, want the clean run's %v", got, want)
	}
}

func equalOutputs(a, b map[string]map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !equalMaps(v, b[k]) {
			return false
		}
	}
	return true
}

// TestDamagedRemoteRecordHeals: a damaged record in the bucket (another
// host's forgery or corruption) is not trusted by a host that reads it
// through: that host warns, recomputes the stage and publishes a good
// record in its place, so a third host finds everything cached.
func TestDamagedRemoteRecordHeals(t *testing.T) {
	env, cfg := remoteEnv(t)
	hostA := t.TempDir()
	clean := events(t, mustRun(t, hostA, env, "run", "--json").Stdout)
	keys := clitest.Keys(clean)
	ctx := context.Background()
	bucket, err := s3store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, rd := range recordDamages[:3] {
		other := func(stage string) []byte {
			b, err := artifacts.NewStore(bucket).GetRecord(ctx, artifacts.Records, keys[stage])
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		bad := rd.damage(t, other(rd.stage), other)
		if err := bucket.Save(ctx, artifacts.Records, keys[rd.stage], bytes.NewReader(bad), int64(len(bad))); err != nil {
			t.Fatal(err)
		}
		checkRecovered(t, rd, keys[rd.stage], clean, mustRun(t, t.TempDir(), env, "run", "--json"))
		third := mustRun(t, t.TempDir(), env, "run", "--json")
		if n := executed(events(t, third.Stdout)); n != 0 || strings.Contains(third.Stderr, "cannot be trusted") {
			t.Errorf("%s: a third host executed %d stages: %s", rd.name, n, third.Stderr)
		}
	}
	checkRemoteComplete(t, cfg)
}
