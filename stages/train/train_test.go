package train

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"litho/dag"
	"litho/schemas"
	"litho/stages/scale"
)

// small is a quick configuration for tests: the default model, few epochs.
func small() Config {
	c := Default()
	c.BatchSize = 64
	c.MaxEpochs = 4
	c.AnnealEpochs = 2
	return c
}

func fit(t *testing.T, cfg Config, train, val []float32, inits ...Init) *Result {
	t.Helper()
	res, err := Fit(context.Background(), goBackend(t).Engine, cfg, train, val, nil, nil, inits...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestShortTrainingLowersValidationLoss(t *testing.T) {
	cfg := small()
	cfg.AnnealEpochs = 0 // constant β, so losses of different epochs compare
	cfg.BetaEnd = 0.5
	cfg.MaxEpochs = 5
	res := fit(t, cfg, synthetic(3000, 1), synthetic(600, 2))
	first, last := res.History[0].ValLoss, res.History[len(res.History)-1].ValLoss
	if !(last < 0.8*first) {
		t.Fatalf("validation loss went from %.4f to %.4f, want a clear decrease", first, last)
	}
}

func TestBetaSchedule(t *testing.T) {
	d := Default()
	tests := []struct {
		epoch int
		want  float64
	}{
		{0, 0.001}, {1, 0.001 + 0.499/50}, {25, 0.001 + 0.499/2}, {49, 0.001 + 0.499*49/50}, {50, 0.5}, {99, 0.5},
	}
	for _, tc := range tests {
		if got := d.Beta(tc.epoch); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Beta(%d) = %g, want %g", tc.epoch, got, tc.want)
		}
	}
	constant := d
	constant.BetaSchedule, constant.BetaEnd = Constant, 1
	if got := constant.Beta(0); got != 1 {
		t.Errorf("constant schedule: Beta(0) = %g, want beta_end 1", got)
	}
	none := d
	none.AnnealEpochs = 0
	if got := none.Beta(0); got != d.BetaEnd {
		t.Errorf("without annealing Beta(0) = %g, want %g", got, d.BetaEnd)
	}
	// The history records the β each epoch trained with.
	cfg := small()
	cfg.MaxEpochs, cfg.AnnealEpochs, cfg.BetaStart, cfg.BetaEnd = 4, 2, 0.1, 0.3
	res := fit(t, cfg, synthetic(400, 1), synthetic(100, 2))
	var got []float64
	for _, e := range res.History {
		got = append(got, math.Round(e.Beta*1e9)/1e9)
	}
	if want := []float64{0.1, 0.2, 0.3, 0.3}; !slices.Equal(got, want) {
		t.Errorf("history β = %v, want %v", got, want)
	}
}

func TestEarlyStopping(t *testing.T) {
	tests := []struct {
		name      string
		from      int
		losses    []float64
		stopAfter int // epochs run; 0 = never stops
	}{
		{"plateau", 0, []float64{5, 4, 3, 3, 3, 3, 3}, 6},
		{"rising", 0, []float64{1, 2, 3, 4, 5}, 4},
		{"keeps improving", 0, []float64{5, 4, 3, 2, 1, 0.5}, 0},
		{"late improvement resets", 0, []float64{3, 3, 3, 2, 3, 3, 3}, 7},
		{"annealing epochs ignored", 3, []float64{1, 2, 3, 4, 4, 4, 4}, 7},
		{"missing validation", 0, []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := stopper{patience: 3, from: tc.from}
			got := 0
			for i, l := range tc.losses {
				if s.observe(i, l) {
					got = i + 1
					break
				}
			}
			if got != tc.stopAfter {
				t.Errorf("stopped after %d epochs, want %d", got, tc.stopAfter)
			}
		})
	}
}

// Training stops on a plateau: with learning rate 0 the weights never
// change, so validation loss cannot improve once batch-norm statistics
// have settled.
func TestFitStopsEarlyOnPlateau(t *testing.T) {
	cfg := small()
	cfg.LearningRate, cfg.Dropout, cfg.AnnealEpochs, cfg.Patience, cfg.MaxEpochs = 0, 0, 0, 2, 40
	cfg.BatchSize = 400 // one step per epoch over all rows
	res := fit(t, cfg, synthetic(400, 1), synthetic(200, 2))
	if !res.StoppedEarly || len(res.History) >= cfg.MaxEpochs {
		t.Fatalf("ran %d of %d epochs, early stop %v", len(res.History), cfg.MaxEpochs, res.StoppedEarly)
	}
}

