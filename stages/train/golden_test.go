package train

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
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
	if got, want := hex.EncodeToString(sum[:]), "6db363bb0d2c25740e61b809f02ceef56ab43e7726d7f90ab520934139b176a4"; got != want {
		t.Errorf("default model's checkpoint digest %s, want %s", got, want)
	}
}
