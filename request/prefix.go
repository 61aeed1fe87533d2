package request

import (
	"context"

	"github.com/sentinel-cli/sentinel/record"
)

// IndexedPrefixLen is how many leading characters of an ID the ID-prefix
// index is keyed by (see record.IndexedPrefixLen).
const IndexedPrefixLen = record.IndexedPrefixLen

// IDPrefixIndex is implemented by a Store that can find requests by the
// start of their ID, whoever filed them and whatever their status, without
// reading every request. Resolving a typed prefix uses it when the
// caller's own and the pending requests have no match.
type IDPrefixIndex interface {
	// IDsWithPrefix returns, sorted, at most limit IDs starting with
	// prefix, which has at least IndexedPrefixLen characters.
	IDsWithPrefix(ctx context.Context, prefix string, limit int) ([]string, error)
}