// Equal inputs and seed give byte-identical outputs, so two hosts that
// compute one key store the same bytes (DESIGN.md §3).
func TestOutputsDeterministic(t *testing.T) {
	train, val := synthetic(1000, 1), synthetic(200, 2)
	encode := func(seed int64) []output {
		cfg := small()
		cfg.Seed = seed
		outs, err := encodeResult(fit(t, cfg, train, val))
		if err != nil {
			t.Fatal(err)
		}
		return outs
	}
	a, b, c := encode(1), encode(1), encode(2)
	for i, o := range a {
		if !bytes.Equal(o.b, b[i].b) {
			t.Errorf("equal inputs and seed gave different %s bytes", o.name)
		}
	}
	if bytes.Equal(a[0].b, c[0].b) {
		t.Errorf("a different seed gave the same %s", a[0].name)
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	other := small()
	other.Hidden, other.LatentDim, other.Dropout = []int{8, 8, 4}, 3, 0
	for name, cfg := range map[string]Config{"default": small(), "three layers, latent 3, no dropout": other} {
		t.Run(name, func(t *testing.T) {
			val := synthetic(3000, 2) // more than one inference chunk
			res := fit(t, cfg, synthetic(1000, 1), val)
			want, err := res.Model.Infer(val)
			if err != nil {
				t.Fatal(err)
			}
			ckpt, loaded := reload(t, res.Model)
			got, err := loaded.Infer(val)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Mu) != 3000*cfg.LatentDim || !slices.Equal(got.Mu, want.Mu) {
				t.Fatal("embedding from the reloaded checkpoint differs from the trained model's")
			}
			if !slices.Equal(loaded.Config.Hidden, cfg.Hidden) || loaded.Config.LatentDim != cfg.LatentDim ||
				!slices.Equal(loaded.Config.Features, cfg.Features) {
				t.Errorf("config not restored: %+v", loaded.Config)
			}
			again, err := loaded.Checkpoint()
			if err != nil || !bytes.Equal(again, ckpt) {
				t.Errorf("re-encoded checkpoint differs (err %v)", err)
			}
		})
	}
}

func TestCheckpointCorrupt(t *testing.T) {
	res := fit(t, small(), synthetic(300, 1), nil)
	ckpt, err := res.Model.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		b    []byte
		want string
	}{
		"empty":            {nil, "bad magic"},
		"bad magic":        {append([]byte("PK\x03\x04"), ckpt[4:]...), "bad magic"},
		"truncated":        {ckpt[:len(ckpt)-3], "needs"},
		"trailing":         {append(slices.Clone(ckpt), 0), "trailing"},
		"missing variable": {bytes.Replace(ckpt, []byte("output/weights"), []byte("output/weightz"), 1), "no variable /vae/decoder/output/weights"},
	}
	for name, tc := range tests {
		if _, err := Load(goBackend(t).Engine, tc.b); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
		}
	}
}

func TestConfigErrorsNameParameter(t *testing.T) {
	tests := []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.LatentDim = 0 }, "latent_dim"},
		{func(c *Config) { c.Hidden = nil }, "hidden"},
		{func(c *Config) { c.Hidden = []int{32, 0} }, "hidden"},
		{func(c *Config) { c.Dropout = 1 }, "dropout"},
		{func(c *Config) { c.BatchSize = 1 }, "batch_size"},
		{func(c *Config) { c.MaxEpochs = 0 }, "max_epochs"},
		{func(c *Config) { c.Patience = 0 }, "patience"},
		{func(c *Config) { c.LearningRate = math.NaN() }, "learning_rate"},
		{func(c *Config) { c.Features = nil }, "input feature"},
	}
	for _, tc := range tests {
		c := Default()
		tc.mod(&c)
		if err := c.Check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one naming %s", err, tc.want)
		}
	}
}

