package breakglass

import (
	"cmp"
	"fmt"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// The methods in this file move an event through its state machine:
//
//	active -> closed | expired
//
// Each one either applies the whole change or returns an error and leaves
// the event untouched. Persisting the change is the caller's job, through
// Store.Change; that write also releases the per-user-and-profile lock.

// Close ends an active, unexpired event early. by names who closed it and
// reason (1-1000 characters) says why; both are kept for the audit trail.
func (e *Event) Close(by, reason string, now time.Time) error {
	reason, err := record.Text("close reason", reason, 1, MaxCloseReason)
	if err = cmp.Or(record.Name("closed by", by, record.MaxName), err, machine.Guard(Kind.Name, e.ID, "close", e.Status, StatusClosed)); err != nil {
		return errs.Wrap(err)
	}
	if !now.Before(e.ExpiresAt) {
		return errs.Wrap(fmt.Errorf("%w: cannot close break-glass event %s: it expired at %s", record.ErrTransition, e.ID, e.ExpiresAt.Format(time.RFC3339)))
	}
	e.Status = StatusClosed
	e.ClosedAt = now.UTC()
	e.ClosedBy = by
	e.CloseReason = reason
	return nil
}

// Expire marks an active event whose ExpiresAt has passed as expired. It is
// an error to expire an event that is not active or not yet due.
func (e *Event) Expire(now time.Time) error {
	if err := machine.Guard(Kind.Name, e.ID, "expire", e.Status, StatusExpired); err != nil {
		return errs.Wrap(err)
	}
	if now.Before(e.ExpiresAt) {
		return errs.Wrap(fmt.Errorf("%w: cannot expire break-glass event %s before %s", record.ErrTransition, e.ID, e.ExpiresAt.Format(time.RFC3339)))
	}
	e.Status = StatusExpired
	return nil
}

// EffectiveStatus is the status a reader should act on at now: an active
// event past ExpiresAt reads as expired even before anyone stores it
// (Kind.Effective).
func (e *Event) EffectiveStatus(now time.Time) Status { return Kind.Effective(e, now) }

// ActiveAt reports whether the event grants access at now.
func (e *Event) ActiveAt(now time.Time) bool {
	return e.Status == StatusActive && now.Before(e.ExpiresAt)
}

// Remaining is how much access time is left at now; zero when the event is
// not active.
func (e *Event) Remaining(now time.Time) time.Duration {
	if !e.ActiveAt(now) {
		return 0
	}
	return e.ExpiresAt.Sub(now)
}

// EndedAt is when the event stopped granting access, as seen at now: the
// close time of a closed event, ExpiresAt for an expired one (stored or
// effective). ok is false while the event is still active.
func (e *Event) EndedAt(now time.Time) (end time.Time, ok bool) {
	switch e.EffectiveStatus(now) {
	case StatusClosed:
		return e.ClosedAt, true
	case StatusExpired:
		return e.ExpiresAt, true
	}
	return time.Time{}, false
}
