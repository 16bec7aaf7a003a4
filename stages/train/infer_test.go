package train

import (
	"slices"
	"testing"

	"github.com/gomlx/gomlx/backends/simplego"
)

// Inference runs every product of the default model on the backend's
// small-matrix kernel, the one training uses (see evalBatch): its outputs
// equal, bit for bit, those of a backend forced to that kernel. With
// 2,048-row chunks the decoder's products went to the blocked kernel and
// the reconstructions differed in their last bits.
func TestInferenceUsesTrainingKernel(t *testing.T) {
	res := fit(t, small(), synthetic(1000, 1), synthetic(200, 2))
	ckpt, err := res.Model.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	forced, err := simplego.New("ops_sequential,dotgeneral_small")
	if err != nil {
		t.Fatal(err)
	}
	defer forced.Finalize()
	ref, err := Load(forced, ckpt)
	if err != nil {
		t.Fatal(err)
	}
	x := synthetic(3*evalBatch+5, 3)
	got, err := res.Model.Infer(x)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ref.Infer(x)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Mu, want.Mu) || !slices.Equal(got.Recon, want.Recon) || !slices.Equal(got.Rec, want.Rec) || !slices.Equal(got.KL, want.KL) {
		t.Error("inference differs from the small-matrix kernel's")
	}
}
