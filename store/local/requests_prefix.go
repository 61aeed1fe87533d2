package local

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/request"
)

// IDsWithPrefix returns, sorted, at most limit request IDs starting with
// prefix. The requests bucket is keyed by ID, so a cursor seek is the
// ID-prefix index: no request is decoded.
func (rs *requestStore) IDsWithPrefix(ctx context.Context, prefix string, limit int) ([]string, error) {
	if len(prefix) < request.IndexedPrefixLen || limit <= 0 {
		return nil, fmt.Errorf("request IDs by prefix %q: %w: want at least %d characters and a positive limit", prefix, request.ErrInvalid, request.IndexedPrefixLen)
	}
	var ids []string
	err := rs.s.run(ctx, false, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRequests).Cursor()
		p := []byte(prefix)
		for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p) && len(ids) < limit; k, _ = c.Next() {
			ids = append(ids, string(k))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("request IDs by prefix: %w", err)
	}
	return ids, nil
}
