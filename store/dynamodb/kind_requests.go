package dynamodb

import (
	"context"

	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/request"
)

// requestsOnBackend is request.Store on the requests table: the generic
// store over the one backend, and the ID-prefix lookup, which is the
// requests' own.
type requestsOnBackend struct {
	*record.Generic[request.Request, request.Status]
	b *backend[request.Request, request.Status]
}

// newRequestStore declares requests to the backend: their table, the GSI
// of each index and their codec.
func newRequestStore(s *Store) *requestsOnBackend {
	b := &backend[request.Request, request.Status]{
		s: s, kind: request.Kind, table: s.requestsTable, codec: requestCodec,
		gsi: map[string]index{
			request.IndexRequester: requestsByRequester,
			request.IndexProfile:   requestsByProfile,
			record.StatusIndex:     requestsByStatus,
		},
	}
	return &requestsOnBackend{Generic: record.NewStore(request.Kind, b), b: b}
}

// IDsWithPrefix returns, sorted, at most limit request IDs starting with
// prefix, from the ID-prefix index (see requestStore.IDsWithPrefix).
func (rs *requestsOnBackend) IDsWithPrefix(ctx context.Context, prefix string, limit int) ([]string, error) {
	return (&requestStore{s: rs.b.s}).IDsWithPrefix(ctx, prefix, limit)
}
