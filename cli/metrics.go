package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"litho/artifacts"
	"litho/dag"
	"litho/stages/evaluate"
)

// stageFlag picks the stage whose metrics or report a command reads.
var stageFlag = &cli.StringFlag{Name: "stage", Usage: "stage to read (default: the last stage in run order with the output)"}

func (e *Env) metricsCommand() *cli.Command {
	return &cli.Command{
		Name:  "metrics",
		Usage: "print or compare evaluation metrics (flat keys such as gmm.k18.ari)",
		Subcommands: []*cli.Command{
			{
				Name:         "show",
				Usage:        "print the metrics of REF (default: current)",
				ArgsUsage:    "[REF]",
				BashComplete: e.completeArgs(e.metricsRefs),
				Description: "REF is one of: current (the pipeline as it stands, with --set), run~N (the metrics " +
					"of the N-th most recent run, run~0 the latest), a metrics JSON file, the 64-hex digest of a " +
					"stored metrics artifact, or a stage name.",
				Flags:  []cli.Flag{stageFlag, setFlag, dataFlag, jsonFlag},
				Action: e.metricsShow,
			},
			{
				Name:         "diff",
				Usage:        "compare the metrics of A and B (B − A)",
				ArgsUsage:    "A B",
				BashComplete: e.completeArgs(e.metricsRefs, e.metricsRefs),
				Description:  "A and B are REFs as for `metrics show`, e.g. `litho metrics diff run~1 current` or `litho metrics diff baseline.json current`.",
				Flags: []cli.Flag{stageFlag, setFlag, dataFlag, jsonFlag, &cli.BoolFlag{Name: "changed", Usage: "list only metrics that differ"},
					&cli.BoolFlag{Name: "md", Usage: "print a Markdown table (for a pull-request comment)"}},
				Action: e.metricsDiff,
			},
		},
		// Reached only when no subcommand matched.
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("unknown metrics subcommand %q; want show or diff", c.Args().First())
			}
			return cli.ShowSubcommandHelp(c)
		},
	}
}

func (e *Env) metricsShow(c *cli.Context) error {
	if c.NArg() > 1 {
		return usagef("metrics show takes at most one REF")
	}
	ref := c.Args().First()
	if ref == "" {
		ref = "current"
	}
	r := &metricsResolver{c: c, env: e}
	defer r.close()
	flat, _, err := r.resolve(ref)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return writeJSON(e.Stdout, flat)
	}
	if b, _, err := r.read(ref); err == nil {
		if s, err := evaluate.ParseSummary(b); err == nil {
			return writeSpread(e.Stdout, s)
		}
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
	for _, k := range evaluate.SortedKeys(flat) {
		fmt.Fprintf(tw, "%s\t%s\n", k, formatMetric(flat[k]))
	}
	return tw.Flush()
}

