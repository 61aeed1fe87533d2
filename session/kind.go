package session

import (
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// machine and errs are the status machine and the session's own error
// values, apart from Kind so that Validate, which Kind refers to, can use
// them.
var (
	machine = record.Machine[Status]{
		Moves: map[Status][]Status{
			StatusActive:  {StatusRevoked, StatusExpired},
			StatusRevoked: nil,
			StatusExpired: nil,
		},
		Lapses: map[Status]Status{StatusActive: StatusExpired},
	}
	errs = record.Errors{NotFound: ErrNotFound, Conflict: ErrConflict, Invalid: ErrInvalid, Transition: ErrTransition}
)

// Kind declares sessions to the generic record store.
var Kind = &record.Kind[Session, Status]{
	Name:      "session",
	Errors:    errs,
	Machine:   machine,
	ID:        func(s *Session) string { return s.ID },
	Status:    func(s *Session) Status { return s.Status },
	Version:   func(s *Session) *int64 { return &s.Version },
	Created:   func(s *Session) time.Time { return s.StartedAt },
	Due:       func(s *Session, now time.Time) bool { return !now.Before(s.ExpiresAt) },
	End:       func(s *Session) time.Time { return s.ExpiresAt },
	Validate:  (*Session).Validate,
	Normalize: normalize,
	Indexes: []record.Index[Session]{
		{Name: IndexUser, Key: func(s *Session) string { return s.User }},
		{Name: IndexUserARN, Key: func(s *Session) string { return s.UserARN }, Fold: true},
		{Name: IndexProfile, Key: func(s *Session) string { return s.Profile }},
		{Name: record.StatusIndex, Key: func(s *Session) string { return string(s.Status) }},
	},
}

// The names of the indexes sessions are listed by.
const (
	IndexUser    = "user"
	IndexUserARN = "user_arn"
	IndexProfile = "profile"
)

// NewID returns a fresh random session ID (see record.NewID). The ID goes
// into the STS session tag sentinel-session-id, so it is hex and nothing
// else.
func NewID() (string, error) { return record.NewID() }

// ValidID reports whether s has the shape NewID produces.
func ValidID(s string) bool { return record.ValidID(s) }

// Record turns q into the generic query, with now as the present for
// effective statuses.
func (q Query) Record(now time.Time) record.Query[Status] {
	where := record.Matches(IndexUser, q.User, IndexUserARN, q.UserARN, IndexProfile, q.Profile)
	return record.Query[Status]{Where: where, Status: q.Status, At: now, Limit: q.Limit}
}

// normalize returns the copy of s to store, times in UTC.
func normalize(s *Session) *Session {
	c := *s
	for _, t := range []*time.Time{&c.StartedAt, &c.LastAccessAt, &c.ExpiresAt, &c.RevokedAt} {
		*t = t.UTC()
	}
	return &c
}
