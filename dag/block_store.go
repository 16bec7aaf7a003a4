package dag

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

func decodeStore(b *hcl.Block, sc *StoreConfig) hcl.Diagnostics {
	attrs, diags := b.Body.JustAttributes()
	for name, a := range attrs {
		v, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		switch name {
		case "path", "remote", "endpoint":
			s, err := toGo(v, String)
			if err != nil {
				diags = append(diags, errAt(a.Expr.Range(), "Invalid store setting", fmt.Sprintf("%s %s.", name, err)))
				continue
			}
			if name != "path" && strings.Contains(s.(string), "@") {
				// The value is not quoted back: it holds a credential.
				diags = append(diags, errAt(a.Expr.Range(), "Credentials in the store block",
					name+" must not contain user:secret@; credentials come from the AWS environment variables or shared credentials file, never from the pipeline."))
				continue
			}
			*map[string]*string{"path": &sc.Path, "remote": &sc.Remote, "endpoint": &sc.Endpoint}[name] = s.(string)
		case "insecure":
			bv, err := toGo(v, Bool)
			if err != nil {
				diags = append(diags, errAt(a.Expr.Range(), "Invalid store setting", "insecure "+err.Error()+"."))
				continue
			}
			sc.Insecure = bv.(bool)
		default:
			diags = append(diags, errAt(a.NameRange, "Unknown store setting",
				fmt.Sprintf("%q is not a store setting; valid: path, remote, endpoint, insecure. Credentials come from the AWS environment variables or shared credentials file, never from the pipeline.", name)))
		}
	}
	return diags
}
