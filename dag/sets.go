package dag

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// applySets applies --set STAGE.PARAM=VALUE overrides.
func applySets(p *Pipeline, sets []string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, s := range sets {
		lhs, val, ok := strings.Cut(s, "=")
		stage, param, ok2 := strings.Cut(lhs, ".")
		if !ok || !ok2 {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid --set",
				Detail: fmt.Sprintf("%q: want STAGE.PARAM=VALUE, e.g. train.latent_dim=8.", s)})
			continue
		}
		n, found := p.byName[stage]
		if !found {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid --set",
				Detail: fmt.Sprintf("%q: no stage named %q.", s, stage)})
			continue
		}
		ps, found := n.Kind.Param(param)
		if !found {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid --set",
				Detail: fmt.Sprintf("%q: %s has no parameter %q; valid: %s.", s, n.Kind.Name, param, paramNames(n.Kind))})
			continue
		}
		v, err := parseSetValue(ps, val)
		if err == nil {
			err = n.set(ps, v, origin{set: s})
		}
		if err != nil {
			diags = append(diags, origin{set: s}.diag(param, err.Error()))
		}
	}
	return diags
}

// parseSetValue reads VALUE as an HCL expression; a string parameter also
// accepts bare text, so --set source.dir=/data/lily works unquoted.
func parseSetValue(ps ParamSpec, text string) (cty.Value, error) {
	expr, d := hclsyntax.ParseExpression([]byte(text), "--set", hcl.InitialPos)
	if !d.HasErrors() {
		if v, d := expr.Value(nil); !d.HasErrors() && (ps.Type != String || v.Type() == cty.String) {
			return v, nil
		}
	}
	if ps.Type == String {
		return cty.StringVal(text), nil
	}
	return cty.NilVal, fmt.Errorf("%q is not a literal %s", text, ps.Type)
}
