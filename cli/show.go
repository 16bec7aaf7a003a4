package cli

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/urfave/cli/v2"
)

func (e *Env) showCommand() *cli.Command {
	return &cli.Command{
		Name:         "show",
		Usage:        "show a stage's record: parameters, inputs, outputs, duration, host, backend",
		ArgsUsage:    "STAGE",
		Flags:        []cli.Flag{setFlag, dataFlag, jsonFlag},
		Action:       e.show,
		BashComplete: e.completeArgs(e.stageNames),
	}
}

func (e *Env) show(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("show needs one STAGE")
	}
	stage := c.Args().First()
	p, err := e.openForStage(c, stage)
	if err != nil {
		return err
	}
	defer p.Close()
	rec, err := p.stageRecord(c.Context, stage)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		b, _ := json.MarshalIndent(rec, "", "  ")
		fmt.Fprintln(e.Stdout, string(b))
		return nil
	}
	w := e.Stdout
	fmt.Fprintf(w, "stage    %s (%s, version %s)\n", rec.Stage, rec.Fields.Kind, rec.Fields.Version)
	fmt.Fprintf(w, "key      %s\n", rec.Key)
	fmt.Fprintf(w, "ran      %s on %s, %.2fs, litho %s\n", rec.Start.Format("2006-01-02 15:04:05Z"), rec.Host, rec.Seconds, rec.Litho)
	fmt.Fprintln(w, "params")
	for _, k := range sortedKeys(rec.Fields.Params) {
		b, _ := json.Marshal(rec.Fields.Params[k])
		fmt.Fprintf(w, "  %-16s %s\n", k, b)
	}
	fmt.Fprintln(w, "inputs")
	for _, k := range sortedKeys(rec.Fields.Inputs) {
		fmt.Fprintf(w, "  %-16s %s\n", k, rec.Fields.Inputs[k])
	}
	fmt.Fprintln(w, "outputs")
	for _, k := range sortedKeys(rec.Outputs) {
		o := rec.Outputs[k]
		extra := ""
		if len(o.Parts) > 0 {
			extra = fmt.Sprintf(" (%d partitions)", len(o.Parts))
		}
		if o.External != "" {
			extra = " (file " + o.External + ")"
		}
		fmt.Fprintf(w, "  %-16s %s  %s%s\n", k, o.Digest, o.MediaType, extra)
	}
	if len(rec.Notes) > 0 {
		fmt.Fprintln(w, "notes")
		for _, k := range sortedKeys(rec.Notes) {
			fmt.Fprintf(w, "  %-16s %s\n", k, rec.Notes[k])
		}
	}
	for _, s := range rec.Summary {
		fmt.Fprintf(w, "summary  %s\n", s)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
