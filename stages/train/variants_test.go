package train

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"litho/dag"
	"litho/schemas"
)

// groupsOf names the borehole of each of rows rows: 20 boreholes.
func groupsOf(rows int) []string {
	g := make([]string, rows)
	for i := range g {
		g[i] = fmt.Sprintf("U%04d", i%20)
	}
	return g
}

// Every variant of DESIGN.md §1b trains: its training loss falls, its
// parameter count is the documented one, and equal seeds give equal
// bytes (checkpoint, history, curve) and equal embeddings.
func TestVariantsTrainDeterministically(t *testing.T) {
	tests := []struct {
		name   string
		mod    func(*Config)
		params int
	}{
		{"normal prior, linear β (default)", func(*Config) {}, 2102},
		{"constant β", func(c *Config) { c.BetaSchedule, c.BetaEnd = Constant, 1 }, 2102},
		{"VampPrior", func(c *Config) { c.Prior = VampPrior }, 2402},
		{"block masking", func(c *Config) { c.Masking, c.MaskRate = BlockMasking, 0.3 }, 2294},
		{"random masking", func(c *Config) { c.Masking, c.MaskRate = RandomMasking, 0.15 }, 2294},
		{"borehole masking", func(c *Config) { c.Masking, c.MaskRate = BoreholeMasking, 0.3 }, 2294},
	}
	train, val := synthetic(1000, 1), synthetic(300, 2)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := small()
			cfg.LatentDim = 8
			tc.mod(&cfg)
			run := func() (*Result, []output, *Inference) {
				res, err := Fit(context.Background(), goBackend(t).Engine, cfg, train, val, groupsOf(1000), nil)
				if err != nil {
					t.Fatal(err)
				}
				outs, err := encodeResult(res)
				if err != nil {
					t.Fatal(err)
				}
				inf, err := res.Model.Infer(val)
				if err != nil {
					t.Fatal(err)
				}
				return res, outs, inf
			}
			res, a, infA := run()
			_, b, infB := run()
			h := res.History
			if first, last := h[0].TrainLoss, h[len(h)-1].TrainLoss; !(last < first) {
				t.Errorf("training loss went from %.4f to %.4f", first, last)
			}
			if got := res.Model.Parameters(); got != tc.params {
				t.Errorf("%d parameters, want %d", got, tc.params)
			}
			for i := range a {
				if !bytes.Equal(a[i].b, b[i].b) {
					t.Errorf("equal seeds gave different %s bytes", a[i].name)
				}
			}
			if !slices.Equal(infA.Mu, infB.Mu) || !slices.Equal(infA.Recon, infB.Recon) {
				t.Error("equal seeds gave different embeddings")
			}
		})
	}
}

// The VampPrior's KL term, from the graph, equals log q(z|x) − log p(z)
// computed here in float64 from the same μ, log σ² and z, with the
// Gaussian log-densities written out (log 2π included) and p(z) the mean
// of the K component densities.
func TestVampKLMatchesDirectComputation(t *testing.T) {
	const rows, k, latent = 3, 4, 2
	mu := []float32{0.1, -0.2, 1.5, 0.3, -1, 2}
	logVar := []float32{-0.5, 0.2, 0.1, -1.2, 0.7, 0}
	z := []float32{0.3, -0.1, 1.2, 0.8, -2.5, 1.1}
	pMu := []float32{0, 0, 1, 1, -1, 2, 3, -3}
	pLogVar := []float32{0, 0.5, -0.3, 0.2, 1, -1, -2, 0.4}
	got := MustExecOnce(goBackend(t).Engine, func(mu, logVar, z, pMu, pLogVar *Node) *Node {
		return vampKL(posterior{mu: mu, logVar: logVar, priorMu: pMu, priorLogVar: pLogVar}, z)
	}, tensors.FromFlatDataAndDimensions(mu, rows, latent), tensors.FromFlatDataAndDimensions(logVar, rows, latent),
		tensors.FromFlatDataAndDimensions(z, rows, latent), tensors.FromFlatDataAndDimensions(pMu, k, latent),
		tensors.FromFlatDataAndDimensions(pLogVar, k, latent))
	kl := tensors.MustCopyFlatData[float32](got)
	logNormal := func(z, mu, logVar []float32) float64 {
		var s float64
		for j := range z {
			v := math.Exp(float64(logVar[j]))
			d := float64(z[j]) - float64(mu[j])
			s += -0.5*math.Log(2*math.Pi*v) - d*d/(2*v)
		}
		return s
	}
	for i := range rows {
		zi := z[i*latent : (i+1)*latent]
		logQ := logNormal(zi, mu[i*latent:(i+1)*latent], logVar[i*latent:(i+1)*latent])
		var p float64
		for c := range k {
			p += math.Exp(logNormal(zi, pMu[c*latent:(c+1)*latent], pLogVar[c*latent:(c+1)*latent])) / k
		}
		if want := logQ - math.Log(p); math.Abs(float64(kl[i])-want) > 1e-4*max(1, math.Abs(want)) {
			t.Errorf("row %d: KL %g, want %g", i, kl[i], want)
		}
	}
}

