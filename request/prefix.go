package request

import "context"

// IndexedPrefixLen is how many leading characters of an ID the ID-prefix
// index is keyed by: the shortest prefix a person may type.
const IndexedPrefixLen = 6

// IDPrefixIndex is implemented by a Store that can find requests by the
// start of their ID, whoever filed them and whatever their status, without
// reading every request. Resolving a typed prefix uses it when the
// caller's own and the pending requests have no match.
type IDPrefixIndex interface {
	// IDsWithPrefix returns, sorted, at most limit IDs starting with
	// prefix, which has at least IndexedPrefixLen characters.
	IDsWithPrefix(ctx context.Context, prefix string, limit int) ([]string, error)
}

// IDPrefixKey is the key of id in the ID-prefix index: its first
// IndexedPrefixLen characters.
func IDPrefixKey(id string) string {
	if len(id) < IndexedPrefixLen {
		return id
	}
	return id[:IndexedPrefixLen]
}
