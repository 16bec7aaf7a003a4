// Package lily is the source of the real LILY database: its CSV files in
// one directory, fingerprinted in place rather than copied into the store.
// It runs on every invocation (volatile); unchanged files keep their
// digests, so nothing downstream reruns.
package lily

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"litho/dag"
	"litho/schemas"
)

// Kind is the lily source. Every file is optional: the source offers the
// files the directory has, and a pipeline connects the instruments it
// uses (ingest fails naming a connected file the directory lacks).
func Kind() *dag.Kind {
	k := &dag.Kind{
		Name:     "lily",
		Version:  "lily/1 " + schemas.LILYVersion,
		Doc:      "The LILY database's CSV files (any of " + fileList() + ") in a directory.",
		Source:   true,
		Volatile: true,
		Params:   Params{},
		Run:      run,
	}
	for _, f := range schemas.LILYFiles {
		k.Outputs = append(k.Outputs, dag.OutputSpec{Name: f.Instrument, MediaType: schemas.MediaCSV, External: true, Optional: true})
	}
	return k
}

// Params are the lily source's parameters.
type Params struct {
	Dir string `param:"dir" doc:"directory holding the LILY _DataLITH.csv files (any of them: a pipeline connects those it uses)"`
}

func run(ctx context.Context, x *dag.Exec) error {
	dir := dag.ParamsOf[Params](x).Dir
	paths, err := Files(dir)
	if err != nil {
		return err
	}
	var missing []string
	for _, f := range schemas.LILYFiles {
		if paths[f.Instrument] == "" {
			missing = append(missing, f.FileName)
		}
	}
	if len(missing) > 0 {
		x.Summary("not in %s: %s", dir, strings.Join(missing, ", "))
	}
	// A first run hashes every file: do them at once.
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for inst, path := range paths {
		if !x.Consumed(inst) {
			continue // nothing reads it: never open the file
		}
		wg.Go(func() {
			if err := x.PutExternal(ctx, inst, path); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("lily: %s: %w", path, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Files returns the paths of the LILY files present in dir, by
// instrument, or an error naming the parameter or the faulty file. A
// directory holding none of them is an error: it is not a LILY directory.
func Files(dir string) (map[string]string, error) {
	if dir == "" {
		return nil, errors.New(`lily: parameter dir is empty: set it to the directory holding the LILY CSV files (or use litho run --data DIR)`)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("lily: parameter dir: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("lily: parameter dir: %s is not a directory", dir)
	}
	paths := map[string]string{}
	for _, f := range schemas.LILYFiles {
		p := filepath.Join(dir, f.FileName)
		fi, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return nil, fmt.Errorf("lily: %w", err)
		case !fi.Mode().IsRegular():
			return nil, fmt.Errorf("lily: %s is not a regular file", p)
		}
		paths[f.Instrument] = p
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("lily: %s holds none of the LILY files (%s)", dir, fileList())
	}
	return paths, nil
}

// fileList names the LILY files litho knows.
func fileList() string {
	var names []string
	for _, f := range schemas.LILYFiles {
		names = append(names, f.FileName)
	}
	return strings.Join(names, ", ")
}
