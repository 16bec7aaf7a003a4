package cli

import (
	"fmt"
	"io"
	"strings"

	"litho/dag"
)

// paramChange is one parameter that differs between the records two runs
// used for a stage.
type paramChange struct {
	Stage string
	dag.FieldDiff
}

// paramChanges lists the parameters that differ between the runs refA
// and refB name, when both are run~N REFs (nil otherwise), so a metrics
// diff says what caused it. It reads only the records of stages whose
// keys differ.
func (r *metricsResolver) paramChanges(refA, refB string) ([]paramChange, error) {
	la, lb := r.runs[refA], r.runs[refB]
	if la == nil || lb == nil {
		return nil, nil
	}
	p, err := r.project()
	if err != nil {
		return nil, err
	}
	var out []paramChange
	for _, stage := range sortedKeys(lb.Stages) {
		sa, ok := la.Stages[stage]
		if !ok || sa.Key == lb.Stages[stage].Key {
			continue
		}
		ra, okA, err := dag.LoadRecord(r.c.Context, p.Store, sa.Key, p.Log)
		if err != nil {
			return nil, err
		}
		rb, okB, err := dag.LoadRecord(r.c.Context, p.Store, lb.Stages[stage].Key, p.Log)
		if err != nil {
			return nil, err
		}
		if !okA || !okB {
			continue // collected by gc: nothing to compare
		}
		for _, d := range dag.Diff(ra.Fields, rb.Fields) {
			// An input digest differs whenever anything upstream changed;
			// the upstream parameter that caused it is listed in its own stage.
			if !strings.HasPrefix(d.Field, "inputs.") {
				out = append(out, paramChange{stage, d})
			}
		}
	}
	return out, nil
}

func writeParams(w io.Writer, params []paramChange) {
	if len(params) == 0 {
		return
	}
	fmt.Fprintln(w, "changed between A and B:")
	for _, pc := range params {
		fmt.Fprintf(w, "  %s.%-20s %s → %s\n", pc.Stage, pc.Field, pc.Was, pc.Now)
	}
}

func writeParamsMarkdown(w io.Writer, params []paramChange) {
	if len(params) == 0 {
		return
	}
	fmt.Fprintln(w, "\n| changed | A | B |\n|---|---|---|")
	for _, pc := range params {
		fmt.Fprintf(w, "| `%s.%s` | `%s` | `%s` |\n", pc.Stage, pc.Field, pc.Was, pc.Now)
	}
}
