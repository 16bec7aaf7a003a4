package train

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"litho/dag"
)

// constant is small() with constant β, so losses of different epochs
// compare.
func constant() Config {
	c := small()
	c.AnnealEpochs, c.MaxEpochs, c.LatentDim = 0, 5, 8
	return c
}

func dualConfig() Config {
	c := constant()
	c.Encoder, c.Groups = EncoderDual, [][]string{{"gra", "ms", "ngr"}, {"r", "g", "b"}}
	return c
}

// lossFalls fails unless validation loss fell clearly over the run.
func lossFalls(t *testing.T, res *Result) {
	t.Helper()
	first, last := res.History[0].ValLoss, res.History[len(res.History)-1].ValLoss
	if !(last < 0.9*first) {
		t.Errorf("validation loss went from %.4f to %.4f, want a clear decrease", first, last)
	}
}

// v3: one encoder per group, latents 4 + 4, one decoder. Parameters:
// two encoders of (3+1)·32 + 64 + 33·16 + 32 + 2·17·4 = 888, a decoder
// of 9·16 + 32 + 17·32 + 64 + 33·6 = 982: 2,758.
func TestDualEncoder(t *testing.T) {
	train, val := synthetic(3000, 1), synthetic(600, 2)
	res := fit(t, dualConfig(), train, val)
	lossFalls(t, res)
	if got := res.Model.Parameters(); got != 2758 {
		t.Errorf("%d parameters, want 2758", got)
	}
	ckpt, err := res.Model.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(ckpt, []byte(`{"name":"/vae/encoder_1/mu/weights","shape":[17,4]}`)) {
		t.Error("checkpoint lacks the second group's μ head [17, 4]")
	}
	again, err := fit(t, dualConfig(), train, val).Model.Checkpoint()
	if err != nil || !bytes.Equal(again, ckpt) {
		t.Errorf("equal inputs and seed gave different checkpoints (err %v)", err)
	}
	loaded, err := Load(goBackend(t).Engine, ckpt)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := res.Model.Infer(val)
	got, err := loaded.Infer(val)
	if err != nil || !slices.Equal(got.Mu, want.Mu) || loaded.Parameters() != 2758 {
		t.Errorf("reloaded dual model differs (err %v, %d parameters)", err, loaded.Parameters())
	}
}

// Groups take their columns by name, in any order.
func TestDualGroupsPickColumnsByName(t *testing.T) {
	cfg := dualConfig()
	cfg.MaxEpochs, cfg.Groups = 1, [][]string{{"b", "gra"}, {"ms", "ngr", "r", "g"}}
	res := fit(t, cfg, synthetic(500, 1), nil)
	// The first layers, (2+1)·32 + (4+1)·32 weights, add up as 3 + 3's do.
	if got := res.Model.Parameters(); got != 2758 {
		t.Errorf("%d parameters, want 2758", got)
	}
}

func TestDualGroupsMustPartitionTheTable(t *testing.T) {
	tests := map[string]struct {
		groups [][]string
		want   string
	}{
		"a feature the data lacks": {[][]string{{"gra", "ms", "ngr"}, {"rsc_l"}}, `parameter groups: "rsc_l" is not a feature of the table; its features are [gra, ms, ngr, r, g, b]`},
		"a feature left out":       {[][]string{{"gra", "ms", "ngr"}, {"r", "g"}}, `parameter groups: feature "b" is in no group`},
	}
	for name, tc := range tests {
		cfg := dualConfig()
		cfg.Groups = tc.groups
		_, err := Fit(context.Background(), goBackend(t).Engine, cfg, synthetic(100, 1), nil, nil, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
		}
	}
}

func TestEncoderConfigErrorsNameParameter(t *testing.T) {
	tests := []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.Encoder = "triple" }, `parameter encoder: must be one of [joint dual], got "triple"`},
		{func(c *Config) { c.Groups = [][]string{{"gra"}, {"ms"}} }, "parameter groups: only the dual encoder"},
		{func(c *Config) { c.Encoder = EncoderDual }, "parameter groups: the dual encoder needs at least two groups, got 0"},
		{func(c *Config) { c.Encoder, c.Groups = EncoderDual, [][]string{{"gra"}, {}} }, "parameter groups: group 2 is empty"},
		{func(c *Config) { c.Encoder, c.Groups = EncoderDual, [][]string{{"gra"}, {"ms", "gra"}} }, `parameter groups: feature "gra" is in more than one place`},
		{func(c *Config) { c.Encoder, c.Groups, c.LatentDim = EncoderDual, [][]string{{"gra"}, {"ms"}}, 9 }, "parameter latent_dim: must split evenly over the 2 groups"},
		{func(c *Config) { c.Freeze = []string{"encoder/hidden_2"} }, `parameter freeze: "encoder/hidden_2" names no layer of this model; its layers are encoder/hidden_0, encoder/hidden_1, encoder/mu`},
		{func(c *Config) { c.Freeze = []string{"encoder_0"} }, `parameter freeze: "encoder_0" names no layer`},
		{func(c *Config) { c.Encoder, c.Groups, c.Masking = EncoderDual, [][]string{{"gra"}, {"ms"}}, "random" }, "parameter masking: masked training needs the joint encoder"},
		{func(c *Config) { c.Encoder, c.Groups, c.Prior = EncoderDual, [][]string{{"gra"}, {"ms"}}, "vamp" }, "parameter prior: the VampPrior needs the joint encoder"},
		{func(c *Config) { c.Freeze = []string{"encod"} }, `parameter freeze: "encod" names no layer`},
	}
	for _, tc := range tests {
		c := Default()
		tc.mod(&c)
		if err := c.Check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one containing %q", err, tc.want)
		}
	}
	ok := dualConfig()
	ok.Freeze = []string{"encoder_1", "decoder/output"}
	if err := ok.Check(); err != nil {
		t.Errorf("valid dual config with freeze refused: %v", err)
	}
}

// Unknown encoder values fail at parse, at the parameter.
func TestKindEncoderParamChecks(t *testing.T) {
	k, _ := dag.NewRegistry(Kind()).Lookup("train")
	tests := []struct {
		values map[string]any
		want   string // "" = accepted
	}{
		{map[string]any{"encoder": "triple"}, "parameter encoder"},
		{map[string]any{"encoder": "dual"}, "parameter groups"},
		{map[string]any{"encoder": "dual", "groups": [][]string{{"gra", "ms", "ngr"}, {"r", "g", "b"}}}, ""},
		{map[string]any{"freeze": []string{"decoder"}}, ""},
	}
	for _, tc := range tests {
		err := new(dag.Node).Reset(k, tc.values)
		if tc.want == "" && err != nil {
			t.Errorf("%v: rejected: %v", tc.values, err)
		}
		if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%v: error %v, want one naming %s", tc.values, err, tc.want)
		}
	}
}
