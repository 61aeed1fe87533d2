package local

import (
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/request"
)

// requests is where requests live in the file.
var requests = newCollection(request.Kind, bucketRequests, map[string][]byte{
	request.IndexRequester: bucketRequestsByRequester,
	request.IndexProfile:   bucketRequestsByProfile,
	record.StatusIndex:     bucketRequestsByStatus,
})

// requestStore is the request.Store view of a Store: the generic store,
// and the ID-prefix index (requests_prefix.go).
type requestStore struct {
	*record.Generic[request.Request, request.Status]
	s *Store
}
