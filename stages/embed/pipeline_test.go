package embed_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"litho/artifacts"
	"litho/artifacts/storetest"
	"litho/dag"
	"litho/dag/dagtest"
	"litho/schemas"
	"litho/stages/embed"
	"litho/stages/scale"
	"litho/stages/train"
)

// binsSource publishes one Parquet file per borehole from a directory as
// a partitioned bins output, as the bin stage does.
func binsSource() *dag.Kind {
	return &dag.Kind{
		Name: "binfiles", Version: "1", Source: true, Volatile: true,
		Params:  dagtest.DirParams{},
		Outputs: []dag.OutputSpec{{Name: "bins", MediaType: schemas.MediaManifest, Partitioned: true}},
		Run: func(ctx context.Context, x *dag.Exec) error {
			files, err := filepath.Glob(filepath.Join(dag.ParamsOf[dagtest.DirParams](x).Dir, "*.parquet"))
			if err != nil {
				return err
			}
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				if err := x.PutPart(ctx, "bins", strings.TrimSuffix(filepath.Base(f), ".parquet"), b); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

const pipeline = `
source "binfiles" { dir = %q }
stage "scale" "scale" {
  inputs = { bins = source.bins }
}
stage "train" "train" {
  inputs = { train = scale.train, val = scale.val }
  max_epochs = 2
  batch_size = 64
  backend    = "go"
}
stage "embed" "embed" {
  inputs = { model = train.model, train = scale.train, val = scale.val, test = scale.test }
}
`

// writeBoreholes writes n boreholes of bins; shift moves the GRA of the
// boreholes the split puts in test.
func writeBoreholes(t *testing.T, dir string, n int, shiftTest float64) {
	t.Helper()
	for i := range n {
		id := fmt.Sprintf("U%04d-A", 1300+i)
		rng := rand.New(rand.NewPCG(uint64(i), 9))
		tab := &schemas.BinTable{Features: scale.DefaultFeatures, Instruments: []string{"gra", "ms", "ngr", "rgb"}}
		for j := range 40 {
			v := []float64{1.7 + 0.25*rng.NormFloat64(), 20 + 10*rng.Float64(), 25 + 5*rng.NormFloat64(),
				20 + 200*rng.Float64(), 20 + 200*rng.Float64(), 20 + 200*rng.Float64()}
			if scale.Assign(id, 1, scale.Fractions{Train: 0.70, Val: 0.15}) == scale.Test {
				v[0] += shiftTest
			}
			tab.Rows = append(tab.Rows, schemas.BinRow{Borehole: id, Bin: int64(j), Depth: float64(j) * 0.2,
				Principal: "clay", Values: v, Counts: []int32{1, 1, 1, 1}})
		}
		b, err := schemas.WriteBins(tab)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, id+".parquet"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestChangeInTestBoreholesKeepsTrainCached(t *testing.T) {
	dir := t.TempDir()
	writeBoreholes(t, dir, 30, 0)
	local := storetest.Local(t)
	reg := dag.NewRegistry(binsSource(), scale.Kind(), train.Kind(), embed.Kind())
	run := func() map[string]string {
		p, err := dag.Parse("test.hcl", []byte(fmt.Sprintf(pipeline, dir)), reg, nil)
		if err != nil {
			t.Fatal(err)
		}
		status := map[string]string{}
		r := &dag.Runner{Store: artifacts.NewStore(local), Fingerprints: artifacts.NewFingerprinter(""), Jobs: 2,
			TempBase: local.TempDir(), OnEvent: func(e dag.Event) {
				if e.Partition == "" {
					status[e.Stage] = e.Status
				}
			}}
		if _, err := r.Run(context.Background(), p, dag.Options{}); err != nil {
			t.Fatal(err)
		}
		return status
	}
	first := run()
	for _, s := range []string{"scale", "train", "embed"} {
		if first[s] != dag.StatusRan {
			t.Fatalf("first run: %s %s, want ran (%v)", s, first[s], first)
		}
	}
	writeBoreholes(t, dir, 30, 0.3) // only test boreholes change
	second := run()
	want := map[string]string{"scale": dag.StatusRan, "train": dag.StatusCached, "embed": dag.StatusRan}
	for s, st := range want {
		if second[s] != st {
			t.Errorf("after a test-borehole change: %s %s, want %s (%v)", s, second[s], st, second)
		}
	}
	if third := run(); !slices.Contains([]string{dag.StatusCached, dag.StatusCutoff}, third["source"]) || third["train"] != dag.StatusCached || third["embed"] != dag.StatusCached {
		t.Errorf("unchanged rerun: %v, want everything cached", third)
	}
}

// Scale's features and context set the model's width end to end: train
// takes it from the scaled table, embed's stats name the inputs.
func TestPipelineOfAnyWidth(t *testing.T) {
	dir := t.TempDir()
	writeBoreholes(t, dir, 20, 0)
	local := storetest.Local(t)
	store := artifacts.NewStore(local)
	reg := dag.NewRegistry(binsSource(), scale.Kind(), train.Kind(), embed.Kind())
	tests := []struct {
		sets []string
		want []string
	}{
		{[]string{`scale.features=["ngr","gra"]`}, []string{"ngr", "gra"}},
		{[]string{`scale.features=["gra","ms"]`, "scale.context=1"}, []string{"gra@-1", "gra", "gra@+1", "ms@-1", "ms", "ms@+1"}},
	}
	for _, tc := range tests {
		p, err := dag.Parse("test.hcl", []byte(fmt.Sprintf(pipeline, dir)), reg, tc.sets)
		if err != nil {
			t.Fatal(err)
		}
		r := &dag.Runner{Store: store, Fingerprints: artifacts.NewFingerprinter(""), Jobs: 2, TempBase: local.TempDir()}
		res, err := r.Run(context.Background(), p, dag.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var stats embed.Stats
		for _, e := range res.Events {
			if e.Stage == "embed" {
				b, err := store.ReadAll(context.Background(), artifacts.Digest(e.Outputs["stats"]))
				if err == nil {
					err = json.Unmarshal(b, &stats)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		if !slices.Equal(stats.Model.Features, tc.want) || stats.Model.Parameters == 0 {
			t.Errorf("%v: embedded by a model of %+v, want inputs %v", tc.sets, stats.Model, tc.want)
		}
	}
}
