package local

import (
	"testing"

	"github.com/sentinel-cli/sentinel/revocation"
	"github.com/sentinel-cli/sentinel/store/storetest"
)

// TestRevocationContract runs the revocation.Store contract on the file,
// held open and opened per operation.
func TestRevocationContract(t *testing.T) {
	for name, opts := range map[string]Options{"HeldOpen": {}, "PerOperation": {PerOperation: true}} {
		t.Run(name, func(t *testing.T) {
			s := openTemp(t, opts)
			storetest.TestRevocationStore(t, func(*testing.T) revocation.Store { return s.Revocations() })
		})
	}
}
