package train

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Safetensors rewrites a litho checkpoint as a safetensors file
// (https://huggingface.co/docs/safetensors), which PyTorch, JAX and NumPy
// load without litho. Each variable keeps its shape and values; its name
// loses the leading "/vae/" and uses dots, e.g. encoder.hidden_0.weights
// (docs/checkpoint.md gives the layout). The header's __metadata__ holds
// the config and the feature names as JSON strings. encoding/json sorts
// map keys and the tensors are laid out in name order, so equal
// checkpoints give equal bytes.
func Safetensors(checkpoint []byte) ([]byte, error) {
	cfg, vars, err := decodeCheckpoint(checkpoint)
	if err != nil {
		return nil, err
	}
	meta, err := safetensorsMetadata(cfg)
	if err != nil {
		return nil, err
	}
	header := map[string]any{"__metadata__": meta}
	var data bytes.Buffer
	for _, v := range vars {
		flat, err := tensors.CopyFlatData[float32](v.Tensor)
		if err != nil {
			return nil, fmt.Errorf("safetensors: %s: %w", v.Name, err)
		}
		begin := data.Len()
		_ = binary.Write(&data, binary.LittleEndian, flat)
		header[safetensorsName(v.Name)] = safetensorsEntry{
			DType: "F32", Shape: v.Tensor.Shape().Dimensions, Offsets: [2]int{begin, data.Len()},
		}
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return nil, fmt.Errorf("safetensors header: %w", err)
	}
	// Padding the header with spaces to a multiple of 8, as the reference
	// writer does, keeps the float data aligned for readers that map it.
	hj = append(hj, bytes.Repeat([]byte(" "), (8-len(hj)%8)%8)...)
	var out bytes.Buffer
	_ = binary.Write(&out, binary.LittleEndian, uint64(len(hj)))
	out.Write(hj)
	out.Write(data.Bytes())
	return out.Bytes(), nil
}

type safetensorsEntry struct {
	DType   string `json:"dtype"`
	Shape   []int  `json:"shape"`
	Offsets [2]int `json:"data_offsets"`
}

// safetensorsMetadata is the header's string-to-string map: safetensors
// allows no other values there.
func safetensorsMetadata(cfg Config) (map[string]string, error) {
	c, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("safetensors metadata: %w", err)
	}
	f, err := json.Marshal(cfg.Features)
	if err != nil {
		return nil, fmt.Errorf("safetensors metadata: %w", err)
	}
	return map[string]string{"format": checkpointFormat, "config": string(c), "features": string(f)}, nil
}

// safetensorsName turns /vae/encoder/mu/weights into encoder.mu.weights,
// the dotted form PyTorch state dicts use.
func safetensorsName(name string) string {
	name = strings.TrimPrefix(name, "/"+modelScope+"/")
	return strings.ReplaceAll(strings.TrimPrefix(name, "/"), "/", ".")
}
