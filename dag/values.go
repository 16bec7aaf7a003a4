package dag

import (
	"fmt"
	"math"
	"math/big"

	"github.com/zclconf/go-cty/cty"
)

// toGo converts a literal HCL value to the Go type of t.
func toGo(v cty.Value, t ParamType) (any, error) {
	if v.IsNull() || !v.IsKnown() {
		return nil, fmt.Errorf("must be %s, not null", article(t))
	}
	switch t {
	case Int, Float:
		if v.Type() != cty.Number {
			return nil, fmt.Errorf("must be %s, got %s", article(t), v.Type().FriendlyName())
		}
		bf := v.AsBigFloat()
		if t == Float {
			f, _ := bf.Float64()
			if math.IsInf(f, 0) {
				return nil, fmt.Errorf("%s is out of range", bf.Text('g', 6))
			}
			return f, nil
		}
		if !bf.IsInt() {
			return nil, fmt.Errorf("must be a whole number, got %s", bf.Text('g', -1))
		}
		i, acc := bf.Int64()
		if acc != big.Exact {
			return nil, fmt.Errorf("%s is out of range", bf.Text('g', -1))
		}
		return i, nil
	case String:
		if v.Type() != cty.String {
			return nil, fmt.Errorf("must be a string, got %s", v.Type().FriendlyName())
		}
		return v.AsString(), nil
	case Bool:
		if v.Type() != cty.Bool {
			return nil, fmt.Errorf("must be a bool, got %s", v.Type().FriendlyName())
		}
		return v.True(), nil
	}
	elem := map[ParamType]ParamType{Ints: Int, Floats: Float, Strings: String}[t]
	if !v.Type().IsTupleType() && !v.Type().IsListType() {
		return nil, fmt.Errorf("must be %s, got %s", article(t), v.Type().FriendlyName())
	}
	var ints []int64
	var floats []float64
	var strs []string
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		g, err := toGo(ev, elem)
		if err != nil {
			return nil, fmt.Errorf("must be %s: element %s", article(t), err)
		}
		switch x := g.(type) {
		case int64:
			ints = append(ints, x)
		case float64:
			floats = append(floats, x)
		case string:
			strs = append(strs, x)
		}
	}
	switch t {
	case Ints:
		return nonNil(ints), nil
	case Floats:
		return nonNil(floats), nil
	}
	return nonNil(strs), nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func article(t ParamType) string {
	if t == Int {
		return "an int"
	}
	return "a " + t.String()
}
