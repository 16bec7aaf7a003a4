package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"litho/cli/clitest"
	"litho/dag"
	"litho/stages"
	"litho/stages/scale"
)

// The test binary doubles as the litho binary: tests re-execute it with
// mainEnv set to drive the real command line in a real process.
const mainEnv = "LITHO_MAIN_TEST"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) != "" {
		main()
		return
	}
	os.Exit(m.Run())
}

func litho(t *testing.T, dir string, args ...string) clitest.Result {
	t.Helper()
	return lithoEnv(t, dir, nil, args...)
}

// lithoEnv runs litho with extra environment variables.
func lithoEnv(t *testing.T, dir string, env []string, args ...string) clitest.Result {
	t.Helper()
	return clitest.Run(t, clitest.Command(t, mainEnv, dir, env, args...))
}

// statuses maps "stage" and "stage/partition" to the status of a --json run.
func statuses(t *testing.T, r clitest.Result) map[string]string {
	t.Helper()
	if r.Code != 0 {
		t.Fatalf("litho exited %d:\n%s", r.Code, r.Stderr)
	}
	return clitest.Statuses(clitest.Events(t, r.Stdout))
}

// fastTraining keeps end-to-end tests short; the science is tested in the
// stage packages.
var fastTraining = []string{"--set", "train.max_epochs=3"}

// TestDataUpdateRerunsOnlyWhatChanged edits one test-split borehole's rows
// in one LILY file: ingest reruns, bin reruns that borehole alone, the
// scaler and training data are unchanged so train stays cached, and embed
// reruns.
func TestDataUpdateRerunsOnlyWhatChanged(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "lily")
	if r := litho(t, dir, "synth", "--out", data, "--boreholes", "12", "--seed", "3"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	args := append([]string{"run", "--json", "--to", "embed", "--data", data}, fastTraining...)
	first := statuses(t, litho(t, dir, args...))
	if first["train"] != dag.StatusRan {
		t.Fatalf("first run: train %s", first["train"])
	}
	bh := editTestBorehole(t, filepath.Join(data, "GRA_DataLITH.csv"), first)

	st := statuses(t, litho(t, dir, args...))
	want := map[string]string{
		"source": dag.StatusRan, "ingest": dag.StatusRan, "bin": dag.StatusRan, "bin/" + bh: dag.StatusRan,
		"scale": dag.StatusRan, "train": dag.StatusCached, "embed": dag.StatusRan,
	}
	for name, s := range want {
		if st[name] != s {
			t.Errorf("%s: %s, want %s", name, st[name], s)
		}
	}
	others := 0
	for name, s := range st {
		if strings.HasPrefix(name, "bin/") && name != "bin/"+bh {
			others++
			if s != dag.StatusCached {
				t.Errorf("%s: %s, want cached", name, s)
			}
		}
	}
	if others == 0 {
		t.Error("no other bin partitions reported")
	}
}

// editTestBorehole raises the bulk density of every GRA row of one
// test-split borehole by 2 % and returns the borehole.
func editTestBorehole(t *testing.T, path string, st map[string]string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1 // the generator writes a few short rows, as the real files have
	rows, err := cr.ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	fr := scale.Fractions{Train: 0.7, Val: 0.15}
	target := ""
	for name := range st {
		bh, ok := strings.CutPrefix(name, "bin/")
		if ok && scale.Assign(bh, 1, fr) == scale.Test && (target == "" || bh < target) {
			target = bh
		}
	}
	if target == "" {
		t.Fatal("no test-split borehole among the bin partitions")
	}
	edited := 0
	for _, r := range rows[1:] {
		if r[col["Exp"]]+"-"+r[col["Site"]]+"-"+r[col["Hole"]] != target {
			continue
		}
		v, err := strconv.ParseFloat(r[col["Bulk density (GRA)"]], 64)
		if err != nil {
			continue
		}
		r[col["Bulk density (GRA)"]] = strconv.FormatFloat(v*1.02, 'f', 4, 64)
		edited++
	}
	if edited == 0 {
		t.Fatalf("no GRA rows edited for %s", target)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.WriteAll(rows)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return target
}

// TestShippedPipelinesAreValid decodes the embedded default and the
// examples with the real stage kinds.
func TestShippedPipelinesAreValid(t *testing.T) {
	files, _ := filepath.Glob("examples/*.hcl")
	for _, f := range append(files, "pipeline.hcl") {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dag.Parse(f, src, stages.Registry(), nil); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestExportParquetAsCSV(t *testing.T) {
	dir := t.TempDir()
	statuses(t, litho(t, dir, "run", "--json", "--to", "bin", "--set", "source.boreholes=20"))
	out := filepath.Join(dir, "bins")
	if r := litho(t, dir, "export", "--set", "source.boreholes=20", "--out", out, "--format", "csv", "bin", "bins"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.csv"))
	if len(files) == 0 {
		t.Fatal("no CSV partitions exported")
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 2 || strings.Join(rows[0][:3], ",") != "borehole,bin,depth_m" {
		t.Fatalf("unexpected CSV: %v", rows[:min(len(rows), 2)])
	}
	if bh := strings.TrimSuffix(filepath.Base(files[0]), ".csv"); rows[1][0] != bh {
		t.Errorf("partition %s holds rows of %s", bh, rows[1][0])
	}
}

func TestInitWritesTheDefaultPipeline(t *testing.T) {
	dir := t.TempDir()
	if r := litho(t, dir, "init"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	got, err := os.ReadFile(filepath.Join(dir, "pipeline.hcl"))
	if err != nil || !bytes.Equal(got, defaultPipeline) {
		t.Fatalf("init wrote something other than the embedded default (err %v)", err)
	}
	if r := litho(t, dir, "init"); r.Code != 2 || !strings.Contains(r.Stderr, "already exists") {
		t.Errorf("second init: exit %d, %s", r.Code, r.Stderr)
	}
}

// TestCompareRealModel: compare reads a real model's shape from its
// metrics and its epochs from the train record upstream.
func TestCompareRealModel(t *testing.T) {
	dir := t.TempDir()
	smallPipeline(t, dir)
	if r := litho(t, dir, "run"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	r := litho(t, dir, "compare", "--json")
	var got struct {
		Models []struct {
			Model                              string
			Inputs, Latent, Parameters, Epochs int
		}
	}
	if err := json.Unmarshal([]byte(r.Stdout), &got); err != nil || len(got.Models) != 1 {
		t.Fatalf("compare --json: %v\n%s%s", err, r.Stdout, r.Stderr)
	}
	m := got.Models[0]
	if m.Model != "evaluate" || m.Inputs != 6 || m.Latent != 10 || m.Parameters != 2202 || m.Epochs != 2 {
		t.Errorf("compare: %+v, want evaluate with 6 inputs, latent 10, 2202 parameters, 2 epochs", m)
	}
}
