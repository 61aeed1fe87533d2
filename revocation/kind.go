package revocation

import (
	"slices"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// machine is the status machine, apart from Kind so that Validate can use
// it. Only a block can be lifted; that is checked by Lift and Validate,
// since the machine knows statuses, not targets.
var machine = record.Machine[Status]{
	Moves: map[Status][]Status{
		StatusActive: {StatusPruned, StatusLifted},
		StatusPruned: nil,
		StatusLifted: nil,
	},
	Lapses: map[Status]Status{StatusActive: StatusPruned},
}

// The names of the indexes entries are listed by, besides
// record.StatusIndex.
const (
	// IndexTarget keys an entry by TargetKey(target, value): "is this
	// session revoked in AWS?", "which entry blocks this label?".
	IndexTarget = "target"
)

// TargetKey is an entry's key in IndexTarget.
func TargetKey(t Target, value string) string { return string(t) + ":" + value }

// Kind declares revocation entries to the generic record store. Entries are
// few (one per revocation, pruned within hours), so a role's entries are
// found by listing the active ones and keeping those that name it
// (Entry.Names); Render does that itself.
var Kind = &record.Kind[Entry, Status]{
	Name:      "revocation",
	Machine:   machine,
	ID:        func(e *Entry) string { return e.ID },
	Status:    func(e *Entry) Status { return e.Status },
	Version:   func(e *Entry) *int64 { return &e.Version },
	Created:   func(e *Entry) time.Time { return e.CreatedAt },
	Due:       func(e *Entry, now time.Time) bool { return !now.Before(e.ExpiresAt) },
	End:       end,
	Validate:  func(e *Entry) error { return e.Validate() },
	Normalize: normalize,
	Indexes: []record.Index[Entry]{
		{Name: record.StatusIndex, Key: func(e *Entry) string { return string(e.Status) }},
		{Name: IndexTarget, Key: func(e *Entry) string { return TargetKey(e.Target, e.Value) }},
	},
}

// end is when an entry stops mattering: its expiry, or when it was lifted
// if that was later (it never is for a valid entry, but a store keeps the
// later time).
func end(e *Entry) time.Time {
	if e.EndedAt.After(e.ExpiresAt) {
		return e.EndedAt
	}
	return e.ExpiresAt
}

// normalize returns the copy of e to store: times in UTC and no slice
// shared with the caller.
func normalize(e *Entry) *Entry {
	c := *e
	for _, t := range []*time.Time{&c.BlockedAt, &c.IssuedBefore, &c.CreatedAt, &c.ExpiresAt, &c.EndedAt} {
		*t = t.UTC()
	}
	c.Roles = slices.Clone(e.Roles)
	return &c
}
