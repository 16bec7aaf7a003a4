package train

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"litho/dag"
)

// columns picks columns idx of rows of width features.
func columns(x []float32, width int, idx ...int) []float32 {
	var out []float32
	for r := 0; r < len(x); r += width {
		for _, i := range idx {
			out = append(out, x[r+i])
		}
	}
	return out
}

// pretrain fits a joint model on some of synthetic's six features.
func pretrain(t *testing.T, latent int, features []string, idx ...int) []byte {
	t.Helper()
	cfg := constant()
	cfg.Features, cfg.LatentDim, cfg.MaxEpochs = features, latent, 3
	res := fit(t, cfg, columns(synthetic(1000, 5), 6, idx...), nil)
	ckpt, err := res.Model.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	return ckpt
}

// weights are a checkpoint's variables by name.
func weights(t *testing.T, ckpt []byte) map[string][]float32 {
	t.Helper()
	_, vars, err := decodeCheckpoint(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]float32{}
	for _, v := range vars {
		out[v.Name] = tensors.MustCopyFlatData[float32](v.Tensor)
	}
	return out
}

// sameLayer fails unless every variable of layer (source name src, model
// name dst) is bit-identical in the two weight sets.
func sameLayer(t *testing.T, from, to map[string][]float32, src, dst string) {
	t.Helper()
	n := 0
	for name, w := range from {
		if l, _ := splitLayer(name); l == src {
			n++
			if got := to[strings.Replace(name, "/"+src+"/", "/"+dst+"/", 1)]; !slices.Equal(got, w) {
				t.Errorf("%s: not the source's %s", name, src)
			}
		}
	}
	if n == 0 {
		t.Errorf("source has no layer %s", src)
	}
}

var physical = []string{"gra", "ms", "ngr"}

// v2.6.2: pretrain on GRA, MS, NGR, fine-tune with six features. The
// first layer and the output layer change shape and start fresh; the
// five others are copied, value for value.
func TestTransferCopiesMatchingLayers(t *testing.T) {
	src := pretrain(t, 8, physical, 0, 1, 2)
	m, err := newModel(goBackend(t).Engine, constant())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.prepare([]Init{{Input: "init", Checkpoint: src}}); err != nil {
		t.Fatal(err)
	}
	want := "init: encoder/hidden_1 encoder/mu encoder/log_var decoder/hidden_1 decoder/hidden_0"
	if len(m.Copied) != 1 || m.Copied[0] != want {
		t.Fatalf("copied %q, want %q", m.Copied, want)
	}
	from := weights(t, src)
	copied := map[string][]float32{}
	for v := range m.ctx.IterVariables() {
		if strings.HasPrefix(v.Scope(), "/"+modelScope) {
			copied[v.ScopeAndName()] = tensors.MustCopyFlatData[float32](v.MustValue())
		}
	}
	for _, l := range strings.Fields(want)[1:] {
		sameLayer(t, from, copied, l, l)
	}
	for name := range copied {
		if l, _ := splitLayer(name); l == "encoder/hidden_0" || l == "decoder/output" {
			t.Errorf("%s copied although its shape differs", name)
		}
	}
	res := fit(t, constant(), synthetic(3000, 1), synthetic(600, 2), Init{Input: "init", Checkpoint: src})
	lossFalls(t, res)
	if got := res.Model.Parameters(); got != 2102 {
		t.Errorf("%d parameters, want 2102", got)
	}
}

// Frozen layers come out of training bit-identical, running statistics
// included; the copied layers not frozen train on.
func TestFreezeKeepsLayers(t *testing.T) {
	src := pretrain(t, 8, physical, 0, 1, 2)
	cfg := constant()
	cfg.Freeze = []string{"encoder/hidden_1", "encoder/mu", "encoder/log_var", "decoder/hidden_0"}
	res := fit(t, cfg, synthetic(3000, 1), synthetic(600, 2), Init{Input: "init", Checkpoint: src})
	lossFalls(t, res)
	if got := res.Model.Parameters(); got != 2102 {
		t.Errorf("%d parameters, want 2102 (frozen ones count)", got)
	}
	ckpt, err := res.Model.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	from, after := weights(t, src), weights(t, ckpt)
	for _, l := range cfg.Freeze {
		sameLayer(t, from, after, l, l)
	}
	if slices.Equal(from["/vae/decoder/hidden_1/weights"], after["/vae/decoder/hidden_1/weights"]) {
		t.Error("decoder/hidden_1, copied but not frozen, did not train")
	}
	again, err := fit(t, cfg, synthetic(3000, 1), synthetic(600, 2), Init{Input: "init", Checkpoint: src}).Model.Checkpoint()
	if err != nil || !slices.Equal(again, ckpt) {
		t.Errorf("equal inputs, init and seed gave different checkpoints (err %v)", err)
	}
}

