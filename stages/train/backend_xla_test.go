//go:build xla && cgo && linux && amd64

package train

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cudaLayout makes go-xla's installer layout under a temporary directory
// and returns the plugin's path and the directory holding bin/ptxas.
func cudaLayout(t *testing.T) (plugin, tools string) {
	t.Helper()
	nvidia := filepath.Join(t.TempDir(), "nvidia")
	tools = filepath.Join(nvidia, "cu13")
	plugin = filepath.Join(nvidia, "pjrt_c_api_cuda_plugin.so")
	if err := os.MkdirAll(filepath.Join(tools, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{plugin, filepath.Join(tools, "bin", "ptxas")} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return plugin, tools
}

func TestPresetCUDADataDir(t *testing.T) {
	plugin, tools := cudaLayout(t)
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", filepath.Dir(plugin))
	t.Setenv("XLA_FLAGS", "--xla_dump_to=/tmp/x")
	presetCUDADataDir()
	if got, want := os.Getenv("XLA_FLAGS"), "--xla_dump_to=/tmp/x --xla_gpu_cuda_data_dir="+tools; got != want {
		t.Errorf("XLA_FLAGS = %q, want %q", got, want)
	}
	t.Setenv("XLA_FLAGS", "--xla_gpu_cuda_data_dir=/mine")
	presetCUDADataDir()
	if got := os.Getenv("XLA_FLAGS"); got != "--xla_gpu_cuda_data_dir=/mine" {
		t.Errorf("XLA_FLAGS the user set became %q", got)
	}
}

func TestCUDADataDirUnsetWarns(t *testing.T) {
	plugin, tools := cudaLayout(t)
	t.Setenv("XLA_FLAGS", "")
	if w := cudaDataDirUnset(plugin); !strings.Contains(w, "--xla_gpu_cuda_data_dir="+tools) {
		t.Errorf("warning %q, want one naming %s", w, tools)
	}
	t.Setenv("XLA_FLAGS", "--xla_gpu_cuda_data_dir="+tools)
	if w := cudaDataDirUnset(plugin); w != "" {
		t.Errorf("warning %q although XLA_FLAGS names the directory", w)
	}
}
