package local

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/revocation"
)

// Bucket names of the revocation list; part of the file format.
var (
	bucketRevocations         = []byte("revocations")
	bucketRevocationsByStatus = []byte("revocations_by_status")
	bucketRevocationsByTarget = []byte("revocations_by_target")
	// bucketRevocationState holds the list version (key revocationVersionKey)
	// and one lease per role (keyed by keyPart of revocation.LeaseKey).
	bucketRevocationState = []byte("revocation_state")
)

// revocationVersionKey is the list version's key in bucketRevocationState;
// a lease key starts with a length byte, so it can never be this.
var revocationVersionKey = []byte("version")

// revocations is where the revocation list lives in the file. Every entry
// write bumps the list version in the same transaction.
var revocations = func() *collection[revocation.Entry, revocation.Status] {
	c := newCollection(revocation.Kind, bucketRevocations, map[string][]byte{
		record.StatusIndex:     bucketRevocationsByStatus,
		revocation.IndexTarget: bucketRevocationsByTarget,
	})
	c.inserting = func(tx *bolt.Tx, _ *revocation.Entry) error { return bumpRevocationVersion(tx) }
	c.replacing = func(tx *bolt.Tx, _, _ *revocation.Entry) error { return bumpRevocationVersion(tx) }
	return c
}()

// bumpRevocationVersion adds one to the list version.
func bumpRevocationVersion(tx *bolt.Tx) error {
	b := tx.Bucket(bucketRevocationState)
	n, err := readRevocationVersion(b)
	if err != nil {
		return err
	}
	return b.Put(revocationVersionKey, binary.BigEndian.AppendUint64(nil, uint64(n+1)))
}

// readRevocationVersion reads the list version; none stored is 0.
func readRevocationVersion(b *bolt.Bucket) (int64, error) {
	raw := b.Get(revocationVersionKey)
	if raw == nil {
		return 0, nil
	}
	if len(raw) != 8 {
		return 0, fmt.Errorf("%w: revocation list version of %d bytes", ErrCorrupt, len(raw))
	}
	return int64(binary.BigEndian.Uint64(raw)), nil
}

// lease is a role's lease as stored.
type lease struct {
	Holder string    `json:"holder"`
	Until  time.Time `json:"until"`
}

// revocationStore is the revocation.Store view of a Store.
type revocationStore struct {
	*record.Generic[revocation.Entry, revocation.Status]
	s *Store
}

// Revocations returns the store's view as a revocation.Store. The embedded
// store keeps the list for one machine; revocation in AWS needs the
// DynamoDB store, which is shared, and refuses this one (see cli).
func (s *Store) Revocations() revocation.Store {
	return &revocationStore{Generic: newStore(s, revocations), s: s}
}

// TakeLease takes role's lease for holder unless another holder's is
// unexpired at now.
func (rs *revocationStore) TakeLease(ctx context.Context, role, holder string, now, until time.Time) error {
	if role == "" || holder == "" || !until.After(now) {
		return record.Invalidf("take revocation lease: want a role, a holder and a later end")
	}
	key := keyPart(revocation.LeaseKey(role))
	return rs.s.run(ctx, true, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRevocationState)
		if raw := b.Get(key); raw != nil {
			var cur lease
			if err := json.Unmarshal(raw, &cur); err != nil {
				return fmt.Errorf("%w: revocation lease of %s: %v", ErrCorrupt, role, err)
			}
			if cur.Holder != holder && now.Before(cur.Until) {
				return fmt.Errorf("lease of %s: %w until %s", role, revocation.ErrLeaseHeld, cur.Until.UTC().Format(time.RFC3339))
			}
		}
		raw, err := json.Marshal(lease{Holder: holder, Until: until.UTC()})
		if err != nil {
			return err
		}
		return b.Put(key, raw)
	})
}

// ReleaseLease deletes role's lease if holder holds it.
func (rs *revocationStore) ReleaseLease(ctx context.Context, role, holder string) error {
	key := keyPart(revocation.LeaseKey(role))
	return rs.s.run(ctx, true, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRevocationState)
		raw := b.Get(key)
		if raw == nil {
			return nil
		}
		var cur lease
		if err := json.Unmarshal(raw, &cur); err != nil || cur.Holder != holder {
			return nil
		}
		return b.Delete(key)
	})
}

// ListVersion returns the list version.
func (rs *revocationStore) ListVersion(ctx context.Context) (int64, error) {
	var n int64
	err := rs.s.run(ctx, false, func(tx *bolt.Tx) error {
		var err error
		n, err = readRevocationVersion(tx.Bucket(bucketRevocationState))
		return err
	})
	return n, err
}
