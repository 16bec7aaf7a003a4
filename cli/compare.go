package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"litho/dag"
	"litho/stages/evaluate"
)

func (e *Env) compareCommand() *cli.Command {
	return &cli.Command{
		Name:  "compare",
		Usage: "the models of the pipeline side by side: inputs, latent, parameters, epochs, ARI per method and k, silhouette, reconstruction R²",
		Description: "Every stage with metrics becomes a row, read from the pipeline as it stands (stages not run yet are listed " +
			"below the table). --md prints a Markdown table for a paper or a pull request, --html FILE writes a self-contained page.",
		Flags: []cli.Flag{setFlag, dataFlag, jsonFlag, forceFlag,
			&cli.BoolFlag{Name: "md", Usage: "print a Markdown table"},
			&cli.StringFlag{Name: "html", TakesFile: true, Usage: "write the comparison as a self-contained HTML page to `FILE`"},
		},
		Action: e.compare,
	}
}

// modelRow is one model of the comparison.
type modelRow struct {
	Model      string                        `json:"model"`
	Stage      string                        `json:"stage"`
	Inputs     int                           `json:"inputs"`
	Latent     int                           `json:"latent"`
	Active     int                           `json:"active_dims"`
	Parameters int                           `json:"parameters"`
	Epochs     int                           `json:"epochs"`
	ARI        map[string]map[string]float64 `json:"ari"`        // method → k → ARI
	Silhouette map[string]float64            `json:"silhouette"` // method → at its best k
	ReconR2    map[string]float64            `json:"recon_r2,omitempty"`
}

func (e *Env) compare(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("compare takes no arguments (got %q)", c.Args().First())
	}
	p, err := e.open(c, readOnly)
	if err != nil {
		return err
	}
	defer p.Close()
	rows, missing, err := p.comparison(c.Context)
	if err != nil {
		return err
	}
	if path := c.String("html"); path != "" {
		if err := writeCompareHTML(path, rows, c.Bool("force")); err != nil {
			return err
		}
	}
	switch {
	case c.Bool("json"):
		return json.NewEncoder(e.Stdout).Encode(map[string]any{"models": rows, "not_run": missing})
	case c.Bool("md"):
		writeCompareTable(e.Stdout, rows, markdown)
	default:
		writeCompareTable(e.Stdout, rows, plain)
	}
	if len(missing) > 0 {
		fmt.Fprintf(e.Stdout, "\nnot run yet for the pipeline as it stands: %s\n", strings.Join(missing, ", "))
	}
	return nil
}

// comparison reads every metrics stage's current result, in run order.
func (p *project) comparison(ctx context.Context) ([]modelRow, []string, error) {
	var rows []modelRow
	var missing []string
	for _, n := range p.Pipeline.Nodes {
		output, ok := metricsRole.outputFor(n.Kind)
		if !ok {
			continue
		}
		rec, ok, err := p.currentRecord(ctx, n.Name)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			missing = append(missing, n.Name)
			continue
		}
		b, err := p.Store.ReadAll(ctx, rec.Outputs[output].Digest)
		if err != nil {
			return nil, nil, fmt.Errorf("%s.%s: %w", n.Name, output, err)
		}
		row, err := p.modelRow(ctx, n, b)
		if err != nil {
			return nil, nil, err
		}
		rows = append(rows, row)
	}
	return rows, missing, nil
}

// modelRow reads one model's row from its metrics and, for the epochs,
// the record of the nearest upstream stage that trained.
func (p *project) modelRow(ctx context.Context, n *dag.Node, metrics []byte) (modelRow, error) {
	m, err := evaluate.ParseMetrics(metrics)
	if err != nil {
		return modelRow{}, fmt.Errorf("%s: %w", n.Name, err)
	}
	flat, err := evaluate.Flatten(metrics)
	if err != nil {
		return modelRow{}, fmt.Errorf("%s: %w", n.Name, err)
	}
	row := modelRow{Model: strings.TrimPrefix(n.Name, n.Kind.Name+"_"), Stage: n.Name,
		Inputs: int(flat["model.inputs"]), Latent: int(flat["latent.dim"]), Active: int(flat["latent.active_dims"]),
		Parameters: int(flat["model.parameters"]), ARI: map[string]map[string]float64{}, Silhouette: map[string]float64{}}
	for method, scores := range m.Methods {
		row.ARI[method] = map[string]float64{}
		for _, s := range scores {
			row.ARI[method][strconv.Itoa(s.K)] = s.ARI
		}
		row.Silhouette[method] = m.Best[method].Silhouette
	}
	for key, v := range flat {
		if f, ok := strings.CutPrefix(key, "recon."); ok && strings.HasSuffix(f, ".r2") {
			if row.ReconR2 == nil {
				row.ReconR2 = map[string]float64{}
			}
			row.ReconR2[strings.TrimSuffix(f, ".r2")] = v
		}
	}
	row.Epochs, err = p.upstreamEpochs(ctx, n)
	return row, err
}

// upstreamEpochs is the epoch count noted by the nearest upstream stage
// that trained (breadth first), 0 when none did.
func (p *project) upstreamEpochs(ctx context.Context, n *dag.Node) (int, error) {
	seen := map[string]bool{}
	queue := []*dag.Node{n}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, slot := range slices.Sorted(maps.Keys(cur.Inputs)) {
			up, ok := p.Pipeline.Node(cur.Inputs[slot].Stage)
			if !ok || seen[up.Name] {
				continue
			}
			seen[up.Name] = true
			rec, ok, err := p.currentRecord(ctx, up.Name)
			if err != nil {
				return 0, err
			}
			if ok && rec.Notes["epochs"] != "" {
				return strconv.Atoi(rec.Notes["epochs"])
			}
			queue = append(queue, up)
		}
	}
	return 0, nil
}
