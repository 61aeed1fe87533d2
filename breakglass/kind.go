package breakglass

import (
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// machine is the status machine, apart from Kind so that validateStored
// can use it.
var machine = record.Machine[Status]{
	Moves: map[Status][]Status{
		StatusActive:  {StatusClosed, StatusExpired},
		StatusClosed:  nil,
		StatusExpired: nil,
	},
	Lapses: map[Status]Status{StatusActive: StatusExpired},
}

// errs are the event's own error values, apart from Kind so that the
// checks Kind refers to can wrap with them.
var errs = record.Errors{NotFound: ErrNotFound, Conflict: ErrConflict, Invalid: ErrInvalid, Transition: ErrTransition}

// Kind declares break-glass events to the generic record store.
var Kind = &record.Kind[Event, Status]{
	Name:    "break-glass event",
	Machine: machine,
	Errors:  errs,
	ID:      func(e *Event) string { return e.ID },
	Status:  func(e *Event) Status { return e.Status },
	Version: func(e *Event) *int64 { return &e.Version },
	Created: func(e *Event) time.Time { return e.OpenedAt },
	Due:     func(e *Event, now time.Time) bool { return !now.Before(e.ExpiresAt) },
	End: func(e *Event) time.Time {
		if e.ClosedAt.After(e.ExpiresAt) {
			return e.ClosedAt
		}
		return e.ExpiresAt
	},
	Validate:  func(e *Event) error { return errs.Wrap(validateStored(e)) },
	Normalize: normalize,
	Indexes: []record.Index[Event]{
		{Name: IndexInvoker, Key: func(e *Event) string { return e.Invoker }},
		{Name: IndexProfile, Key: func(e *Event) string { return e.Profile }},
		{Name: record.StatusIndex, Key: func(e *Event) string { return string(e.Status) }},
	},
}

// The names of the indexes events are listed by.
const (
	IndexInvoker = "invoker"
	IndexProfile = "profile"
)

// NewID returns a fresh random event ID (see record.NewID).
func NewID() (string, error) { return record.NewID() }

// ValidID reports whether s has the shape NewID produces.
func ValidID(s string) bool { return record.ValidID(s) }

// Record turns q into the generic query, with now as the present for
// effective statuses.
func (q Query) Record(now time.Time) record.Query[Status] {
	where := record.Matches(IndexInvoker, q.Invoker, IndexProfile, q.Profile)
	return record.Query[Status]{Where: where, Status: q.Status, At: now, Limit: q.Limit}
}

// validateStored checks what a store needs to key and act on an event:
// its ID, invoker, profile and a known status (see request's for why it is
// lighter than New).
func validateStored(e *Event) error {
	switch {
	case e == nil:
		return record.Invalidf("no break-glass event")
	case e.ID == "" || e.Invoker == "" || e.Profile == "":
		return record.Invalidf("break-glass event %s needs an id, an invoker and a profile", e.ID)
	case !machine.Known(e.Status):
		return record.Invalidf("break-glass event %s has unknown status %q", e.ID, e.Status)
	case e.Version < 0:
		return record.Invalidf("break-glass event %s has negative version %d", e.ID, e.Version)
	}
	return nil
}

// normalize returns the copy of e to store, times in UTC.
func normalize(e *Event) *Event {
	c := *e
	for _, t := range []*time.Time{&c.OpenedAt, &c.ExpiresAt, &c.ClosedAt} {
		*t = t.UTC()
	}
	return &c
}
