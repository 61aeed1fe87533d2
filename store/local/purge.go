package local

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

// DefaultRetention is how long the store keeps a request, break-glass
// event or session after its business life ends, as the DynamoDB store's
// time to live does (dynamodb.DefaultAuditRetention).
const DefaultRetention = 90 * 24 * time.Hour

// purgeInterval is how often Open purges: it reads the time of the last
// purge (one key) and does nothing else when that is more recent, so that
// opening the store stays free of writes on most commands.
const purgeInterval = 24 * time.Hour

// metaLastPurge keys, in the meta bucket, when the store was last purged.
var metaLastPurge = []byte("last_purge")

// Business ends, as the DynamoDB store computes its ttl attribute: an
// item is dropped once its end plus the retention has passed.

// requestEnd is the end of the access window of an approved request,
// else the latest of its expiry and its last change.
func requestEnd(r *request.Request) time.Time {
	return latestOf(r.ExpiresAt, r.UpdatedAt, r.DecidedAt, r.WindowEnd())
}

// eventEnd is an event's expiry, or its closing if that came later.
func eventEnd(e *breakglass.Event) time.Time { return latestOf(e.ExpiresAt, e.ClosedAt) }

// sessionEnd is a session's expiry, or its revocation if that came later.
func sessionEnd(s *session.Session) time.Time { return latestOf(s.ExpiresAt, s.RevokedAt) }

func latestOf(ts ...time.Time) time.Time {
	var max time.Time
	for _, t := range ts {
		if t.After(max) {
			max = t
		}
	}
	return max
}

// Purge drops the requests, break-glass events and sessions whose
// business life ended more than the retention (Options.Retention, else
// DefaultRetention) before now (Options.Now), with their index entries,
// in one transaction, and returns how many it dropped. An item that does
// not decode is left for the operations that read it to report.
func (s *Store) Purge(ctx context.Context) (int, error) {
	var n int
	err := s.run(ctx, true, func(tx *bolt.Tx) error {
		var err error
		n, err = s.purgeTx(tx)
		return err
	})
	return n, err
}

func (s *Store) purgeTx(tx *bolt.Tx) (int, error) {
	now := s.now()
	cutoff := now.Add(-s.retention())
	n1, err := purgeCollection(tx, requests, func(r *request.Request) bool { return requestEnd(r).Before(cutoff) })
	if err != nil {
		return 0, err
	}
	n2, err := purgeCollection(tx, events, func(e *breakglass.Event) bool { return eventEnd(e).Before(cutoff) })
	if err != nil {
		return 0, err
	}
	n3, err := purgeCollection(tx, sessions, func(se *session.Session) bool { return sessionEnd(se).Before(cutoff) })
	if err != nil {
		return 0, err
	}
	stamp, err := now.UTC().MarshalText()
	if err != nil {
		return 0, err
	}
	if err := tx.Bucket(bucketMeta).Put(metaLastPurge, stamp); err != nil {
		return 0, fmt.Errorf("record the purge: %w", err)
	}
	return n1 + n2 + n3, nil
}

// purgeDue reports whether the last purge is older than purgeInterval
// (or unknown, or in the future: a clock that went back).
func (s *Store) purgeDue(tx *bolt.Tx) bool {
	raw := tx.Bucket(bucketMeta).Get(metaLastPurge)
	var last time.Time
	if raw == nil || last.UnmarshalText(raw) != nil {
		return true
	}
	age := s.now().Sub(last)
	return age >= purgeInterval || age < 0
}

// purgeCollection removes the items of c that expired says are past
// their retention, with their index entries.
func purgeCollection[T any, S ~string](tx *bolt.Tx, c *collection[T, S], expired func(*T) bool) (int, error) {
	var doomed []*T
	err := tx.Bucket(c.items).ForEach(func(k, _ []byte) error {
		item, err := c.get(tx, string(k))
		if err != nil {
			return nil // left for the readers to report
		}
		if expired(item) {
			doomed = append(doomed, item)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, item := range doomed {
		if err := c.remove(tx, item); err != nil {
			return 0, err
		}
	}
	return len(doomed), nil
}

func (s *Store) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

func (s *Store) retention() time.Duration {
	if s.opts.Retention > 0 {
		return s.opts.Retention
	}
	return DefaultRetention
}

// purgeIfDue purges when the last purge is older than purgeInterval. It
// looks first in a read transaction, so that an open with nothing to do
// writes nothing.
func (s *Store) purgeIfDue(db *bolt.DB) error {
	due := false
	if err := db.View(func(tx *bolt.Tx) error { due = s.purgeDue(tx); return nil }); err != nil {
		return err
	}
	if !due {
		return nil
	}
	return db.Update(func(tx *bolt.Tx) error {
		if !s.purgeDue(tx) {
			return nil
		}
		_, err := s.purgeTx(tx)
		return err
	})
}

// PurgeIfDue purges when the last purge is older than a day, as Open
// does; a long-running process (sentinel serve) calls it now and then.
// It returns how many items it dropped.
func (s *Store) PurgeIfDue(ctx context.Context) (int, error) {
	due := false
	if err := s.run(ctx, false, func(tx *bolt.Tx) error { due = s.purgeDue(tx); return nil }); err != nil || !due {
		return 0, err
	}
	var n int
	err := s.run(ctx, true, func(tx *bolt.Tx) error {
		if !s.purgeDue(tx) {
			return nil
		}
		var err error
		n, err = s.purgeTx(tx)
		return err
	})
	return n, err
}
