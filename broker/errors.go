package broker

import (
	"errors"
	"fmt"

	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/vault"
)

// ErrDenied is matched (errors.Is) by every denial of credentials.
var ErrDenied = errors.New("access denied")

// DeniedError says why credentials were refused, and what the person can do.
type DeniedError struct {
	Profile string
	User    string
	Effect  policy.Effect
	Reason  string
	hint    string
}

func (e *DeniedError) Error() string {
	return fmt.Sprintf("access to profile %s denied for %s: %s (policy: %s)", e.Profile, e.User, e.Reason, e.Effect)
}

// Is makes errors.Is(err, ErrDenied) true.
func (e *DeniedError) Is(target error) bool { return target == ErrDenied }

// Hint says what the person can do next.
func (e *DeniedError) Hint() string { return e.hint }

// hintedError is an error with advice on what to do about it. The CLI
// prints the hint on a second line.
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return e.err.Error() }
func (e *hintedError) Unwrap() error { return e.err }
func (e *hintedError) Hint() string  { return e.hint }

func withHint(err error, hint string) error { return &hintedError{err: err, hint: hint} }

// deniedError builds the denial for a decision that no override lifted,
// with a hint that depends on what the policy offers this person.
func (b *Broker) deniedError(profile string, caller vault.Identity, dec policy.Decision) error {
	e := &DeniedError{Profile: profile, User: caller.Name, Effect: dec.Effect, Reason: dec.Reason}
	switch dec.Effect {
	case policy.EffectRequireServer:
		e.hint = fmt.Sprintf("run it through the credential server: sentinel exec --server %s -- COMMAND", profile)
	case policy.EffectRequireApproval:
		if _, ok := b.Policy.ApprovalRuleFor(profile); ok {
			e.hint = fmt.Sprintf("ask for approval: sentinel request %s --justification \"why you need it\"", profile)
		} else {
			e.hint = "no approval rule in the policy covers this profile, so nobody can approve it"
		}
	default:
		if _, ok := b.Policy.BreakglassRuleFor(profile, caller.Name, caller.ARN); ok {
			e.hint = fmt.Sprintf("in an emergency: sentinel breakglass %s --reason-code incident --justification \"what is happening\"", profile)
		}
	}
	return e
}

// notFoundError says plainly that no request or event has the ID given;
// the stores' own messages repeat the ID, so theirs is not passed on.
type notFoundError struct {
	what, id string
	err      error // request.ErrNotFound or breakglass.ErrNotFound
}

func (e *notFoundError) Error() string { return fmt.Sprintf("no %s with ID %s", e.what, e.id) }
func (e *notFoundError) Unwrap() error { return e.err }
func (e *notFoundError) Hint() string {
	if e.what == "request" {
		return "check the ID: `sentinel requests --status pending` lists pending requests"
	}
	return "check the ID: `sentinel breakglass-list --status active` lists active events"
}

// lookupError words a store error about one request or event.
func lookupError(what, id string, notFound, err error) error {
	if errors.Is(err, notFound) {
		return &notFoundError{what: what, id: id, err: notFound}
	}
	return fmt.Errorf("%s %s: %w", what, id, err)
}
