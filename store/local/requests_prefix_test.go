package local

import (
	"testing"

	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/store/storetest"
)

// TestRequestIDPrefixIndexContract: the requests bucket, keyed by ID, is
// the embedded store's ID-prefix index.
func TestRequestIDPrefixIndexContract(t *testing.T) {
	s := openTemp(t, Options{})
	storetest.TestRequestIDPrefixIndex(t, func(*testing.T) request.Store { return s.Requests() })
}
