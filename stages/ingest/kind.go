package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"litho/dag"
	"litho/schemas"
)

// Kind is the ingest stage: LILY CSV files in, one Parquet table per
// instrument partitioned by borehole out, plus the rejected rows.
func Kind() *dag.Kind {
	k := &dag.Kind{
		Name:    "ingest",
		Version: "ingest/3 " + schemas.LILYVersion + " " + schemas.MeasureVersion,
		Doc:     "Read LILY CSV files into per-borehole Parquet tables; unusable rows go to rejects.",
		Outputs: []dag.OutputSpec{{Name: "rejects", MediaType: schemas.MediaCSV}},
		Run:     run,
	}
	for _, f := range schemas.LILYFiles {
		k.Inputs = append(k.Inputs, dag.InputSpec{Name: f.Instrument, Optional: true})
		k.Outputs = append(k.Outputs, dag.OutputSpec{Name: f.Instrument, MediaType: schemas.MediaParquet, Partitioned: true})
	}
	return k
}

func run(ctx context.Context, x *dag.Exec) error {
	path := filepath.Join(x.TempDir(), "rejects.csv")
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("rejects: %w", err)
	}
	defer out.Close()
	rejects, err := NewRejects(out)
	if err != nil {
		return err
	}
	// Check every header first: a missing column in the last file should
	// not cost a pass over the others, nor leave their tables behind.
	for _, spec := range schemas.LILYFiles {
		if err := checkInput(ctx, x, spec); err != nil {
			return err
		}
	}
	for _, spec := range schemas.LILYFiles {
		if !x.HasInput(spec.Instrument) {
			continue
		}
		st, err := ingestInput(ctx, x, spec, rejects)
		if err != nil {
			return err
		}
		x.Summary("%s", summary(st))
	}
	if err := rejects.Flush(); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("rejects: %w", err)
	}
	return x.PutFile(ctx, "rejects", path)
}

// checkInput checks the header of a connected file. An input connected to
// a file its source does not have (a lily directory without it) is an
// error: the pipeline asked for that instrument.
func checkInput(ctx context.Context, x *dag.Exec, spec *schemas.LILYFile) error {
	switch {
	case !x.Connected(spec.Instrument):
		return nil
	case !x.HasInput(spec.Instrument):
		return fmt.Errorf("%s: input %s is connected, but its source has no such file (a lily source offers only the files in its directory)",
			spec.FileName, spec.Instrument)
	}
	rc, err := x.Open(ctx, spec.Instrument)
	if err != nil {
		return fmt.Errorf("%s: %w", spec.FileName, err)
	}
	defer rc.Close()
	return CheckHeader(spec.FileName, rc, spec)
}

func ingestInput(ctx context.Context, x *dag.Exec, spec *schemas.LILYFile, rejects *Rejects) (Stats, error) {
	rc, err := x.Open(ctx, spec.Instrument)
	if err != nil {
		return Stats{}, fmt.Errorf("%s: %w", spec.FileName, err)
	}
	defer rc.Close()
	bar := x.Progress("ingest "+spec.FileName, x.Size(spec.Instrument))
	defer bar.Done()
	cfg := Config{Spec: spec, Name: spec.FileName, TempDir: x.TempDir()}
	return File(ctx, cfg, rc, rejects, bar.Add, func(ctx context.Context, borehole string, table []byte) error {
		return x.PutPart(ctx, spec.Instrument, borehole, table)
	})
}

// summary is the line shown after the run for one file.
func summary(st Stats) string {
	s := fmt.Sprintf("%s: %d rows, %d kept in %d boreholes, %d rejected", st.File, st.Rows, st.Kept, st.Boreholes, st.RejectCount())
	if len(st.Rejected) > 0 {
		s += " (" + reasons(st) + ")"
	}
	if st.Duplicates > 0 {
		s += fmt.Sprintf(", %d duplicate rows kept", st.Duplicates)
	}
	return s
}
