package record

import "time"

// Kind declares one record kind: everything the generic Store and the
// backends need to know about it, as functions over the record and data.
// T is the record type, S its status type.
type Kind[T any, S ~string] struct {
	// Name names the kind in errors and logs: "request", "break-glass
	// event", "session".
	Name string
	// Machine is the kind's status machine.
	Machine Machine[S]
	// Errors are the kind's own error values, which the store's errors
	// match as well as record's.
	Errors Errors

	// ID, Status and Version read the record's fields; Version returns a
	// pointer so that Store can bump it.
	ID      func(*T) string
	Status  func(*T) S
	Version func(*T) *int64
	// Created is when the record began; listings are newest first by it,
	// then by ID.
	Created func(*T) time.Time
	// Due reports whether the record's time has run out at now in its
	// current status, so that it reads as Machine.Lapses of that status.
	Due func(r *T, now time.Time) bool
	// End is when the record stops mattering: the last moment any
	// credential it allows can be used. Stores keep it for their
	// retention after that.
	End func(*T) time.Time
	// Validate checks a record before every write and after every read;
	// it returns an ErrInvalid error. A store never acts on a record that
	// fails it.
	Validate func(*T) error
	// Normalize returns the copy of a record to store: times in UTC and
	// no slice shared with the caller.
	Normalize func(*T) *T
	// Indexes are the keys the kind is listed by.
	Indexes []Index[T]
}

// Index is one key a kind is listed by.
type Index[T any] struct {
	// Name is the index's name in a Query: "requester", "profile".
	Name string
	// Key returns the record's value for the index; a record whose value
	// is empty is not in the index.
	Key func(*T) string
	// Fold makes the index ignore case: values are stored and looked up
	// lower-cased (ARNs, which IAM compares ignoring case).
	Fold bool
}

// Effective is the status a reader should act on at now: the stored
// status, or the one it lapses to once the record is due.
func (k *Kind[T, S]) Effective(r *T, now time.Time) S {
	s := k.Status(r)
	if to, ok := k.Machine.Lapses[s]; ok && k.Due(r, now) {
		return to
	}
	return s
}

// Index returns the index with the given name.
func (k *Kind[T, S]) Index(name string) (Index[T], bool) {
	for _, ix := range k.Indexes {
		if ix.Name == name {
			return ix, true
		}
	}
	return Index[T]{}, false
}
