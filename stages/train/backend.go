package train

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
)

// Backend describes the compute backend a model runs on.
type Backend struct {
	Engine backends.Backend
	// Name is what the run record shows: "go", "xla:cuda", "xla:/path".
	Name string
	// Deterministic is true when equal inputs give bit-identical results.
	Deterministic bool
	// Warning, if not "", is what the run log should warn about.
	Warning string
}

// NewBackend opens the backend named by spec:
//
//	"auto"      XLA with the CUDA PJRT plugin when one is configured and an
//	            NVIDIA GPU is present, else the pure-Go backend
//	"go"        the pure-Go backend (bit-reproducible)
//	"xla:cuda"  the CUDA PJRT plugin found in PJRT_PLUGIN_LIBRARY_PATH
//	"xla:/abs/path/pjrt_c_api_cuda_plugin.so"  that plugin file
//
// Nothing is ever downloaded; see docs/gpu.md for configuring a plugin.
func NewBackend(spec string) (*Backend, error) {
	plugin, err := parseBackend(spec)
	if err != nil {
		return nil, err
	}
	switch {
	case spec == "auto" && xlaCompiled && hasNvidiaGPU() && cudaPluginConfigured():
		return newXLA("cuda")
	case plugin != "":
		return newXLA(plugin)
	}
	return newGo()
}

// parseBackend checks a backend spec and returns its XLA plugin, "" for
// the pure-Go backend or "auto".
func parseBackend(spec string) (plugin string, err error) {
	switch {
	case spec == "auto" || spec == "go":
		return "", nil
	case strings.HasPrefix(spec, "xla:"):
		plugin = strings.TrimPrefix(spec, "xla:")
		if plugin == "" || (strings.ContainsRune(plugin, '/') && !filepath.IsAbs(plugin)) {
			return "", fmt.Errorf("parameter backend = %q: want xla:NAME (e.g. xla:cuda) or xla:/absolute/path/plugin.so", spec)
		}
		if !xlaCompiled {
			// Refused when the pipeline is parsed, not after the
			// upstream stages have run.
			return "", fmt.Errorf("parameter backend = %q: this litho binary was built without XLA (build with -tags xla, "+
				"cgo on, linux/amd64); use \"auto\" or \"go\", or see docs/gpu.md", spec)
		}
		return plugin, nil
	}
	return "", fmt.Errorf(`parameter backend = %q: want "auto", "go", "xla:cuda" or "xla:/abs/path/plugin.so"`, spec)
}

// newGo opens the pure-Go backend with ops run one after another: its
// parallel op scheduler can deadlock on concurrent matrix products in
// v0.26.0, and our graphs are too small to gain from it. Parallelism 0
// also runs each matrix product inline: handing every small product to a
// worker goroutine cost more (about 12 % of an epoch) than it gained.
func newGo() (*Backend, error) {
	b, err := simplego.New("ops_sequential")
	if err == nil {
		err = runInline(b)
	}
	if err != nil {
		return nil, fmt.Errorf("pure-Go backend: %w", err)
	}
	return &Backend{Engine: b, Name: "go", Deterministic: true}, nil
}

// runInline sets a new backend's parallelism to 0, as simplego's
// "parallelism=0" option would, without that option's fmt.Printf to
// stdout, where litho's output goes. simplego v0.26.0 has no other
// setter, so this writes the unexported field of this one backend; if a
// GoMLX upgrade moves it, the error (and TestGoBackendRunsInline) says so.
func runInline(b backends.Backend) error {
	sb, ok := b.(*simplego.Backend)
	if !ok {
		return fmt.Errorf("simplego.New returned a %T", b)
	}
	f := maxParallelism(sb)
	if !f.IsValid() {
		return fmt.Errorf("simplego.Backend has no workers.maxParallelism int field (GoMLX changed; see runInline)")
	}
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().SetInt(0)
	return nil
}

// maxParallelism is the field simplego's "parallelism" option sets, or
// the zero Value if there is none.
func maxParallelism(b *simplego.Backend) reflect.Value {
	w := reflect.ValueOf(b).Elem().FieldByName("workers")
	if w.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	if f := w.FieldByName("maxParallelism"); f.Kind() == reflect.Int {
		return f
	}
	return reflect.Value{}
}

func hasNvidiaGPU() bool {
	m, _ := filepath.Glob("/dev/nvidia[0-9]*")
	return len(m) > 0
}
