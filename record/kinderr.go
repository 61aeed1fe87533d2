package record

import (
	"errors"
	"strings"
)

// Errors are a kind's own error values (request.ErrNotFound, ...). Callers
// and messages have long named them; the generic store returns errors
// that match both the kind's value and record's shared one, so
// errors.Is(err, request.ErrNotFound) and errors.Is(err, ErrNotFound) both
// hold.
type Errors struct {
	NotFound, Conflict, Invalid, Transition error
}

// kindError is an error of the shared store that also matches the kind's
// own value for it.
type kindError struct {
	kind error
	err  error
}

// Error reads "<kind's error>: <detail>", without the shared value's
// words repeated.
func (e *kindError) Error() string {
	msg := e.err.Error()
	for _, base := range []error{ErrNotFound, ErrConflict, ErrInvalid, ErrTransition} {
		msg = strings.TrimPrefix(msg, base.Error()+": ")
	}
	return e.kind.Error() + ": " + msg
}

// Unwrap gives both the detail and the kind's value to errors.Is.
func (e *kindError) Unwrap() []error { return []error{e.err, e.kind} }

// Wrap returns err so that it also matches the kind's own value of the
// shared error it matches; other errors, and ones that already match, are
// returned as they are.
func (es Errors) Wrap(err error) error {
	if err == nil {
		return nil
	}
	for _, p := range []struct{ base, kind error }{
		{ErrNotFound, es.NotFound}, {ErrConflict, es.Conflict},
		{ErrInvalid, es.Invalid}, {ErrTransition, es.Transition},
	} {
		if p.kind != nil && errors.Is(err, p.base) && !errors.Is(err, p.kind) {
			return &kindError{kind: p.kind, err: err}
		}
	}
	return err
}