// The pseudo-inputs are a trainable [pseudo_inputs, inputs] variable that
// training moves, and the checkpoint carries them.
func TestVampPseudoInputsTrain(t *testing.T) {
	cfg := small()
	cfg.Prior, cfg.PseudoInputs, cfg.MaxEpochs = VampPrior, 7, 2
	res := fit(t, cfg, synthetic(500, 1), nil)
	ckpt, err := res.Model.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(ckpt, []byte(`{"name":"/vae/prior/pseudo_inputs","shape":[7,6]}`)) {
		t.Fatal("checkpoint lacks the pseudo-inputs [7, 6]")
	}
	if _, err := Load(goBackend(t).Engine, ckpt); err != nil {
		t.Fatal(err)
	}
}

// maskShares draws the masks of n training rows (20 boreholes unless
// boreholes) and returns them, rows × inputs.
func drawMasks(t *testing.T, cfg Config, groups []string) []float32 {
	t.Helper()
	mk, err := newMasker(cfg, groups, len(groups))
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int, len(groups))
	for i := range idx {
		idx[i] = i
	}
	return tensors.MustCopyFlatData[float32](mk.batch(idx))
}

// columnShares is the share of rows masked in each column.
func columnShares(m []float32, d int) []float64 {
	s := make([]float64, d)
	for i, v := range m {
		s[i%d] += float64(v) / float64(len(m)/d)
	}
	return s
}

