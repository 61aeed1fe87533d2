package dynamodb

import (
	"testing"

	"github.com/sentinel-cli/sentinel/revocation"
	"github.com/sentinel-cli/sentinel/store/storetest"
)

// TestRevocationStoreContract runs the revocation.Store contract on the
// revocations table that InitTables creates.
func TestRevocationStoreContract(t *testing.T) {
	s := newInitializedStore(t, nil)
	storetest.TestRevocationStore(t, func(*testing.T) revocation.Store { return s.Revocations() })
}
