package evaluate

import "testing"

func TestLithologyColoursDistinctFromOther(t *testing.T) {
	seen := map[any]int{}
	for l := range colourLiths {
		c := lithColour(l)
		if c == palette20[9] || c == otherColour {
			t.Errorf("lithology %d is drawn grey, like \"other\"", l)
		}
		if prev, ok := seen[c]; ok {
			t.Errorf("lithologies %d and %d share a colour", prev, l)
		}
		seen[c] = l
	}
	if lithColour(colourLiths) != otherColour {
		t.Error("the eleventh lithology is not \"other\"")
	}
}