func TestMasksFollowStrategy(t *testing.T) {
	const rows = 20000
	cfg := Default()
	d := cfg.Inputs()
	near := func(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

	t.Run("block", func(t *testing.T) {
		cfg := cfg
		cfg.Masking, cfg.MaskRate = BlockMasking, 0.3
		m := drawMasks(t, cfg, groupsOf(rows))
		for i := range rows {
			r := m[i*d : (i+1)*d]
			if r[0] != 0 || r[1] != 0 || !(r[2] == r[3] && r[3] == r[4] && r[4] == r[5]) {
				t.Fatalf("row %d mask %v: want ngr, r, g, b together and gra, ms never", i, r)
			}
		}
		if s := columnShares(m, d)[2]; !near(s, 0.3, 0.015) {
			t.Errorf("share of rows masked %.3f, want 0.3", s)
		}
	})
	t.Run("random", func(t *testing.T) {
		cfg := cfg
		cfg.Masking, cfg.MaskRate = RandomMasking, 0.15
		m := drawMasks(t, cfg, groupsOf(rows))
		for j, s := range columnShares(m, d) {
			if !near(s, 0.15, 0.01) {
				t.Errorf("feature %d masked in %.3f of rows, want 0.15", j, s)
			}
		}
		var both float64 // independence: gra and b masked together in 0.15² of rows
		for i := range rows {
			both += float64(m[i*d] * m[i*d+5])
		}
		if !near(both/rows, 0.0225, 0.005) {
			t.Errorf("gra and b masked together in %.4f of rows, want 0.0225", both/rows)
		}
	})
	t.Run("borehole", func(t *testing.T) {
		cfg := cfg
		cfg.Masking, cfg.MaskRate = BoreholeMasking, 0.1
		groups := make([]string, rows) // 2,000 boreholes of 10 rows
		for i := range groups {
			groups[i] = fmt.Sprintf("U%04d-%c", i/10, 'A'+i%3)
		}
		m := drawMasks(t, cfg, groups)
		for i := range rows {
			if want := cfg.BoreholeMask(groups[i]); !slices.Equal(m[i*d:(i+1)*d], want) {
				t.Fatalf("row %d of %s: mask %v, want the borehole's %v", i, groups[i], m[i*d:(i+1)*d], want)
			}
		}
		var total float64
		for _, s := range columnShares(m, d) {
			total += s / float64(d)
		}
		if !near(total, 0.1, 0.015) {
			t.Errorf("share of features masked per borehole %.3f, want 0.1", total)
		}
		other := cfg
		other.Seed = 2
		if slices.Equal(m, drawMasks(t, other, groups)) {
			t.Error("another seed masked the same features")
		}
		if _, err := newMasker(cfg, groups[:5], rows); err == nil || !strings.Contains(err.Error(), "borehole") {
			t.Errorf("rows without boreholes: error %v", err)
		}
	})
	t.Run("draws are seeded", func(t *testing.T) {
		cfg := cfg
		cfg.Masking, cfg.MaskRate = RandomMasking, 0.15
		if !slices.Equal(drawMasks(t, cfg, groupsOf(500)), drawMasks(t, cfg, groupsOf(500))) {
			t.Error("equal seeds drew different masks")
		}
	})
}

// A masked model reconstructs a masked feature from the others: the
// mask changes the reconstruction, and the mask is refused by an
// unmasked model.
func TestInferMasked(t *testing.T) {
	cfg := small()
	cfg.Masking, cfg.MaskRate = RandomMasking, 0.2
	val := synthetic(100, 2)
	res := fit(t, cfg, synthetic(1000, 1), val)
	missing := make([]float32, len(val))
	for i := 0; i < len(missing); i += cfg.Inputs() {
		missing[i+2] = 1 // ngr
	}
	plain, err := res.Model.Infer(val)
	if err != nil {
		t.Fatal(err)
	}
	masked, err := res.Model.InferMasked(val, missing)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(plain.Recon, masked.Recon) || len(masked.Recon) != len(val) {
		t.Error("masking ngr did not change the reconstruction")
	}
	normal := fit(t, small(), synthetic(300, 1), nil)
	if _, err := normal.Model.InferMasked(val, missing); err == nil {
		t.Error("an unmasked model took a mask")
	}
}

// keep = "best" returns the weights of the epoch of lowest validation
// loss; "last" those of the last epoch.
func TestKeepBest(t *testing.T) {
	cfg := small()
	cfg.MaxEpochs, cfg.BetaSchedule, cfg.BetaEnd, cfg.LearningRate = 6, Constant, 0.5, 0.05 // a large step: validation loss jumps about
	train, val := synthetic(1000, 1), synthetic(300, 2)
	for _, keep := range []string{KeepLast, KeepBest} {
		cfg.Keep = keep
		res := fit(t, cfg, train, val)
		want := res.History[len(res.History)-1]
		if keep == KeepBest {
			want = slices.MinFunc(res.History, func(a, b Epoch) int { return cmpFloat(a.ValLoss, b.ValLoss) })
		}
		inf, err := res.Model.Infer(val)
		if err != nil {
			t.Fatal(err)
		}
		if res.Kept != want.Epoch || math.Abs(inf.Loss(want.Beta)-want.ValLoss) > 1e-9*math.Abs(want.ValLoss) {
			t.Errorf("keep %s: kept epoch %d with val loss %.6f, want epoch %d with %.6f (history %+v)",
				keep, res.Kept, inf.Loss(want.Beta), want.Epoch, want.ValLoss, res.History)
		}
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// The variant parameters parse with their defaults, and an unknown value
// is a diagnostic at its attribute (file:line:col) naming the parameter.
func TestVariantParamsParse(t *testing.T) {
	reg := dag.NewRegistry(Kind(), &dag.Kind{Name: "tables", Version: "1", Source: true,
		Outputs: []dag.OutputSpec{{Name: "train", MediaType: schemas.MediaParquet}, {Name: "val", MediaType: schemas.MediaParquet}}})
	parse := func(attr string) error {
		src := "source \"tables\" {}\nstage \"train\" \"train\" {\n  inputs = { train = source.train, val = source.val }\n  " + attr + "\n}\n"
		_, err := dag.Parse("p.hcl", []byte(src), reg, nil)
		return err
	}
	for _, attr := range []string{`prior = "vamp"`, `masking = "block"`, `beta_schedule = "constant"`, `keep = "best"`, `early_stop_from = 50`} {
		if err := parse(attr); err != nil {
			t.Errorf("%s: %v", attr, err)
		}
	}
	for _, tc := range []struct{ attr, param, at string }{
		{`prior = "gaussian"`, "prior", "p.hcl:4:11"}, {`masking = "rows"`, "masking", "p.hcl:4:13"},
		{`beta_schedule = "cyclic"`, "beta_schedule", "p.hcl:4:19"}, {`keep = "first"`, "keep", "p.hcl:4:10"},
		{`early_stop_from = -1`, "early_stop_from", "p.hcl:4:21"}, {`pseudo_inputs = 0`, "pseudo_inputs", "p.hcl:4:19"},
		{"masking = \"random\"\n  mask_rate = 1.5", "mask_rate", "p.hcl:5:15"},
	} {
		err := parse(tc.attr)
		if err == nil || !strings.Contains(err.Error(), tc.at+":") || !strings.Contains(err.Error(), tc.param+":") {
			t.Errorf("%s: error %v, want one at %s naming %s", tc.attr, err, tc.at, tc.param)
		}
	}
}
