package local

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/record"
)

// events is where break-glass events live in the file. An event that
// leaves active releases its lock in the transaction that records it.
var events = func() *collection[breakglass.Event, breakglass.Status] {
	c := newCollection(breakglass.Kind, bucketEvents, map[string][]byte{
		breakglass.IndexInvoker: bucketEventsByInvoker,
		breakglass.IndexProfile: bucketEventsByProfile,
		record.StatusIndex:      bucketEventsByStatus,
	})
	c.replacing = func(tx *bolt.Tx, old, e *breakglass.Event) error {
		if old.Status == breakglass.StatusActive && e.Status != breakglass.StatusActive {
			return releaseLock(tx, old)
		}
		return nil
	}
	return c
}()

// breakglassStore is the breakglass.Store view of a Store: the generic
// store without its Create, and Open.
type breakglassStore struct {
	record.Reader[breakglass.Event, breakglass.Status]
	s *Store
}

// lock is the value in the locks bucket: which event holds the invoker's
// lock on the profile, and until when. The event record stays the authority;
// ExpiresAt is kept so the file can be read by eye.
type lock struct {
	EventID   string    `json:"event_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Open stores a new active event and takes its person's lock on its
// LimitKey, in one transaction, after checking lim against the person's
// history read in that same transaction (bbolt runs one writer at a time,
// so no other open can slip in between the check and the write). An
// existing lock blocks it only while its event is stored as active and
// expires after e.OpenedAt.
func (bs *breakglassStore) Open(ctx context.Context, e *breakglass.Event, lim breakglass.Limits) error {
	if e == nil {
		return fmt.Errorf("open break-glass event: %w: no event given", breakglass.ErrInvalid)
	}
	if err := breakglass.Kind.Validate(e); err != nil {
		return breakglass.Kind.Errors.Wrap(err)
	}
	if e.Status != breakglass.StatusActive {
		return fmt.Errorf("open break-glass event %s: %w: a new event must be active, not %s", e.ID, breakglass.ErrInvalid, e.Status)
	}
	item := breakglass.Kind.Normalize(e)
	err := bs.s.run(ctx, true, func(tx *bolt.Tx) error {
		if events.exists(tx, e.ID) {
			return fmt.Errorf("%w: event %s already exists", breakglass.ErrConflict, e.ID)
		}
		key := personLockKey(e)
		if holder, err := lockHolder(tx, key); err != nil {
			return err
		} else if holder != nil && holder.Status == breakglass.StatusActive && holder.ExpiresAt.After(item.OpenedAt) {
			return &breakglass.LimitError{Err: breakglass.ErrActiveExists, Next: holder.ExpiresAt,
				Detail: fmt.Sprintf("event %s is active until %s", holder.ID, holder.ExpiresAt.UTC().Format(time.RFC3339))}
		}
		history, err := personHistory(tx, e.PersonKey())
		if err != nil {
			return err
		}
		if err := breakglass.CheckLimits(history, e.PersonKey(), e.LimitKey(), item.OpenedAt, lim); err != nil {
			return err
		}
		raw, err := json.Marshal(lock{EventID: e.ID, ExpiresAt: item.ExpiresAt})
		if err != nil {
			return fmt.Errorf("encode lock: %w", err)
		}
		if err := tx.Bucket(bucketLocks).Put(key, raw); err != nil {
			return fmt.Errorf("write lock: %w", err)
		}
		return events.put(tx, nil, item)
	})
	if err != nil {
		return fmt.Errorf("open break-glass event %s: %w", e.ID, err)
	}
	return nil
}

// lockHolder returns the event that holds the lock under key, or nil if
// there is no lock or its event is gone.
func lockHolder(tx *bolt.Tx, key []byte) (*breakglass.Event, error) {
	raw := tx.Bucket(bucketLocks).Get(key)
	if raw == nil {
		return nil, nil
	}
	var l lock
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, fmt.Errorf("%w: decode lock: %v", ErrCorrupt, err)
	}
	if !events.exists(tx, l.EventID) {
		return nil, nil
	}
	return events.get(tx, l.EventID)
}

// releaseLock deletes the lock on e's person and LimitKey (or, for an event
// opened by an older version, on its invoker's name) if e holds it. A newer
// event may hold it instead (e expired and another was opened); that lock
// must stay.
func releaseLock(tx *bolt.Tx, e *breakglass.Event) error {
	for _, key := range [][]byte{personLockKey(e), legacyLockKey(e)} {
		if err := releaseLockAt(tx, key, e); err != nil {
			return err
		}
	}
	return nil
}

// releaseLockAt deletes the lock under key if e holds it.
func releaseLockAt(tx *bolt.Tx, key []byte, e *breakglass.Event) error {
	raw := tx.Bucket(bucketLocks).Get(key)
	if raw == nil {
		return nil
	}
	var l lock
	if err := json.Unmarshal(raw, &l); err != nil {
		return fmt.Errorf("%w: decode lock: %v", ErrCorrupt, err)
	}
	if l.EventID != e.ID {
		return nil
	}
	if err := tx.Bucket(bucketLocks).Delete(key); err != nil {
		return fmt.Errorf("release lock: %w", err)
	}
	return nil
}