// writeSpread prints a summary one metric a line: mean ± sd (shape).
// Each partition's values are in `metrics show --json`.
func writeSpread(w io.Writer, s *evaluate.Summary) error {
	means := map[string]float64{}
	for k, st := range s.Stats {
		means[k] = st.Mean
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, k := range evaluate.SortedKeys(means) {
		st := s.Stats[k]
		fmt.Fprintf(tw, "%s\t%s ± %s\t(%s; se %s, min %s, max %s)\n", k, formatSpread(st.Mean), formatSpread(st.SD),
			s.Shape(), formatSpread(st.SE), formatSpread(st.Min), formatSpread(st.Max))
	}
	return tw.Flush()
}

// formatSpread prints three decimals, as the research quotes 0.195 ± 0.037.
func formatSpread(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

// metricDiff is one row of `metrics diff`; a nil side lacks the metric.
type metricDiff struct {
	Metric string   `json:"metric"`
	A      *float64 `json:"a"`
	B      *float64 `json:"b"`
	Delta  *float64 `json:"delta"`
}

func (e *Env) metricsDiff(c *cli.Context) error {
	if c.NArg() != 2 {
		return usagef("metrics diff needs two REFs: A B")
	}
	r := &metricsResolver{c: c, env: e}
	defer r.close()
	a, nameA, err := r.resolve(c.Args().Get(0))
	if err != nil {
		return err
	}
	b, nameB, err := r.resolve(c.Args().Get(1))
	if err != nil {
		return err
	}
	rows := diffMetrics(a, b, c.Bool("changed"))
	if c.Bool("json") {
		return writeJSON(e.Stdout, rows)
	}
	params, err := r.paramChanges(c.Args().Get(0), c.Args().Get(1))
	if err != nil {
		return err
	}
	if c.Bool("md") {
		writeDiffMarkdown(e.Stdout, rows, nameA, nameB)
		writeParamsMarkdown(e.Stdout, params)
		return nil
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "metric\tA\tB\tB − A\t\n")
	for _, d := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", d.Metric, formatOpt(d.A), formatOpt(d.B), formatDelta(d.Delta))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "A = %s\nB = %s\n", nameA, nameB)
	writeParams(e.Stdout, params)
	return nil
}

// writeDiffMarkdown writes the diff as a GitHub Markdown table, the
// numbers right-aligned and code-formatted so they line up in a comment.
func writeDiffMarkdown(w io.Writer, rows []metricDiff, nameA, nameB string) {
	fmt.Fprintln(w, "| metric | A | B | B − A |")
	fmt.Fprintln(w, "|---|--:|--:|--:|")
	for _, d := range rows {
		fmt.Fprintf(w, "| `%s` | %s | %s | %s |\n", d.Metric, formatOpt(d.A), formatOpt(d.B), formatDelta(d.Delta))
	}
	fmt.Fprintf(w, "\nA = %s  \nB = %s\n", mdCode(nameA), mdCode(nameB))
}

// mdCode quotes s as inline code; a name holding a backtick is left plain.
func mdCode(s string) string {
	if strings.Contains(s, "`") {
		return s
	}
	return "`" + s + "`"
}

// diffMetrics pairs the keys of a and b, in SortedKeys order.
func diffMetrics(a, b map[string]float64, changedOnly bool) []metricDiff {
	union := map[string]float64{}
	for k := range a {
		union[k] = 0
	}
	for k := range b {
		union[k] = 0
	}
	var rows []metricDiff
	for _, k := range evaluate.SortedKeys(union) {
		d := metricDiff{Metric: k}
		if v, ok := a[k]; ok {
			d.A = &v
		}
		if v, ok := b[k]; ok {
			d.B = &v
		}
		if d.A != nil && d.B != nil {
			delta := *d.B - *d.A
			d.Delta = &delta
		}
		if changedOnly && d.Delta != nil && *d.Delta == 0 {
			continue
		}
		rows = append(rows, d)
	}
	return rows
}

// metricsResolver turns REFs into flat metrics, opening the project
// only when a REF needs the pipeline or store.
type metricsResolver struct {
	c    *cli.Context
	env  *Env
	p    *project
	runs map[string]*dag.RunLog // the run log of each run~N REF resolved
}

func (r *metricsResolver) project() (*project, error) {
	if r.p == nil {
		p, err := r.env.open(r.c, readOnly)
		if err != nil {
			return nil, err
		}
		r.p = p
	}
	return r.p, nil
}

func (r *metricsResolver) close() {
	if r.p != nil {
		r.p.Close()
	}
}

// resolve reads the metrics REF names and says where they came from.
func (r *metricsResolver) resolve(ref string) (map[string]float64, string, error) {
	b, src, err := r.read(ref)
	if err != nil {
		return nil, "", err
	}
	flat, err := evaluate.Flatten(b)
	if err != nil {
		err = fmt.Errorf("%s: %w", src.name, err)
		if src.given {
			// A file or digest the caller named that holds no metrics
			// is bad usage, not a failed gate.
			return nil, "", usageError{err}
		}
		return nil, "", err
	}
	return flat, src.name, nil
}

// metricsSource says where metrics bytes came from: its name in messages,
// and whether the caller named them directly (a file, a digest).
type metricsSource struct {
	name  string
	given bool
}

func (r *metricsResolver) read(ref string) ([]byte, metricsSource, error) {
	if b, err := os.ReadFile(ref); err == nil {
		return b, metricsSource{"file " + ref, true}, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, metricsSource{}, usagef("metrics %s: %v", ref, err)
	}
	if looksLikeFile(ref) {
		return nil, metricsSource{}, usagef("metrics file %s does not exist", ref)
	}
	p, err := r.project()
	if err != nil {
		return nil, metricsSource{}, err
	}
	ctx := r.c.Context
	if n, ok := strings.CutPrefix(ref, "run~"); ok {
		b, name, l, err := p.runMetrics(r.c, n)
		if l != nil {
			if r.runs == nil {
				r.runs = map[string]*dag.RunLog{}
			}
			r.runs[ref] = l
		}
		return b, metricsSource{name: name}, err
	}
	if d, err := artifacts.ParseDigest(ref); err == nil {
		b, err := p.Store.ReadAll(ctx, d)
		if errors.Is(err, artifacts.ErrNotFound) {
			return nil, metricsSource{}, usagef("metrics %s: no artifact with this digest in the store %s", d, p.Store.Location())
		}
		if err != nil {
			return nil, metricsSource{}, fmt.Errorf("metrics %s: %w", d.Short(), err)
		}
		return b, metricsSource{"artifact " + d.Short(), true}, nil
	}
	stage := r.c.String("stage")
	if ref != "current" {
		stage = ref
	}
	stage, output, err := metricsRole.find(p.Pipeline, stage)
	if err != nil {
		return nil, metricsSource{}, err
	}
	b, d, err := p.currentOutput(ctx, stage, output)
	if err != nil {
		return nil, metricsSource{}, err
	}
	return b, metricsSource{name: fmt.Sprintf("%s.%s %s", stage, output, d.Short())}, nil
}

func looksLikeFile(ref string) bool {
	return strings.ContainsAny(ref, `/\`) || strings.HasSuffix(ref, ".json")
}

// runMetrics reads the metrics of the n-th most recent run log that
// records the metrics stage.
func (p *project) runMetrics(c *cli.Context, n string) ([]byte, string, *dag.RunLog, error) {
	back, err := strconv.Atoi(n)
	if err != nil || back < 0 {
		return nil, "", nil, usagef("run~%s: want run~N with N ≥ 0", n)
	}
	stage, output, err := metricsRole.find(p.Pipeline, c.String("stage"))
	if err != nil {
		return nil, "", nil, err
	}
	logs, err := dag.RecentRuns(c.Context, p.Store, -1)
	if err != nil {
		return nil, "", nil, storeError{err}
	}
	seen := 0
	for _, l := range logs {
		o, ok := l.Stages[stage].Outputs[output]
		if !ok {
			continue
		}
		if seen == back {
			b, err := p.Store.ReadAll(c.Context, o.Digest)
			if err != nil {
				return nil, "", nil, fmt.Errorf("run~%d metrics: %w", back, err)
			}
			return b, fmt.Sprintf("run~%d (%s) %s.%s %s", back, l.Time.UTC().Format("2006-01-02 15:04:05Z"), stage, output, o.Digest.Short()), l, nil
		}
		seen++
	}
	return nil, "", nil, usagef("run~%d: only %d runs recorded %s.%s", back, seen, stage, output)
}

// formatMetric prints counts as integers and scores with four decimals.
func formatMetric(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

func formatOpt(v *float64) string {
	if v == nil {
		return "—"
	}
	return formatMetric(*v)
}

func formatDelta(v *float64) string {
	switch {
	case v == nil:
		return "—"
	case *v == 0:
		return "0"
	}
	return fmt.Sprintf("%+.4f", *v)
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

// WriteScoreTable prints ARI and silhouette per method and k, marking
// each method's best k: the table `litho run` can end with.
func WriteScoreTable(w io.Writer, m *evaluate.Metrics) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "method\tk\tARI\tsilhouette\t\t\n")
	for _, method := range sortedKeys(m.Methods) {
		best := m.Best[method].K
		for _, key := range evaluate.SortedKeys(flatScores(m.Methods[method])) {
			s := m.Methods[method][key]
			mark := ""
			if s.K == best {
				mark = "best"
			}
			fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%s\t\n", method, s.K, s.ARI, s.Silhouette, mark)
		}
	}
	return tw.Flush()
}

// flatScores keys a method's scores for SortedKeys (which orders k<k>
// numerically).
func flatScores(scores map[string]evaluate.Score) map[string]float64 {
	out := make(map[string]float64, len(scores))
	for k := range scores {
		out[k] = 0
	}
	return out
}