func TestKindDefaultsMatchDesign(t *testing.T) {
	k, _ := dag.NewRegistry(Kind()).Lookup("train")
	want := map[string]any{
		"latent_dim": int64(10), "hidden": []int64{32, 16}, "dropout": 0.1, "beta_start": 0.001, "beta_end": 0.5,
		"anneal_epochs": int64(50), "max_epochs": int64(100), "patience": int64(15), "batch_size": int64(256),
		"learning_rate": 1e-3, "seed": int64(1), "backend": "auto",
		// The seed's training rule (DESIGN.md §1b): validation loss counts from the first epoch.
		"early_stop_from": int64(0), "keep": "last", "beta_schedule": "linear", "prior": "normal",
		"pseudo_inputs": int64(50), "masking": "none", "mask_rate": 0.15,
	}
	for name, v := range want {
		p, ok := k.Param(name)
		if !ok {
			t.Errorf("no parameter %s", name)
			continue
		}
		if s, ok := v.([]int64); ok {
			if !slices.Equal(p.Default.([]int64), s) {
				t.Errorf("%s default %v, want %v", name, p.Default, v)
			}
		} else if p.Default != v {
			t.Errorf("%s default %v, want %v", name, p.Default, v)
		}
		if p.Presentation != (name == "backend") {
			t.Errorf("%s: presentation %v", name, p.Presentation)
		}
	}
	if !slices.Equal(Default().Features, scale.DefaultFeatures) {
		t.Errorf("default features %v, scale's %v", Default().Features, scale.DefaultFeatures)
	}
}

