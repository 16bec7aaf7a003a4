package cli

import (
	"fmt"
	"io"
	"sort"

	"github.com/urfave/cli/v2"

	"litho/dag"
)

func (e *Env) dagCommand() *cli.Command {
	return &cli.Command{
		Name:  "dag",
		Usage: "print the pipeline graph",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text, dot or mermaid"},
			setFlag,
		},
		Action: e.dag,
	}
}

// edge is one input connection.
type edge struct{ from, output, to, slot string }

func edges(p *dag.Pipeline) []edge {
	var out []edge
	for _, n := range p.Nodes {
		slots := make([]string, 0, len(n.Inputs))
		for s := range n.Inputs {
			slots = append(slots, s)
		}
		sort.Strings(slots)
		for _, s := range slots {
			ref := n.Inputs[s]
			out = append(out, edge{from: ref.Stage, output: ref.Output, to: n.Name, slot: s})
		}
	}
	return out
}

func (e *Env) dag(c *cli.Context) error {
	p, _, err := e.loadPipeline(c)
	if err != nil {
		return err
	}
	switch c.String("format") {
	case "text":
		writeText(e.Stdout, p)
	case "dot":
		writeDot(e.Stdout, p)
	case "mermaid":
		writeMermaid(e.Stdout, p)
	default:
		return usagef("--format %q: want text, dot or mermaid", c.String("format"))
	}
	return nil
}

func writeText(w io.Writer, p *dag.Pipeline) {
	es := edges(p)
	for _, n := range p.Nodes {
		fmt.Fprintf(w, "%s (%s)\n", n.Name, n.Kind.Name)
		for _, ed := range es {
			if ed.to == n.Name {
				fmt.Fprintf(w, "  %s ← %s.%s\n", ed.slot, ed.from, ed.output)
			}
		}
	}
}

func writeDot(w io.Writer, p *dag.Pipeline) {
	fmt.Fprintln(w, "digraph litho {")
	fmt.Fprintln(w, "  rankdir=LR;")
	for _, n := range p.Nodes {
		fmt.Fprintf(w, "  %q [label=%q];\n", n.Name, n.Name+"\n("+n.Kind.Name+")")
	}
	for _, ed := range edges(p) {
		fmt.Fprintf(w, "  %q -> %q [label=%q];\n", ed.from, ed.to, ed.output+" → "+ed.slot)
	}
	fmt.Fprintln(w, "}")
}

func writeMermaid(w io.Writer, p *dag.Pipeline) {
	fmt.Fprintln(w, "flowchart LR")
	for _, n := range p.Nodes {
		fmt.Fprintf(w, "  %s[\"%s (%s)\"]\n", n.Name, n.Name, n.Kind.Name)
	}
	for _, ed := range edges(p) {
		fmt.Fprintf(w, "  %s -- \"%s → %s\" --> %s\n", ed.from, ed.output, ed.slot, ed.to)
	}
}
