package cli

import (
	"bytes"
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"litho/artifacts"
	"litho/dag"
	"litho/schemas"
	"litho/stages/train"
)

func (e *Env) exportCommand() *cli.Command {
	return &cli.Command{
		Name:         "export",
		Usage:        "copy a stage output out of the store (a partitioned output becomes a directory of files)",
		ArgsUsage:    "STAGE OUTPUT",
		BashComplete: e.completeArgs(e.stageNames, e.outputNames),
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", TakesFile: true, Usage: "destination file (or directory for a partitioned output); required"},
			&cli.StringFlag{Name: "format", Usage: "parquet or csv (Parquet tables), safetensors (train's model); default: as stored"},
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
	if _, ok := conversions[format]; !ok {
		return usagef("--format %q: want parquet, csv or safetensors", format)
	}
	p, err := e.openForStage(c, stage)
	if err != nil {
		return err
	}
	defer p.Close()
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
	convert, err := conversion(format, n.Kind, spec, stage)
	if err != nil {
		return err
	}
	out := c.String("out")
	if o.External != "" {
		return usagef("%s.%s is the input file %s itself, which litho reads in place; copy it directly", stage, output, o.External)
	}
	if o.MediaType != dag.MediaManifest {
		return writeArtifact(c, p.Store, o.Digest, out, convert)
	}
	if err := outputDir(out); err != nil {
		return err
	}
	ext := "." + format
	if format == "" {
		ext = extension(spec.MediaType)
	}
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
		if err := writeArtifact(c, p.Store, o.Parts[part], path, convert); err != nil {
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

// A conversion rewrites an artifact's bytes in an export format.
type convertFunc func([]byte) ([]byte, error)

// conversions are the export formats, each with the artifacts it takes:
// "" and "parquet" copy the bytes as stored.
var conversions = map[string]struct {
	takes   func(kind string, spec dag.OutputSpec) bool
	what    string
	convert convertFunc
}{
	"":            {func(string, dag.OutputSpec) bool { return true }, "", nil},
	"parquet":     {isParquet, "a Parquet table", nil},
	"csv":         {isParquet, "a Parquet table", parquetToCSV},
	"safetensors": {isModel, "train's model", train.Safetensors},
}

func isParquet(_ string, spec dag.OutputSpec) bool { return spec.MediaType == schemas.MediaParquet }

func isModel(kind string, spec dag.OutputSpec) bool { return kind == "train" && spec.Name == "model" }

func parquetToCSV(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	err := schemas.ParquetToCSV(&buf, b)
	return buf.Bytes(), err
}

// conversion is format's conversion of stage's output spec, nil for a copy.
func conversion(format string, kind *dag.Kind, spec dag.OutputSpec, stage string) (convertFunc, error) {
	c := conversions[format]
	if !c.takes(kind.Name, spec) {
		return nil, usagef("--format %s: %s.%s is %s, not %s", format, stage, spec.Name, spec.MediaType, c.what)
	}
	return c.convert, nil
}

// writeArtifact copies a verified blob to path, converted when convert is
// not nil (see writeOutput).
func writeArtifact(c *cli.Context, st *artifacts.Store, d artifacts.Digest, path string, convert convertFunc) error {
	if err := replaceable(path, c.Bool("force")); err != nil {
		return err
	}
	b, err := st.ReadAll(c.Context, d)
	if err != nil {
		return err
	}
	if convert != nil {
		if b, err = convert(b); err != nil {
			return fmt.Errorf("export %s: %w", path, err)
		}
	}
	return writeOutput(path, b, c.Bool("force"))
}
