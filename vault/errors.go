package vault

import (
	"errors"
	"fmt"
)

// Sentinel errors returned (wrapped) by this package. Check them with
// errors.Is; the wrapping error carries a one-line message for the user.
var (
	// ErrUnknownProfile means a profile is neither in the AWS config file nor
	// in the keyring.
	ErrUnknownProfile = errors.New("unknown profile")
	// ErrProfileLoop means a chain of source_profile keys leads back to a
	// profile already on the chain.
	ErrProfileLoop = errors.New("source_profile loop")
	// ErrInvalidProfile means a profile has a malformed setting.
	ErrInvalidProfile = errors.New("invalid profile")

	// ErrNoKeys means the keyring holds no long-lived keys for a profile.
	ErrNoKeys = errors.New("no keys stored")
	// ErrKeyringLocked means the file keyring has no passphrase and there is
	// no terminal to ask for one.
	ErrKeyringLocked = errors.New("file keyring is locked: set SENTINEL_FILE_PASSPHRASE")
	// ErrUndecryptable means a keyring item exists but cannot be read back:
	// the passphrase is wrong or the item is damaged.
	ErrUndecryptable = errors.New("wrong passphrase or corrupt file")

	// ErrInvalidARN means a caller ARN is not one ParseIdentity understands.
	ErrInvalidARN = errors.New("invalid caller ARN")

	// ErrAccessDenied means STS refused the call (including a wrong MFA code).
	ErrAccessDenied = errors.New("access denied by STS")
	// ErrExpiredToken means the credentials that signed the call are invalid
	// or expired.
	ErrExpiredToken = errors.New("invalid or expired credentials")
	// ErrThrottled means STS is rate limiting the caller.
	ErrThrottled = errors.New("throttled by STS")
	// ErrUnreachable means STS could not be reached or did not answer in time.
	ErrUnreachable = errors.New("STS unreachable")
	// ErrSTS is any other error reported by STS.
	ErrSTS = errors.New("STS error")

	// ErrMFARequired means an MFA code is needed but there is no terminal to
	// ask for it.
	ErrMFARequired = errors.New("MFA code required")
	// ErrInvalidMFACode means an MFA code is not six digits.
	ErrInvalidMFACode = errors.New("MFA code must be 6 digits")
	// ErrNoInput means a prompt got no answer (no terminal, or end of input).
	ErrNoInput = errors.New("no input")
)

// vaultError is an error with its own one-line message that still matches a
// sentinel error (kind) and, when there is one, the error that caused it. It
// lets a message read naturally ("profile "x" not found in ...") instead of
// being prefixed with the sentinel's text.
type vaultError struct {
	kind  error
	msg   string
	cause error
}

func (e *vaultError) Error() string { return e.msg }

func (e *vaultError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// newError builds a vaultError matching kind (and cause, if not nil) whose
// message is the formatted text.
func newError(kind, cause error, format string, args ...any) error {
	return &vaultError{kind: kind, msg: fmt.Sprintf(format, args...), cause: cause}
}
