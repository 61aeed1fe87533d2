package dynamodb

import (
	"testing"

	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/store/storetest"
)

// TestRequestIDPrefixIndexContract: the id-prefix index finds anyone's
// request by the start of its ID, with one Query and no Scan.
func TestRequestIDPrefixIndexContract(t *testing.T) {
	rec := &callRecorder{}
	s := newInitializedStore(t, func(o *Options) { o.apiOptions = append(o.apiOptions, rec.middleware()) })
	storetest.TestRequestIDPrefixIndex(t, func(t *testing.T) request.Store { return s.Requests() })
	rec.check(t, "PutItem", "GetItem", "Query")
	if rec.operations["Scan"] != 0 {
		t.Errorf("the prefix lookup scanned the table")
	}
}
