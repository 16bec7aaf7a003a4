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
	presetCUDADataDir()
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
	warning := cudaDataDirUnset(plugin) // before go-xla sets XLA_FLAGS itself
	b, err := xla.NewWithOptions(plugin, nil)
	if err != nil {
		return nil, fmt.Errorf("XLA backend %s: %w (see docs/gpu.md)", plugin, err)
	}
	return &Backend{Engine: b, Name: "xla:" + plugin, Deterministic: false, Warning: warning}, nil
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

// presetCUDADataDir points XLA at the CUDA tools (bin/ptxas) of the CUDA
// plugin in PJRT_PLUGIN_LIBRARY_PATH, the one "auto" and "xla:cuda" open,
// unless XLA_FLAGS already does: go-xla v0.1.4 would otherwise set a
// directory from its author's machine. There is no PJRT create or compile
// option for the directory, only XLA_FLAGS, which XLA reads when a plugin
// first starts. litho sets it here, once at start-up before any goroutine
// runs, because changing the environment of a running process races with
// the plugin's C code reading it and leaks into every stage.
func presetCUDADataDir() {
	flags := os.Getenv("XLA_FLAGS")
	if strings.Contains(flags, "--xla_gpu_cuda_data_dir") {
		return
	}
	if d := cudaDataDir(findPlugin("cuda")); d != "" {
		os.Setenv("XLA_FLAGS", strings.TrimSpace(flags+" --xla_gpu_cuda_data_dir="+d))
	}
}

// cudaDataDirUnset is the warning for a CUDA plugin named by its path
// whose CUDA tools XLA_FLAGS does not name: presetCUDADataDir could not
// know the path at start-up. "" when there is nothing to say.
func cudaDataDirUnset(plugin string) string {
	if !filepath.IsAbs(plugin) || !isCUDA(plugin) || strings.Contains(os.Getenv("XLA_FLAGS"), "--xla_gpu_cuda_data_dir") {
		return ""
	}
	if d := cudaDataDir(plugin); d != "" {
		return "XLA may not find ptxas: set XLA_FLAGS=--xla_gpu_cuda_data_dir=" + d + " (see docs/gpu.md)"
	}
	return ""
}

// cudaDataDir is the directory with bin/ptxas for the plugin file at
// path, "" if none. It looks where go-xla's installer (nvidia/ holding
// the plugin) and JAX's wheels (site-packages/nvidia next to
// jax_plugins/) put them.
func cudaDataDir(path string) string {
	if path == "" {
		return ""
	}
	dir := filepath.Dir(path)
	for _, base := range []string{dir, filepath.Join(filepath.Dir(dir), "nvidia"), filepath.Join(filepath.Dir(filepath.Dir(dir)), "nvidia")} {
		for _, sub := range []string{"", "cu13", "cuda_nvcc"} {
			d := filepath.Join(base, sub)
			if _, err := os.Stat(filepath.Join(d, "bin", "ptxas")); err == nil {
				return d
			}
		}
	}
	return ""
}

func isCUDA(plugin string) bool { return strings.Contains(strings.ToLower(plugin), "cuda") }
