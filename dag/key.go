package dag

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"

	"litho/artifacts"
)

// KeyFields are the labelled ingredients of a stage run's key: the kind,
// its implementation version, the decoded parameters (presentation
// parameters excluded) and the digests of the inputs. Everything that can
// change a result is here; nothing else is.
type KeyFields struct {
	Kind      string                      `json:"kind"`
	Version   string                      `json:"version"`
	Params    map[string]any              `json:"params"`
	Inputs    map[string]artifacts.Digest `json:"inputs"`
	Partition string                      `json:"partition,omitempty"`
}

// Key is the SHA-256 of the fields' canonical encoding. encoding/json
// sorts map keys and prints numbers in a fixed shortest form, so equal
// decoded values give equal bytes whatever the HCL text looked like.
func (f KeyFields) Key() string {
	return hashJSON("litho.key.v1", f)
}

// hashJSON is the SHA-256 of a domain line, then v's canonical JSON.
func hashJSON(domain string, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("dag: %s value does not encode: %v", domain, err)) // params are plain values
	}
	h := sha256.New()
	h.Write([]byte(domain + "\n"))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// keyParams keeps the parameters that belong in the key, by name, in
// their canonical types: a map, so the JSON is sorted by name and does not
// depend on the order or Go types of the struct's fields. A partition's
// key leaves dimension parameters out (its name says which partition it
// is); a stage's key leaves them out at their default.
func keyParams(n *Node, partition bool) map[string]any {
	out := map[string]any{}
	for _, ps := range n.Kind.specs {
		v := ps.get(n.Params)
		switch {
		case ps.Presentation:
		case ps.Dimension && (partition || reflect.DeepEqual(v, ps.Default)):
		default:
			out[ps.Name] = v
		}
	}
	return out
}

// Fields computes the key fields of n given its inputs' outputs.
func Fields(n *Node, inputs map[string]OutputRecord) KeyFields {
	f := KeyFields{Kind: n.Kind.Name, Version: n.Kind.Version, Params: keyParams(n, false), Inputs: map[string]artifacts.Digest{}}
	for slot, o := range inputs {
		f.Inputs[slot] = o.Digest
	}
	return f
}

// PartitionFields are the key fields of partition part of a mapped stage:
// its mapped inputs contribute what they hold for that partition (see
// PartOf), the others their whole digest.
func PartitionFields(n *Node, inputs map[string]OutputRecord, part string) KeyFields {
	f := KeyFields{Kind: n.Kind.Name, Version: n.Kind.Version, Params: keyParams(n, true),
		Inputs: map[string]artifacts.Digest{}, Partition: part}
	for slot, o := range inputs {
		if spec, _ := n.Kind.Input(slot); !spec.Map {
			f.Inputs[slot] = o.Digest
		} else {
			// "" when this partition is missing: the stage sees a
			// connected input without it, not an unconnected one, and
			// must not share a key with a stage that lacks the input.
			f.Inputs[slot] = PartOf(o, part)
		}
	}
	return f
}

// FieldDiff is one difference between two sets of key fields.
type FieldDiff struct {
	Field string `json:"field"` // e.g. "params.latent_dim", "inputs.train", "version"
	Was   string `json:"was"`
	Now   string `json:"now"`
}

// Diff lists field by field how now differs from was.
func Diff(was, now KeyFields) []FieldDiff {
	var out []FieldDiff
	add := func(field string, a, b any) {
		sa, sb := show(a), show(b)
		if sa != sb {
			out = append(out, FieldDiff{Field: field, Was: sa, Now: sb})
		}
	}
	add("kind", was.Kind, now.Kind)
	add("version", was.Version, now.Version)
	for _, k := range unionKeys(was.Params, now.Params) {
		add("params."+k, was.Params[k], now.Params[k])
	}
	for _, k := range unionKeys(was.Inputs, now.Inputs) {
		add("inputs."+k, was.Inputs[k], now.Inputs[k])
	}
	add("partition", was.Partition, now.Partition)
	return out
}

func show(v any) string {
	if v == nil {
		return "(none)"
	}
	if d, ok := v.(artifacts.Digest); ok {
		if d == "" {
			return "(none)"
		}
		return d.Short()
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func unionKeys[V any](a, b map[string]V) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Digest identifies the pipeline's definition: the SHA-256 of a canonical
// encoding of every stage's name, kind, decoded parameters (as its key
// holds them: defaults filled in, --set and --data applied, presentation
// parameters left out) and wiring. Comments, layout and order in the file
// do not change it, nor do the store block and the gates, which change no
// result, nor the kinds' implementation versions, which the records name.
func (p *Pipeline) Digest() string {
	type stage struct {
		Kind   string            `json:"kind"`
		Params map[string]any    `json:"params"`
		Inputs map[string]string `json:"inputs"`
	}
	def := map[string]stage{}
	for _, n := range p.Nodes {
		s := stage{Kind: n.Kind.Name, Params: keyParams(n, false), Inputs: map[string]string{}}
		for slot, ref := range n.Inputs {
			s.Inputs[slot] = ref.String()
		}
		def[n.Name] = s
	}
	return hashJSON("litho.pipeline.v1", def)
}
