package cli

import (
	"bytes"
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"litho/artifacts"
	"litho/dag"
	"litho/schemas"
)

func (e *Env) exportCommand() *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "copy a stage output out of the store (a partitioned output becomes a directory of files)",
		ArgsUsage: "STAGE OUTPUT",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "destination file (or directory for a partitioned output); required"},
			&cli.StringFlag{Name: "format", Usage: "parquet or csv (Parquet tables only; default: as stored)"},
			forceFlag, setFlag, dataFlag,
		},
		Action: e.export,
	}
}

func (e *Env) export(c *cli.Context) error {
	if c.NArg() != 2 {
		return usagef("export needs STAGE OUTPUT")
	}
	if c.String("out") == "" {
		return usagef("export needs --out PATH")
	}
	stage, output := c.Args().Get(0), c.Args().Get(1)
	format := c.String("format")
	if format != "" && format != "parquet" && format != "csv" {
		return usagef("--format %q: want parquet or csv", format)
	}
	p, err := e.open(c, readOnly)
	if err != nil {
		return err
	}
	defer p.Close()
	if err := checkStageNames(p.Pipeline, []string{stage}); err != nil {
		return err
	}
	rec, err := p.stageRecord(c.Context, stage)
	if err != nil {
		return err
	}
	o, ok := rec.Outputs[output]
	if !ok {
		return usagef("stage %s has no output %q; outputs: %v", stage, output, sortedKeys(rec.Outputs))
	}
	n, _ := p.Pipeline.Node(stage)
	spec, _ := n.Kind.Output(output)
	if format == "csv" && spec.MediaType != schemas.MediaParquet {
		return usagef("--format csv: %s.%s is %s, not a Parquet table", stage, output, spec.MediaType)
	}
	out := c.String("out")
	if o.External != "" {
		return usagef("%s.%s is the input file %s itself, which litho reads in place; copy it directly", stage, output, o.External)
	}
	if o.MediaType != dag.MediaManifest {
		return writeArtifact(c, p.Store, o.Digest, out, format)
	}
	if err := outputDir(out); err != nil {
		return err
	}
	ext := map[string]string{"csv": ".csv", "parquet": ".parquet", "": extension(spec.MediaType)}[format]
	// Every partition's file is checked before any is written, so a
	// refusal leaves the directory as it was.
	for _, part := range sortedKeys(o.Parts) {
		if err := replaceable(filepath.Join(out, filepath.FromSlash(part)+ext), c.Bool("force")); err != nil {
			return err
		}
	}
	for _, part := range sortedKeys(o.Parts) {
		// A fold/seed partition is a file in a directory per fold.
		path := filepath.Join(out, filepath.FromSlash(part)+ext)
		if err := outputDir(filepath.Dir(path)); err != nil {
			return err
		}
		if err := writeArtifact(c, p.Store, o.Parts[part], path, format); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.Stdout, "wrote %d partitions to %s\n", len(o.Parts), out)
	return nil
}

func extension(media string) string {
	switch media {
	case schemas.MediaParquet:
		return ".parquet"
	case schemas.MediaJSON, schemas.MediaMetrics:
		return ".json"
	case schemas.MediaPNG:
		return ".png"
	case schemas.MediaCSV:
		return ".csv"
	case schemas.MediaHTML, schemas.MediaReport:
		return ".html"
	}
	return ""
}

// writeArtifact copies a verified blob to path, converting Parquet to CSV
// when asked (see writeOutput).
func writeArtifact(c *cli.Context, st *artifacts.Store, d artifacts.Digest, path, format string) error {
	if err := replaceable(path, c.Bool("force")); err != nil {
		return err
	}
	b, err := st.ReadAll(c.Context, d)
	if err != nil {
		return err
	}
	if format == "csv" {
		var buf bytes.Buffer
		if err := schemas.ParquetToCSV(&buf, b); err != nil {
			return fmt.Errorf("export %s: %w", path, err)
		}
		b = buf.Bytes()
	}
	return writeOutput(path, b, c.Bool("force"))
}
