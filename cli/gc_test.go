package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"litho/cli"
)

// gcReport is gc's --json output.
type gcReport struct {
	Deleted bool `json:"deleted"`
	Objects []struct {
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
		Size      int64  `json:"size"`
	} `json:"objects"`
	Bytes       int64 `json:"bytes"`
	KeptRecords int   `json:"kept_records"`
	KeptBlobs   int   `json:"kept_blobs"`
}

func gcJSON(t *testing.T, dir string, args ...string) gcReport {
	t.Helper()
	var r gcReport
	out := mustRun(t, dir, nil, append([]string{"gc", "--json"}, args...)...).Stdout
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("gc --json: %v\n%s", err, out)
	}
	return r
}

// TestGCReportsEachObject: without --yes gc lists each object it would
// delete as `ns/name  SIZE` (KiB, MiB), the run log beyond --keep-last among them,
// and deletes nothing; --json names the same objects; with --yes exactly
// those go, and a second gc finds nothing.
func TestGCReportsEachObject(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, nil, "run", "--set", `a.suffix="old"`)
	mustRun(t, dir, nil, "run")
	dry := gcJSON(t, dir, "--keep-last", "1")
	text := mustRun(t, dir, nil, "gc", "--keep-last", "1").Stdout
	seen := map[string]int{}
	var bytes int64
	for _, o := range dry.Objects {
		seen[o.Namespace]++
		bytes += o.Size
		if !strings.Contains(text, fmt.Sprintf("  %s/%s  %s\n", o.Namespace, o.Name, cli.HumanBytes(o.Size))) {
			t.Errorf("gc listing lacks %s/%s:\n%s", o.Namespace, o.Name, text)
		}
		if _, err := os.Stat(filepath.Join(dir, ".litho", o.Namespace, o.Name[:2], o.Name)); err != nil {
			t.Errorf("gc without --yes deleted %s/%s", o.Namespace, o.Name)
		}
	}
	if dry.Deleted || seen["runs"] != 1 || seen["ac"] == 0 || seen["cas"] == 0 || bytes != dry.Bytes || dry.KeptRecords == 0 || dry.KeptBlobs == 0 {
		t.Errorf("gc --json %+v (per namespace %v), want one run log, records and blobs, bytes summed, some kept", dry, seen)
	}
	done := gcJSON(t, dir, "--keep-last", "1", "--yes")
	if !done.Deleted || fmt.Sprint(done.Objects) != fmt.Sprint(dry.Objects) {
		t.Errorf("gc --yes deleted %v, want what the listing named: %v", done.Objects, dry.Objects)
	}
	for _, o := range dry.Objects {
		if _, err := os.Stat(filepath.Join(dir, ".litho", o.Namespace, o.Name[:2], o.Name)); !os.IsNotExist(err) {
			t.Errorf("%s/%s survived gc --yes (stat: %v)", o.Namespace, o.Name, err)
		}
	}
	if again := gcJSON(t, dir, "--keep-last", "1"); len(again.Objects) != 0 || again.KeptRecords != dry.KeptRecords || again.KeptBlobs != dry.KeptBlobs {
		t.Errorf("gc after gc --yes: %+v, want nothing to delete and the same kept", again)
	}
}
