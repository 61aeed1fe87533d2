package session

import (
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// Kind declares sessions to the generic record store.
var Kind = &record.Kind[Session, Status]{
	Name:   "session",
	Errors: record.Errors{NotFound: ErrNotFound, Conflict: ErrConflict, Invalid: ErrInvalid, Transition: ErrTransition},
	Machine: record.Machine[Status]{
		Moves: map[Status][]Status{
			StatusActive:  {StatusRevoked, StatusExpired},
			StatusRevoked: nil,
			StatusExpired: nil,
		},
		Lapses: map[Status]Status{StatusActive: StatusExpired},
	},
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

// Record turns q into the generic query, with now as the present for
// effective statuses.
func (q Query) Record(now time.Time) record.Query[Status] {
	var where []record.Match
	if q.User != "" {
		where = append(where, record.Match{Index: IndexUser, Value: q.User})
	}
	if q.UserARN != "" {
		where = append(where, record.Match{Index: IndexUserARN, Value: q.UserARN})
	}
	if q.Profile != "" {
		where = append(where, record.Match{Index: IndexProfile, Value: q.Profile})
	}
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
