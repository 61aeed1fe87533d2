package record

import (
	"errors"
	"fmt"
)

// The errors every kind and every store share, checked with errors.Is.
// Every error the generic store returns matches one of these whatever the
// kind, and also the kind's own value (request.ErrNotFound and the like,
// see Kind.Errors), whose text the cli and older callers rely on.
var (
	// ErrNotFound means no record has the given ID.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a conditional write lost: the record exists
	// already (on create) or was changed by someone else meanwhile.
	ErrConflict = errors.New("changed concurrently")
	// ErrInvalid wraps every validation failure.
	ErrInvalid = errors.New("invalid")
	// ErrTransition means the change is not allowed from the record's
	// current state or by this actor.
	ErrTransition = errors.New("transition not allowed")
	// ErrForbidden means the actor may not see or change the record.
	ErrForbidden = errors.New("forbidden")
)

// NotFoundError names the kind and ID that were not found. It matches
// ErrNotFound.
type NotFoundError struct {
	Kind string
	ID   string
	// Err, when set, is the kind's own not-found error, which the error
	// then matches too (errors.Is(err, session.ErrNotFound)).
	Err error
}

// Error says which record is missing.
func (e *NotFoundError) Error() string {
	if e.ID == "" {
		return fmt.Sprintf("no %s ID given", e.Kind)
	}
	return fmt.Sprintf("no %s with ID %s", e.Kind, e.ID)
}

// Is matches ErrNotFound.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// Unwrap returns the kind's own not-found error, if any.
func (e *NotFoundError) Unwrap() error { return e.Err }

// ForbiddenError says that an actor may not act on a record, and why. It
// matches ErrForbidden.
type ForbiddenError struct {
	// Kind and ID name the record; ID may be empty for a listing, and
	// both when the refusal is of no one record (Reason then says it
	// all).
	Kind string
	ID   string
	// Actor and Action, when Action is set, are who was refused what:
	// "alice (arn:aws:iam::111122223333:user/alice)", "revoke session
	// 0123456789abcdef".
	Actor  string
	Action string
	// Reason is one lower-case clause: "only approvers may list every
	// session".
	Reason string
}

// Error says who was refused what and why, or names the record and the
// reason.
func (e *ForbiddenError) Error() string {
	switch {
	case e.Action != "":
		return fmt.Sprintf("%s may not %s: %s", e.Actor, e.Action, e.Reason)
	case e.Kind == "":
		return e.Reason
	case e.ID == "":
		return fmt.Sprintf("%s: %s", e.Kind, e.Reason)
	}
	return fmt.Sprintf("%s %s: %s", e.Kind, e.ID, e.Reason)
}

// Is matches ErrForbidden.
func (e *ForbiddenError) Is(target error) bool { return target == ErrForbidden }

// Invalid wraps err (already naming the field) as an ErrInvalid error.
func Invalid(err error) error { return fmt.Errorf("%w: %w", ErrInvalid, err) }

// Invalidf formats a validation failure as an ErrInvalid error.
func Invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