func TestBackendSpecs(t *testing.T) {
	tests := []struct {
		spec, want string // want: backend name, or error text
		ok         bool
	}{
		{"go", "go", true},
		{"auto", "go", true}, // no GPU plugin is configured on test machines
		{"cuda", "want", false},
		{"xla:", "want", false},
		{"xla:relative/plugin.so", "absolute", false},
		{"xla:cuda", "docs/gpu.md", false},
		{"xla:/nonexistent/pjrt_c_api_cuda_plugin.so", "docs/gpu.md", false},
	}
	for _, tc := range tests {
		b, err := NewBackend(tc.spec)
		if tc.ok {
			if err != nil || b.Name != tc.want || !b.Deterministic {
				t.Errorf("%q: backend %+v, error %v", tc.spec, b, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one containing %q", tc.spec, err, tc.want)
		}
	}
}

func TestCurveIsReproduciblePNG(t *testing.T) {
	h := []Epoch{{Epoch: 1, TrainLoss: 3, ValLoss: 2.5, Beta: 0.001}, {Epoch: 2, TrainLoss: 2, ValLoss: 1.7, Beta: 0.01}, {Epoch: 3, TrainLoss: 1.5, ValLoss: 1.6, Beta: 0.02}}
	a, err := Curve(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(a)); err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	b, _ := Curve(slices.Clone(h))
	if !bytes.Equal(a, b) {
		t.Error("equal losses gave different images")
	}
}

func TestDecodeTableNamesBadRow(t *testing.T) {
	// A row shorter than the table's features, as only a foreign writer
	// could make (WriteScaled refuses it).
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[schemas.ScaledRow](&buf, parquet.KeyValueMetadata(schemas.FeaturesKey, `["gra","ms"]`))
	if _, err := w.Write([]schemas.ScaledRow{{Borehole: "U1", Bin: 1, X: make([]float32, 2)}, {Borehole: "U1", Bin: 2, X: make([]float32, 1)}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := DecodeTable("train", buf.Bytes(), nil)
	if err == nil || !strings.Contains(err.Error(), "row 2") || !strings.Contains(err.Error(), "bin 2") {
		t.Fatalf("error %v, want one naming row 2, bin 2", err)
	}
	if _, err := DecodeTable("train", []byte("not parquet"), nil); err == nil || !strings.Contains(err.Error(), "input train") {
		t.Fatalf("error %v, want one naming the input", err)
	}
}

// A table is read with the features it names, and refused where they are
// not the model's, in names or order.
func TestDecodeTableChecksFeatures(t *testing.T) {
	b, err := schemas.WriteScaled(&schemas.ScaledTable{Features: []string{"gra", "ms"},
		Rows: []schemas.ScaledRow{{Borehole: "U1", Bin: 1, X: []float32{1, 2}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range [][]string{nil, {"gra", "ms"}} {
		tab, err := DecodeTable("val", b, want)
		if err != nil || !slices.Equal(tab.Features, []string{"gra", "ms"}) || !slices.Equal(tab.X, []float32{1, 2}) {
			t.Errorf("want %v: table %+v, error %v", want, tab, err)
		}
	}
	for _, model := range [][]string{{"ms", "gra"}, {"gra", "ms", "ngr"}} {
		_, err := DecodeTable("val", b, model)
		if err == nil || !strings.Contains(err.Error(), "[gra, ms]") || !strings.Contains(err.Error(), "["+strings.Join(model, ", ")+"]") {
			t.Errorf("model %v: error %v, want one naming both lists", model, err)
		}
	}
}

// The parameter count of DESIGN.md §1b (dense weights and biases, batch-
// norm scales and offsets) for models of several widths.
func TestParameterCount(t *testing.T) {
	tests := []struct {
		name   string
		inputs int
		latent int
		want   int
	}{
		{"v2.6: six inputs, latent 8", 6, 8, 2102},
		{"production: six inputs, latent 10", 6, 10, 2202},
		{"v2.2: 18 inputs, latent 8", 18, 8, 2882},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := small()
			cfg.Features, cfg.LatentDim, cfg.MaxEpochs = make([]string, tc.inputs), tc.latent, 1
			for i := range cfg.Features {
				cfg.Features[i] = fmt.Sprint("f", i)
			}
			x := make([]float32, 64*tc.inputs)
			for i := range x {
				x[i] = float32(i%7) - 3
			}
			res := fit(t, cfg, x, nil)
			if got := res.Model.Parameters(); got != tc.want {
				t.Errorf("trained model: %d parameters, want %d", got, tc.want)
			}
			_, loaded := reload(t, res.Model)
			if got := loaded.Parameters(); got != tc.want {
				t.Errorf("loaded model: %d parameters, want %d", got, tc.want)
			}
		})
	}
}

func TestKindParamChecks(t *testing.T) {
	k, _ := dag.NewRegistry(Kind()).Lookup("train")
	tests := []struct {
		param string
		value any
		want  string // "" = accepted
	}{
		{"dropout", 1.5, "dropout"},
		{"dropout", 0.0, ""},
		{"hidden", []int64{}, "hidden"},
		{"hidden", []int64{64, 0}, "hidden"},
		{"hidden", []int64{8}, ""},
		{"batch_size", int64(1), "batch_size"},
		{"latent_dim", int64(0), "latent_dim"},
		{"learning_rate", -1e-3, "learning_rate"},
		{"backend", "cuda", "backend"},
		{"backend", "xla:/opt/p.so", map[bool]string{true: "", false: "built without XLA"}[xlaCompiled]},
	}
	for _, tc := range tests {
		// The kind's defaults with one value changed, checked as Parse does.
		err := new(dag.Node).Reset(k, map[string]any{tc.param: tc.value})
		if tc.want == "" && err != nil {
			t.Errorf("%s = %v: rejected: %v", tc.param, tc.value, err)
		}
		if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s = %v: error %v, want one naming %s", tc.param, tc.value, err, tc.want)
		}
	}
}

// TestNoiseDrawsCloseWaits: close returns only once the draw in flight
// (for a step that may never come) has written its tensors, so that
// finalizing the backend after training, as the stage does, cannot pull
// them from under it: that crashed the process with a panic in the
// drawing goroutine.
func TestNoiseDrawsCloseWaits(t *testing.T) {
	b := goBackend(t)
	defer b.Engine.Finalize()
	for range 20 {
		d := Default().noiseDraws(b.Engine, rand.New(rand.NewPCG(1, 2)), 4096)
		d.take()
		d.close()
		if len(d.next) != 1 {
			t.Fatal("close returned before the draw in flight was done")
		}
	}
}
