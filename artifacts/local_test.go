package artifacts_test

import (
	"testing"

	"litho/artifacts"
	"litho/artifacts/storetest"
)

func TestLocalConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) artifacts.Backend {
		l, err := artifacts.OpenLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return l
	})
}
