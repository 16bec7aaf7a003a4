package train

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"testing"

	"litho/schemas"
	"litho/stages/stagetest"
)

// The joint encoder without init is the plain model: the dual encoders
// and transfer learning must leave its checkpoint byte for byte as it is
// without them (digest taken on the training rule, β schedules, priors
// and masking alone, before the two were merged).
func TestJointCheckpointUnchanged(t *testing.T) {
	res := fit(t, small(), synthetic(1000, 1), synthetic(200, 2))
	ckpt, err := res.Model.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(ckpt)
	want := stagetest.ByArch(t, map[string]string{
		"amd64": "6db363bb0d2c25740e61b809f02ceef56ab43e7726d7f90ab520934139b176a4",
		"arm64": "db0475acb028374fbfd133b1d532dd386a2a0ae2009a6b8c408860c31e86bdac",
	})
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Errorf("default model's checkpoint digest %s, want %s", got, want)
	}
}

// The history's row type moved to schemas; its Parquet bytes (which carry
// the type's name) must stay those train wrote before (digest taken then).
func TestHistoryBytesUnchanged(t *testing.T) {
	b, err := schemas.WriteParquet([]Epoch{{Epoch: 1, TrainLoss: 3, ValLoss: 2.5, Beta: 0.001}, {Epoch: 2, TrainLoss: 2, ValLoss: math.NaN(), Beta: 0.01}})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if got, want := hex.EncodeToString(sum[:]), "12c6a916853f3b7e8ab1860a24212dd4172011c77e3e5e25707003819edf288c"; got != want {
		t.Errorf("history digest %s, want %s", got, want)
	}
}
