package local

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/breakglass"
)

// breakglassStore is the breakglass.Store view of a Store.
type breakglassStore struct{ s *Store }

var (
	eventsByInvoker = index[breakglass.Event]{bucketEventsByInvoker, func(e *breakglass.Event) string { return e.Invoker }}
	eventsByProfile = index[breakglass.Event]{bucketEventsByProfile, func(e *breakglass.Event) string { return e.Profile }}
	eventsByStatus  = index[breakglass.Event]{bucketEventsByStatus, func(e *breakglass.Event) string { return string(e.Status) }}

	events = &collection[breakglass.Event]{
		what:     "break-glass event",
		items:    bucketEvents,
		indexes:  []index[breakglass.Event]{eventsByInvoker, eventsByProfile, eventsByStatus},
		id:       func(e *breakglass.Event) string { return e.ID },
		sortTime: func(e *breakglass.Event) time.Time { return e.OpenedAt },
		notFound: breakglass.ErrNotFound,
	}
)

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
	if err := checkEvent(e); err != nil {
		return err
	}
	if e.Status != breakglass.StatusActive {
		return fmt.Errorf("open break-glass event %s: %w: a new event must be active, not %s", e.ID, breakglass.ErrInvalid, e.Status)
	}
	item := storedEvent(e)
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

// Get returns the event with the given ID, or breakglass.ErrNotFound.
func (bs *breakglassStore) Get(ctx context.Context, id string) (*breakglass.Event, error) {
	var e *breakglass.Event
	err := bs.s.run(ctx, false, func(tx *bolt.Tx) error {
		var err error
		e, err = events.get(tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get break-glass event: %w", err)
	}
	return e, nil
}

// Update stores e if the stored copy still has e.Version and prevStatus, and
// then bumps e.Version. When e leaves active, the lock it holds is released
// in the same transaction.
func (bs *breakglassStore) Update(ctx context.Context, e *breakglass.Event, prevStatus breakglass.Status) error {
	if err := checkEvent(e); err != nil {
		return err
	}
	if prevStatus != breakglass.StatusActive && e.Status == breakglass.StatusActive {
		// Reactivating would bypass the lock that keeps one active event
		// per user and profile.
		return fmt.Errorf("update break-glass event %s: %w: an event cannot become active again", e.ID, breakglass.ErrTransition)
	}
	item := storedEvent(e)
	item.Version = e.Version + 1
	err := bs.s.run(ctx, true, func(tx *bolt.Tx) error {
		old, err := events.get(tx, e.ID)
		if err != nil {
			return err
		}
		if old.Version != e.Version || old.Status != prevStatus {
			return fmt.Errorf("%w: event %s is now %s at version %d (expected %s at version %d)",
				breakglass.ErrConflict, e.ID, old.Status, old.Version, prevStatus, e.Version)
		}
		if old.Status == breakglass.StatusActive && item.Status != breakglass.StatusActive {
			if err := releaseLock(tx, old); err != nil {
				return err
			}
		}
		return events.put(tx, old, item)
	})
	if err != nil {
		return fmt.Errorf("update break-glass event %s: %w", e.ID, err)
	}
	e.Version = item.Version
	return nil
}

// List returns the events matching q, newest first, served by the index of
// the most selective key that is set.
func (bs *breakglassStore) List(ctx context.Context, q breakglass.Query) ([]*breakglass.Event, error) {
	if q.Limit < 0 {
		return nil, fmt.Errorf("list break-glass events: %w: negative limit %d", breakglass.ErrInvalid, q.Limit)
	}
	var (
		ix    index[breakglass.Event]
		value string
	)
	switch {
	case q.Invoker != "":
		ix, value = eventsByInvoker, q.Invoker
	case q.Profile != "":
		ix, value = eventsByProfile, q.Profile
	case q.Status != "":
		ix, value = eventsByStatus, string(q.Status)
	default:
		return nil, fmt.Errorf("list break-glass events: %w: give an invoker, a profile or a status", breakglass.ErrInvalid)
	}
	keep := func(e *breakglass.Event) bool {
		return (q.Invoker == "" || e.Invoker == q.Invoker) &&
			(q.Profile == "" || e.Profile == q.Profile) &&
			(q.Status == "" || e.Status == q.Status)
	}
	var out []*breakglass.Event
	err := bs.s.run(ctx, false, func(tx *bolt.Tx) error {
		var err error
		out, err = events.list(tx, ix, value, keep, q.Limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list break-glass events: %w", err)
	}
	return out, nil
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

// checkEvent refuses an event the store cannot key.
func checkEvent(e *breakglass.Event) error {
	switch {
	case e == nil:
		return fmt.Errorf("%w: nil event", breakglass.ErrInvalid)
	case e.ID == "" || e.Invoker == "" || e.Profile == "" || e.Status == "":
		return fmt.Errorf("%w: event needs an id, an invoker, a profile and a status to be stored", breakglass.ErrInvalid)
	}
	return nil
}

// storedEvent returns the copy of e to write, with times in UTC.
func storedEvent(e *breakglass.Event) *breakglass.Event {
	c := *e
	c.OpenedAt = c.OpenedAt.UTC()
	c.ExpiresAt = c.ExpiresAt.UTC()
	c.ClosedAt = c.ClosedAt.UTC()
	return &c
}
