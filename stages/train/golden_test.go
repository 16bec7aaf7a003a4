package train

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// The joint encoder without init is the model of issue 10: the dual
// encoders and transfer learning must leave its checkpoint byte for byte
// as it was (digest taken before they were added).
func TestJointCheckpointUnchanged(t *testing.T) {
	res := fit(t, small(), synthetic(1000, 1), synthetic(200, 2))
	ckpt, err := res.Model.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(ckpt)
	if got, want := hex.EncodeToString(sum[:]), "ee44f18bd6b481a2d1b08f039d314b8f1582af06da448bb9ff1c1256790810fe"; got != want {
		t.Errorf("default model's checkpoint digest %s, want %s", got, want)
	}
}
