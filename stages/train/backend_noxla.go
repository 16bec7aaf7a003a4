//go:build !(xla && cgo && linux && amd64)

package train

import "fmt"

const xlaCompiled = false

func cudaPluginConfigured() bool { return false }

func newXLA(plugin string) (*Backend, error) {
	return nil, fmt.Errorf("XLA backend %s: this litho binary was built without XLA "+
		"(build with -tags xla, cgo on, linux/amd64); use backend = \"go\" or see docs/gpu.md", plugin)
}
