package main

import (
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"litho/schemas"
)

// TestExportForPythonTools exports a trained model as safetensors and the
// latent table as CSV, which must read back with encoding/csv to the
// Parquet values.
func TestExportForPythonTools(t *testing.T) {
	dir := t.TempDir()
	smallPipeline(t, dir)
	statuses(t, litho(t, dir, "run", "--json", "--to", "embed"))
	st := filepath.Join(dir, "model.safetensors")
	if r := litho(t, dir, "export", "--format", "safetensors", "--out", st, "train", "model"); r.Code != 0 {
		t.Fatal(r.Stderr)
	}
	checkSafetensorsHeader(t, st)
	if r := litho(t, dir, "export", "--format", "safetensors", "--out", st+"2", "embed", "latent"); r.Code != 2 {
		t.Errorf("safetensors of a table: exit %d, %s", r.Code, r.Stderr)
	}
	pq, csvPath := filepath.Join(dir, "latent.parquet"), filepath.Join(dir, "latent.csv")
	for path, format := range map[string]string{pq: "parquet", csvPath: "csv"} {
		if r := litho(t, dir, "export", "--format", format, "--out", path, "embed", "latent"); r.Code != 0 {
			t.Fatal(r.Stderr)
		}
	}
	b, err := os.ReadFile(pq)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := schemas.ReadParquet[schemas.LatentRow](b)
	if err != nil {
		t.Fatal(err)
	}
	checkLatentCSV(t, csvPath, rows)
}

func checkSafetensorsHeader(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 8 {
		t.Fatalf("read %s: %v", path, err)
	}
	n := binary.LittleEndian.Uint64(b)
	var h map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &h); err != nil {
		t.Fatalf("header: %v", err)
	}
	var meta map[string]string
	if err := json.Unmarshal(h["__metadata__"], &meta); err != nil || meta["features"] != `["gra","ms","ngr","r","g","b"]` {
		t.Errorf("metadata %s: %v", h["__metadata__"], err)
	}
	if _, ok := h["encoder.mu.weights"]; !ok {
		t.Errorf("no encoder.mu.weights among %d tensors", len(h)-1)
	}
}

func checkLatentCSV(t *testing.T, path string, rows []schemas.LatentRow) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != "borehole,bin,depth_m,split,principal,z0,z1,z2,z3,z4,z5,z6,z7,z8,z9" {
		t.Fatalf("header %s", got)
	}
	if len(recs) != len(rows)+1 {
		t.Fatalf("%d CSV rows, %d Parquet rows", len(recs)-1, len(rows))
	}
	for i, r := range rows {
		rec := recs[i+1]
		z := make([]float32, len(rec)-5)
		for j, c := range rec[5:] {
			v, err := strconv.ParseFloat(c, 32)
			if err != nil {
				t.Fatal(err)
			}
			z[j] = float32(v)
		}
		depth, _ := strconv.ParseFloat(rec[2], 64)
		if rec[0] != r.Borehole || rec[1] != strconv.FormatInt(r.Bin, 10) || depth != r.Depth || !slices.Equal(z, r.Z) {
			t.Fatalf("row %d: CSV %q, Parquet %+v", i, rec, r)
		}
	}
}
