package dag

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

func decodeGate(b *hcl.Block) (*Gate, hcl.Diagnostics) {
	g := &Gate{Name: b.Labels[0], Range: b.DefRange}
	attrs, diags := b.Body.JustAttributes()
	for name, a := range attrs {
		v, d := a.Expr.Value(nil)
		if d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		switch name {
		case "metric":
			s, err := toGo(v, String)
			if err != nil {
				diags = append(diags, errAt(a.Expr.Range(), "Invalid gate", "metric "+err.Error()+"."))
				continue
			}
			g.Metric = s.(string)
		case "min", "min_mean", "max_drop":
			f, err := toGo(v, Float)
			if err != nil {
				diags = append(diags, errAt(a.Expr.Range(), "Invalid gate", name+" "+err.Error()+"."))
				continue
			}
			x := f.(float64)
			*map[string]**float64{"min": &g.Min, "min_mean": &g.MinMean, "max_drop": &g.MaxDrop}[name] = &x
		default:
			diags = append(diags, errAt(a.NameRange, "Unknown gate setting",
				fmt.Sprintf("%q is not a gate setting; valid: metric, min, min_mean, max_drop.", name)))
		}
	}
	if g.Metric == "" {
		diags = append(diags, errAt(b.DefRange, "Missing gate metric", `A gate needs metric = "method.kK.name", e.g. "gmm.k18.ari".`))
	}
	if g.Min == nil && g.MinMean == nil && g.MaxDrop == nil {
		diags = append(diags, errAt(b.DefRange, "Gate without a bound", "Set min, min_mean or max_drop (or several)."))
	}
	return g, diags
}
