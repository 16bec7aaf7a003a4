//go:build xla && cgo && linux && amd64

package train

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"slices"

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

// findPlugin looks for a named plugin in PJRT_PLUGIN_LIBRARY_PATH, the
// place docs/gpu.md asks for; "" if it is elsewhere.
func findPlugin(name string) string {
	for _, dir := range filepath.SplitList(os.Getenv("PJRT_PLUGIN_LIBRARY_PATH")) {
		for _, sub := range []string{"", "nvidia"} {
			p := filepath.Join(dir, sub, "pjrt_c_api_"+name+"_plugin.so")
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	return ""
}

// setCUDADataDir points XLA at the NVIDIA libraries (ptxas, libdevice)
// unless XLA_FLAGS already does. go-xla v0.1.4 would otherwise set a
// path from its author's machine. The libraries are expected in an
// nvidia/ directory holding the plugin or next to the plugin's directory,
// the layout of go-xla's installer and of JAX's wheels.
func setCUDADataDir(plugin string) {
	flags := os.Getenv("XLA_FLAGS")
	if strings.Contains(flags, "--xla_gpu_cuda_data_dir") {
		return
	}
	path := plugin
	if !filepath.IsAbs(path) {
		path = findPlugin(plugin)
	}
	for _, dir := range []string{filepath.Dir(path), filepath.Join(filepath.Dir(filepath.Dir(path)), "nvidia")} {
		if filepath.Base(dir) == "nvidia" {
			if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
				os.Setenv("XLA_FLAGS", strings.TrimSpace(flags+" --xla_gpu_cuda_data_dir="+dir))
				return
			}
		}
	}
}

func isCUDA(plugin string) bool { return strings.Contains(strings.ToLower(plugin), "cuda") }
