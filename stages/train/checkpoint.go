package train

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// The checkpoint is a small self-describing file: a magic line, the
// length of a JSON header (config and variable index), the header, then
// each variable's float32 values, little-endian, in index order. Only the
// model's variables are stored, sorted by name: no optimizer state, no
// random state, no metric variables (whose names carry random UUIDs) and
// no timestamps, so equal training gives equal bytes.
const (
	checkpointFormat = "litho-vae-checkpoint/2" // 2: the config names the input features
	checkpointMagic  = checkpointFormat + "\n"
)

type header struct {
	Config    Config     `json:"config"`
	Variables []varIndex `json:"variables"`
}

type varIndex struct {
	Name  string `json:"name"` // scope and name, e.g. /vae/encoder/mu/weights
	Shape []int  `json:"shape"`
}

// encodeCheckpoint writes the model variables of ctx.
func encodeCheckpoint(cfg Config, ctx *context.Context) ([]byte, error) {
	var vars []*context.Variable
	for v := range ctx.IterVariables() {
		if strings.HasPrefix(v.Scope(), "/"+modelScope) {
			vars = append(vars, v)
		}
	}
	slices.SortFunc(vars, func(a, b *context.Variable) int { return strings.Compare(a.ScopeAndName(), b.ScopeAndName()) })
	h := header{Config: cfg}
	if cfg.Encoder == EncoderJoint {
		// Omitted: checkpoints of the joint encoder keep the bytes they had
		// before the dual one, and those older ones read back as joint.
		h.Config.Encoder = ""
	}
	var data bytes.Buffer
	for _, v := range vars {
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("checkpoint variable %s: %w", v.ScopeAndName(), err)
		}
		if t.DType() != dtypes.Float32 {
			return nil, fmt.Errorf("checkpoint variable %s: dtype %s, want float32", v.ScopeAndName(), t.DType())
		}
		flat, err := tensors.CopyFlatData[float32](t)
		if err != nil {
			return nil, fmt.Errorf("checkpoint variable %s: %w", v.ScopeAndName(), err)
		}
		h.Variables = append(h.Variables, varIndex{Name: v.ScopeAndName(), Shape: t.Shape().Dimensions})
		if err := binary.Write(&data, binary.LittleEndian, flat); err != nil {
			return nil, err
		}
	}
	hj, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("checkpoint header: %w", err)
	}
	var out bytes.Buffer
	out.WriteString(checkpointMagic)
	_ = binary.Write(&out, binary.LittleEndian, uint32(len(hj)))
	out.Write(hj)
	out.Write(data.Bytes())
	return out.Bytes(), nil
}

// checkpointVar is one decoded variable.
type checkpointVar struct {
	Name   string
	Tensor *tensors.Tensor
}

// decodeCheckpoint reads what encodeCheckpoint wrote, checking every length.
func decodeCheckpoint(b []byte) (Config, []checkpointVar, error) {
	fail := func(format string, args ...any) (Config, []checkpointVar, error) {
		return Config{}, nil, fmt.Errorf("checkpoint: "+format, args...)
	}
	if !bytes.HasPrefix(b, []byte(checkpointMagic)) {
		return fail("not a litho VAE checkpoint (bad magic)")
	}
	b = b[len(checkpointMagic):]
	if len(b) < 4 {
		return fail("truncated header length")
	}
	n := int(binary.LittleEndian.Uint32(b))
	b = b[4:]
	if n > len(b) {
		return fail("header of %d bytes, only %d left", n, len(b))
	}
	// Settings a checkpoint predates (the variants) read as their
	// defaults, which is what such a model was.
	h := header{Config: Default()}
	if err := json.Unmarshal(b[:n], &h); err != nil {
		return fail("header: %v", err)
	}
	if h.Config.Encoder == "" {
		h.Config.Encoder = EncoderJoint
	}
	if err := h.Config.Check(); err != nil {
		return fail("config: %v", err)
	}
	b = b[n:]
	vars := make([]checkpointVar, 0, len(h.Variables))
	for _, vi := range h.Variables {
		size := 1
		for _, d := range vi.Shape {
			size *= d
		}
		if size < 0 || 4*size > len(b) {
			return fail("variable %s %v needs %d bytes, %d left", vi.Name, vi.Shape, 4*size, len(b))
		}
		flat := make([]float32, size)
		for i := range flat {
			flat[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		b = b[4*size:]
		vars = append(vars, checkpointVar{Name: vi.Name, Tensor: tensors.FromFlatDataAndDimensions(flat, vi.Shape...)})
	}
	if len(b) != 0 {
		return fail("%d trailing bytes", len(b))
	}
	return h.Config, vars, nil
}
