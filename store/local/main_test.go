package local

import (
	"os"
	"testing"
)

// TestMain runs the package's tests and benchmarks, then removes the
// stores the listing benchmarks seeded once for the whole binary.
func TestMain(m *testing.M) {
	code := m.Run()
	dropSeededStores()
	os.Exit(code)
}
