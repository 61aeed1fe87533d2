package request

import (
	"slices"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// machine is the status machine, apart from Kind so that validateStored
// can use it.
var machine = record.Machine[Status]{
	Moves: map[Status][]Status{
		StatusPending:   {StatusApproved, StatusDenied, StatusCancelled, StatusExpired},
		StatusApproved:  {StatusRevoked},
		StatusDenied:    nil,
		StatusCancelled: nil,
		StatusExpired:   nil,
		StatusRevoked:   nil,
	},
	Lapses: map[Status]Status{StatusPending: StatusExpired},
}

// errs are the request's own error values, apart from Kind so that the
// checks Kind refers to can wrap with them.
var errs = record.Errors{NotFound: ErrNotFound, Conflict: ErrConflict, Invalid: ErrInvalid, Transition: ErrTransition}

// Kind declares requests to the generic record store: their status
// machine, how they lapse, their indexes and how they are checked.
var Kind = &record.Kind[Request, Status]{
	Name:      "request",
	Machine:   machine,
	Errors:    errs,
	ID:        func(r *Request) string { return r.ID },
	Status:    func(r *Request) Status { return r.Status },
	Version:   func(r *Request) *int64 { return &r.Version },
	Created:   func(r *Request) time.Time { return r.CreatedAt },
	Due:       func(r *Request, now time.Time) bool { return !now.Before(r.ExpiresAt) },
	End:       businessEnd,
	Validate:  func(r *Request) error { return errs.Wrap(validateStored(r)) },
	Normalize: normalize,
	Indexes: []record.Index[Request]{
		{Name: IndexRequester, Key: func(r *Request) string { return r.Requester }},
		{Name: IndexProfile, Key: func(r *Request) string { return r.Profile }},
		{Name: record.StatusIndex, Key: func(r *Request) string { return string(r.Status) }},
	},
}

// The names of the indexes requests are listed by.
const (
	IndexRequester = "requester"
	IndexProfile   = "profile"
)

// NewID returns a fresh random request ID (see record.NewID).
func NewID() (string, error) { return record.NewID() }

// ValidID reports whether s has the shape NewID produces.
func ValidID(s string) bool { return record.ValidID(s) }

// Record turns q into the generic query, with now as the present for
// effective statuses.
func (q Query) Record(now time.Time) record.Query[Status] {
	where := record.Matches(IndexRequester, q.Requester, IndexProfile, q.Profile)
	return record.Query[Status]{Where: where, Status: q.Status, At: now, Limit: q.Limit}
}

// businessEnd is when a request stops mattering for access: the end of
// the access window of an approved request, else the latest of its expiry
// and its last change.
func businessEnd(r *Request) time.Time {
	end := r.ExpiresAt
	for _, t := range []time.Time{r.UpdatedAt, r.DecidedAt, r.WindowEnd(), r.RevokedAt} {
		if t.After(end) {
			end = t
		}
	}
	return end
}

// validateStored checks what a store needs to key and act on a request:
// its ID, requester, profile and a known status. It is lighter than New's
// checks on purpose: limits on free text may change between releases, and
// a record written under older limits must still be readable.
func validateStored(r *Request) error {
	switch {
	case r == nil:
		return record.Invalidf("no request")
	case r.ID == "" || r.Requester == "" || r.Profile == "":
		return record.Invalidf("request %s needs an id, a requester and a profile", r.ID)
	case !machine.Known(r.Status):
		return record.Invalidf("request %s has unknown status %q", r.ID, r.Status)
	case r.Version < 0:
		return record.Invalidf("request %s has negative version %d", r.ID, r.Version)
	}
	return nil
}

// normalize returns the copy of r to store: times in UTC, and no slice
// shared with the caller.
func normalize(r *Request) *Request {
	c := *r
	for _, t := range []*time.Time{&c.CreatedAt, &c.UpdatedAt, &c.DecidedAt, &c.ExpiresAt, &c.RevokedAt} {
		*t = t.UTC()
	}
	c.Reviews = slices.Clone(r.Reviews)
	for i := range c.Reviews {
		c.Reviews[i].At = c.Reviews[i].At.UTC()
	}
	return &c
}
