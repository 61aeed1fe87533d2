package server

import "errors"

// The classes of failure a Source reports, matched with errors.Is. They
// decide the HTTP status and the code the client sees; the error's own
// text never reaches the client.
var (
	// ErrDenied is a denial by the policy (403).
	ErrDenied = errors.New("credentials denied")
	// ErrRevoked is a revoked or unknown session (403).
	ErrRevoked = errors.New("session revoked")
	// ErrUnavailable means the state the decision needs cannot be reached
	// (503). The request is refused: there is no fail-open.
	ErrUnavailable = errors.New("decision state unavailable")
)

// Classify returns err marked with class (one of ErrDenied, ErrRevoked,
// ErrUnavailable), keeping err's message and chain: errors.Is and
// errors.As see both. A nil err stays nil.
func Classify(class, err error) error {
	if err == nil {
		return nil
	}
	return &classified{class: class, err: err}
}

type classified struct {
	class, err error
}

func (e *classified) Error() string   { return e.err.Error() }
func (e *classified) Unwrap() []error { return []error{e.class, e.err} }