// v2.6.4: a physical (3 → 4) and an RGB (3 → 4) encoder, pretrained
// apart, feed a fusion decoder through init and init2. Each pretrained
// model has 888 + 5·16 + 32 + 17·32 + 64 + 33·3 = 1,707 parameters.
func TestTwoInitsFillTheGroupEncoders(t *testing.T) {
	phys, rgb := pretrain(t, 4, physical, 0, 1, 2), pretrain(t, 4, []string{"r", "g", "b"}, 3, 4, 5)
	m, err := Load(goBackend(t).Engine, phys)
	if err != nil || m.Parameters() != 1707 {
		t.Fatalf("pretrained model: %v parameters, error %v", m.Parameters(), err)
	}
	cfg := dualConfig()
	cfg.Freeze = []string{"encoder_0", "encoder_1"}
	res := fit(t, cfg, synthetic(3000, 1), synthetic(600, 2),
		Init{Input: "init", Checkpoint: phys}, Init{Input: "init2", Group: 1, Checkpoint: rgb})
	lossFalls(t, res)
	if got := res.Model.Parameters(); got != 2758 {
		t.Errorf("%d parameters, want 2758", got)
	}
	enc := "encoder_%d/hidden_0 encoder_%d/hidden_1 encoder_%d/mu encoder_%d/log_var"
	want := []string{"init: " + strings.ReplaceAll(enc, "%d", "0"), "init2: " + strings.ReplaceAll(enc, "%d", "1")}
	if !slices.Equal(res.Model.Copied, want) {
		t.Errorf("copied %q, want %q", res.Model.Copied, want)
	}
	ckpt, _ := res.Model.Checkpoint()
	after := weights(t, ckpt)
	for g, src := range [][]byte{phys, rgb} {
		for _, l := range []string{"hidden_0", "hidden_1", "mu", "log_var"} {
			sameLayer(t, weights(t, src), after, "encoder/"+l, fmt.Sprintf("encoder_%d/%s", g, l))
		}
	}
}

func TestInitErrorsNameInput(t *testing.T) {
	other := constant()
	other.Features, other.Hidden, other.LatentDim, other.MaxEpochs = []string{"a", "b"}, []int{5}, 3, 1
	res := fit(t, other, columns(synthetic(200, 1), 6, 0, 1), nil)
	unrelated, _ := res.Model.Checkpoint()
	tests := map[string]struct {
		ckpt []byte
		want string
	}{
		"nothing matches":  {unrelated, "input init: no layer of its model (joint encoder, 2 features, hidden [5], latent 3) matches"},
		"not a checkpoint": {[]byte("PK"), "input init: checkpoint: not a litho VAE checkpoint"},
	}
	for name, tc := range tests {
		_, err := Fit(context.Background(), goBackend(t).Engine, constant(), synthetic(200, 1), nil, nil, nil, Init{Input: "init", Checkpoint: tc.ckpt})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
		}
	}
}

// The init inputs are checked against their wiring before anything runs.
func TestInitWiring(t *testing.T) {
	reg := dag.NewRegistry(Kind())
	k, _ := reg.Lookup("train")
	trainer := &dag.Node{Name: "pre", Kind: k}
	other := &dag.Node{Name: "scale", Kind: &dag.Kind{Name: "scale"}}
	dual := map[string]any{"encoder": "dual", "groups": [][]string{{"gra", "ms", "ngr"}, {"r", "g", "b"}}}
	tests := []struct {
		name   string
		values map[string]any
		inputs map[string]dag.Ref
		up     map[string]*dag.Node
		want   string // "" = accepted
	}{
		{"init from a model", nil, map[string]dag.Ref{"init": {Stage: "pre", Output: "model"}}, map[string]*dag.Node{"init": trainer}, ""},
		{"init from history", nil, map[string]dag.Ref{"init": {Stage: "pre", Output: "history"}}, map[string]*dag.Node{"init": trainer},
			"input init must be another train stage's model output, got pre.history"},
		{"init from scale", nil, map[string]dag.Ref{"init": {Stage: "scale", Output: "train"}}, map[string]*dag.Node{"init": other},
			"input init must be another train stage's model output"},
		{"init2 of a joint model", nil, map[string]dag.Ref{"init2": {Stage: "pre", Output: "model"}}, map[string]*dag.Node{"init2": trainer},
			"parameter encoder: input init2 gives the second group's encoder"},
		{"init2 of a dual model", dual, map[string]dag.Ref{"init2": {Stage: "pre", Output: "model"}}, map[string]*dag.Node{"init2": trainer}, ""},
	}
	for _, tc := range tests {
		n := &dag.Node{Name: "fine"}
		if err := n.Reset(k, tc.values); err != nil {
			t.Fatal(err)
		}
		n.Inputs = tc.inputs
		err := k.CheckWiring(n, tc.up)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}
