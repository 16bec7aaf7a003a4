package evaluate

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"litho/artifacts"
	"litho/dag"
	"litho/schemas"
	"litho/stages/cluster"
)

type fixtureParams struct {
	Seed int64 `param:"seed"`
}

// fixtureSource emits the fixture's latent table, embed's stats, a
// training history and its bins as a partitioned output (one Parquet per
// borehole), as embed, train and bin do.
func fixtureSource() *dag.Kind {
	return &dag.Kind{
		Name: "fixture", Version: "1", Source: true,
		Params: fixtureParams{Seed: 1},
		Outputs: []dag.OutputSpec{
			{Name: "latent", MediaType: schemas.MediaParquet},
			{Name: "stats", MediaType: schemas.MediaJSON},
			{Name: "history", MediaType: schemas.MediaParquet},
			{Name: "bins", MediaType: schemas.MediaParquet, Partitioned: true},
		},
		Run: func(ctx context.Context, x *dag.Exec) error {
			bins, latent := fixture(uint64(dag.ParamsOf[fixtureParams](x).Seed))
			b, err := schemas.WriteParquet(latent)
			if err != nil {
				return err
			}
			if err := x.Put(ctx, "latent", b); err != nil {
				return err
			}
			if err := x.Put(ctx, "stats", []byte(`{"model": {"parameters": 2102, "features": ["gra", "ms"]}}`)); err != nil {
				return err
			}
			if b, err = schemas.WriteParquet(fixtureHistory); err != nil {
				return err
			}
			if err := x.Put(ctx, "history", b); err != nil {
				return err
			}
			for bh, tab := range bins {
				b, err := schemas.WriteBins(tab)
				if err != nil {
					return err
				}
				if err := x.PutPart(ctx, "bins", bh, b); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

const stagePipeline = `
source "fixture" { seed = 1 }

stage "cluster" "cluster" {
  inputs = { latent = source.latent }
  ks     = [3, 6]
  n_init = 3
}

stage "evaluate" "evaluate" {
  inputs = {
    latent      = source.latent
    assignments = cluster.assignments
    bins        = source.bins
    stats       = source.stats
    history     = source.history
    models      = cluster.models
  }
  log_boreholes = 2
}
`

// TestStagesThroughRunner runs cluster and evaluate in the real runner
// and store, then reruns cluster with a setting that does not change the
// partition: its assignments keep their digest, so evaluate stays cached.
func TestStagesThroughRunner(t *testing.T) {
	dir := t.TempDir()
	local, err := artifacts.OpenLocal(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	store := artifacts.NewStore(local)
	reg := dag.NewRegistry(fixtureSource(), cluster.Kind(), Kind())
	r := &dag.Runner{Store: store, Fingerprints: artifacts.NewFingerprinter(filepath.Join(dir, "stat.json")), Jobs: 2, TempBase: filepath.Join(dir, "tmp")}
	run := func(sets ...string) map[string]dag.Event {
		p, err := dag.Parse("pipeline.hcl", []byte(stagePipeline), reg, sets)
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.Run(context.Background(), p, dag.Options{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]dag.Event{}
		for _, e := range res.Events {
			out[e.Stage] = e
		}
		return out
	}
	first := run()
	ev := first["evaluate"]
	if ev.Status != dag.StatusRan {
		t.Fatalf("evaluate: %s %s", ev.Status, ev.Error)
	}
	names := []string{"metrics", "report"}
	for _, p := range Pictures {
		names = append(names, p.Output, SVGOutput(p.Output))
	}
	for _, name := range names {
		if ev.Outputs[name] == "" {
			t.Errorf("evaluate has no %s output", name)
		}
	}
	b, err := store.ReadAll(context.Background(), artifacts.Digest(ev.Outputs["metrics"]))
	if err != nil {
		t.Fatal(err)
	}
	flat, err := Flatten(b)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := store.ReadAll(context.Background(), artifacts.Digest(ev.Outputs["scores_plot_svg"]))
	if err != nil {
		t.Fatal(err)
	}
	if text := svgText(t, svg); !strings.Contains(text, "ΔBIC") {
		t.Error("the scores picture has no BIC though the models are connected")
	}
	training, err := store.ReadAll(context.Background(), artifacts.Digest(ev.Outputs["training_plot_svg"]))
	if err != nil {
		t.Fatal(err)
	}
	if text := svgText(t, training); !strings.Contains(text, "VAE training: 4 epochs") {
		t.Errorf("the training picture does not draw the history: %q", text)
	}
	if flat["gmm.k6.ari"] <= 0 || flat["boreholes"] != 2 || flat["model.parameters"] != 2102 {
		t.Errorf("metrics: gmm.k6.ari %v, boreholes %v, model.parameters %v", flat["gmm.k6.ari"], flat["boreholes"], flat["model.parameters"])
	}

	again := run("cluster.max_iter=299") // converges long before either limit
	if again["cluster"].Status == dag.StatusCached {
		t.Fatal("cluster did not rerun with a new max_iter")
	}
	if again["cluster"].Outputs["assignments"] != first["cluster"].Outputs["assignments"] {
		t.Error("an unchanged partition gave new assignment bytes")
	}
	if again["evaluate"].Status != dag.StatusCached {
		t.Errorf("evaluate %s after an unchanged partition, want cached", again["evaluate"].Status)
	}
}
