package lily_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"context"
	"litho/cli"
	"litho/dag"
	"litho/stages/bin"
	"litho/stages/ingest"
	"litho/stages/lily"
	"litho/stages/synth"
)

// dataPipeline is the front of the default pipeline; --data swaps its
// generated source for the LILY files of a directory.
const dataPipeline = `
source "synth" {
  boreholes = 2
  seed      = 1
}
stage "ingest" "ingest" {
  inputs = {
    gra = source.gra
    ms  = source.ms
    ngr = source.ngr
    rgb = source.rgb
  }
}
stage "bin" "bin" {
  inputs = {
    gra = ingest.gra
    ms  = ingest.ms
    ngr = ingest.ngr
    rgb = ingest.rgb
  }
  size = 0.2
}
`

// runJSON runs `litho -f pipeline run --json --data dir` in process and
// returns its events by stage or stage/partition.
func runJSON(t *testing.T, pipeline, data string) map[string]dag.Event {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cli.Env{Registry: dag.NewRegistry(synth.Kind(), lily.Kind(), ingest.Kind(), bin.Kind()),
		Stdout: &out, Stderr: &errb, Version: "test"}
	if code := env.Main([]string{"litho", "-f", pipeline, "run", "--json", "--data", data}); code != 0 {
		t.Fatalf("litho run exited %d: %s", code, errb.String())
	}
	evs := map[string]dag.Event{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var e dag.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("not a JSON event: %q", sc.Text())
		}
		name := e.Stage
		if e.Partition != "" {
			name += "/" + e.Partition
		}
		evs[name] = e
	}
	return evs
}

// The data-update check, through the command line: editing one
// borehole's rows in one CSV re-ingests that file and re-bins that
// borehole only; every other partition reports cached.
func TestRunJSONOneBoreholeUpdate(t *testing.T) {
	project, data := t.TempDir(), t.TempDir()
	pipeline := filepath.Join(project, "pipeline.hcl")
	if err := os.WriteFile(pipeline, []byte(dataPipeline), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteDir(context.Background(), data, 6, 4); err != nil {
		t.Fatal(err)
	}
	first := runJSON(t, pipeline, data)
	var parts, withBins []string
	for _, e := range first {
		if e.Stage == "bin" && e.Partition != "" {
			parts = append(parts, e.Partition)
			if e.Outputs["bins"] != "" {
				withBins = append(withBins, e.Partition)
			}
		}
	}
	if first["source"].Kind != "lily" || first["ingest"].Status != dag.StatusRan || len(withBins) == 0 || len(parts) < 3 {
		t.Fatalf("first run: source %+v, ingest %s, %d bin partitions (%d with bins)", first["source"], first["ingest"].Status, len(parts), len(withBins))
	}
	again := runJSON(t, pipeline, data)
	if again["ingest"].Status != dag.StatusCached || again["bin"].Status != dag.StatusCached {
		t.Errorf("unchanged files: ingest %s, bin %s, want cached", again["ingest"].Status, again["bin"].Status)
	}

	target := withBins[0]
	editBorehole(t, filepath.Join(data, "GRA_DataLITH.csv"), target)
	after := runJSON(t, pipeline, data)
	if after["ingest"].Status != dag.StatusRan {
		t.Errorf("ingest after the edit: %s, want ran", after["ingest"].Status)
	}
	for _, p := range parts {
		want := dag.StatusCached
		if p == target {
			want = dag.StatusRan
		}
		if got := after["bin/"+p].Status; got != want {
			t.Errorf("bin/%s: %s, want %s", p, got, want)
		}
	}
}
