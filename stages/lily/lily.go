// Package lily is the source of the real LILY database: the four CSV files
// in one directory, fingerprinted in place rather than copied into the
// store. It runs on every invocation (volatile); unchanged files keep their
// digests, so nothing downstream reruns.
package lily

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"litho/dag"
	"litho/schemas"
)

// Kind is the lily source. All four files must be present: a pipeline
// that lists fewer instruments still ingests all four (the bin stage's
// instruments parameter decides which are joined).
func Kind() *dag.Kind {
	k := &dag.Kind{
		Name:     "lily",
		Version:  "lily/1 " + schemas.LILYVersion,
		Doc:      "The LILY database's CSV files (GRA, MS, NGR, RGB _DataLITH.csv) in a directory.",
		Source:   true,
		Volatile: true,
		Params:   Params{},
		Run:      run,
	}
	for _, f := range schemas.LILYFiles {
		k.Outputs = append(k.Outputs, dag.OutputSpec{Name: f.Instrument, MediaType: schemas.MediaCSV, External: true})
	}
	return k
}

// Params are the lily source's parameters.
type Params struct {
	Dir string `param:"dir" doc:"directory holding GRA_DataLITH.csv, MS_DataLITH.csv, NGR_DataLITH.csv and RGB_DataLITH.csv"`
}

func run(ctx context.Context, x *dag.Exec) error {
	paths, err := Files(dag.ParamsOf[Params](x).Dir)
	if err != nil {
		return err
	}
	// A first run hashes every file: do the four at once.
	errs := make([]error, len(paths))
	var wg sync.WaitGroup
	for i, f := range schemas.LILYFiles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := x.PutExternal(ctx, f.Instrument, paths[i]); err != nil {
				errs[i] = fmt.Errorf("lily: %s: %w", paths[i], err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Files returns the paths of the four LILY files in dir (in
// schemas.LILYFiles order), or an error naming the parameter or the
// missing file.
func Files(dir string) ([]string, error) {
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
	var paths []string
	for _, f := range schemas.LILYFiles {
		p := filepath.Join(dir, f.FileName)
		fi, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("lily: %s is missing from %s (the LILY database has GRA, MS, NGR and RGB _DataLITH.csv files)", f.FileName, dir)
		case err != nil:
			return nil, fmt.Errorf("lily: %w", err)
		case !fi.Mode().IsRegular():
			return nil, fmt.Errorf("lily: %s is not a regular file", p)
		}
		paths = append(paths, p)
	}
	return paths, nil
}
