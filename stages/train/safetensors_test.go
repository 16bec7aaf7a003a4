package train

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestSafetensorsIndependentReader has a stdlib-only Python reader check
// the export's header and offsets, read back values, and compute the
// encoder mean from the weights as docs/checkpoint.md describes them.
func TestSafetensorsIndependentReader(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is needed on CI to check the safetensors export")
		}
		t.Skip("no python3")
	}
	cfg := small()
	cfg.MaxEpochs = 1
	res := fit(t, cfg, synthetic(300, 1), synthetic(100, 2))
	ckpt, err := res.Model.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	st, err := Safetensors(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := Safetensors(ckpt); !bytes.Equal(again, st) {
		t.Fatal("two exports of one checkpoint differ")
	}
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := os.WriteFile(path, st, 0o644); err != nil {
		t.Fatal(err)
	}
	x := synthetic(1, 3)
	xj, _ := json.Marshal(x)
	out, err := exec.Command(python, "testdata/safetensors_check.py", path, string(xj)).Output()
	if err != nil {
		t.Fatalf("python reader: %v\n%s", err, exitStderr(err))
	}
	var got struct {
		Names    []string
		Metadata map[string]string
		Ends     map[string][2]float64
		Mu       []float64
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	checkSafetensorsVars(t, ckpt, got.Names, got.Ends)
	var meta Config
	if err := json.Unmarshal([]byte(got.Metadata["config"]), &meta); err != nil || !slices.Equal(meta.Features, cfg.Features) {
		t.Errorf("metadata config %q: %v", got.Metadata["config"], err)
	}
	want, err := res.Model.Infer(x)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Mu) != len(want.Mu) {
		t.Fatalf("python μ has %d values, want %d", len(got.Mu), len(want.Mu))
	}
	for i := range want.Mu {
		if math.Abs(got.Mu[i]-float64(want.Mu[i])) > 1e-4 {
			t.Errorf("μ[%d]: python %g, litho %g", i, got.Mu[i], want.Mu[i])
		}
	}
}

// checkSafetensorsVars compares the names and end values Python read with
// the checkpoint's variables.
func checkSafetensorsVars(t *testing.T, ckpt []byte, names []string, ends map[string][2]float64) {
	t.Helper()
	_, vars, err := decodeCheckpoint(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, v := range vars {
		name := safetensorsName(v.Name)
		want = append(want, name)
		flat, _ := tensors.CopyFlatData[float32](v.Tensor)
		if e := ends[name]; float32(e[0]) != flat[0] || float32(e[1]) != flat[len(flat)-1] {
			t.Errorf("%s: python read %v, want %v, %v", name, e, flat[0], flat[len(flat)-1])
		}
	}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("tensors %v, want %v", names, want)
	}
}

func exitStderr(err error) []byte {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.Stderr
	}
	return nil
}
