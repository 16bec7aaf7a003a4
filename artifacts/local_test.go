package artifacts_test

import (
	"testing"

	"litho/artifacts"
	"litho/artifacts/storetest"
)

func TestLocalConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) artifacts.Backend { return storetest.Local(t) })
}
