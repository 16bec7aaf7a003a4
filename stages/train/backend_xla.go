//go:build xla && cgo && linux && amd64

package train

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/backends/xla"
)

// xlaCompiled reports whether this binary can load PJRT plugins (it needs
// cgo and the build tag "xla"; see docs/gpu.md).
const xlaCompiled = true

func init() {
	// litho never downloads anything at run time.
	xla.EnableAutoInstall(false)
}

// cudaPluginConfigured reports whether a CUDA PJRT plugin can be found
// where "xla:cuda" looks for it.
func cudaPluginConfigured() bool {
	return slices.Contains(xla.GetAvailablePlugins(), "cuda")
}

func newXLA(plugin string) (*Backend, error) {
	if !filepath.IsAbs(plugin) {
		if !slices.Contains(xla.GetAvailablePlugins(), plugin) {
			return nil, fmt.Errorf("XLA backend: no PJRT plugin %q found: put pjrt_c_api_%s_plugin.so in a directory "+
				"listed in PJRT_PLUGIN_LIBRARY_PATH, or set backend = \"xla:/abs/path/to/plugin.so\" (see docs/gpu.md)",
				plugin, plugin)
		}
	} else if _, err := os.Stat(plugin); err != nil {
		return nil, fmt.Errorf("XLA backend: plugin file: %w (see docs/gpu.md)", err)
	}
	if isCUDA(plugin) {
		setCUDADataDir(plugin)
	}
	b, err := xla.NewWithOptions(plugin, nil)
	if err != nil {
		return nil, fmt.Errorf("XLA backend %s: %w (see docs/gpu.md)", plugin, err)
	}
	return &Backend{Engine: b, Name: "xla:" + plugin, Deterministic: false}, nil
}

// findPlugin looks for a named plugin in PJRT_PLUGIN_LIBRARY_PATH, where
// docs/gpu.md asks for it; "" if it is elsewhere.
func findPlugin(name string) string {
	for _, dir := range filepath.SplitList(os.Getenv("PJRT_PLUGIN_LIBRARY_PATH")) {
		p := filepath.Join(dir, "pjrt_c_api_"+name+"_plugin.so")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// setCUDADataDir points XLA at the CUDA tools (bin/ptxas) unless XLA_FLAGS
// already does: go-xla v0.1.4 would otherwise set a directory from its
// author's machine. It looks where go-xla's installer (nvidia/ holding the
// plugin) and JAX's wheels (site-packages/nvidia next to jax_plugins/) put
// them, for a directory with bin/ptxas.
func setCUDADataDir(plugin string) {
	flags := os.Getenv("XLA_FLAGS")
	if strings.Contains(flags, "--xla_gpu_cuda_data_dir") {
		return
	}
	path := plugin
	if !filepath.IsAbs(path) {
		if path = findPlugin(plugin); path == "" {
			return
		}
	}
	dir := filepath.Dir(path)
	for _, base := range []string{dir, filepath.Join(filepath.Dir(dir), "nvidia"), filepath.Join(filepath.Dir(filepath.Dir(dir)), "nvidia")} {
		for _, sub := range []string{"", "cu13", "cuda_nvcc"} {
			d := filepath.Join(base, sub)
			if _, err := os.Stat(filepath.Join(d, "bin", "ptxas")); err == nil {
				os.Setenv("XLA_FLAGS", strings.TrimSpace(flags+" --xla_gpu_cuda_data_dir="+d))
				return
			}
		}
	}
}

func isCUDA(plugin string) bool { return strings.Contains(strings.ToLower(plugin), "cuda") }
