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
	ErrKeyringLocked = errors.New("file keyring is locked: no passphrase given and no terminal to ask for one")
	// ErrBadPassphrase means a keyring item exists but cannot be decrypted:
	// the passphrase is wrong, or the item was written with another one or
	// is damaged. Nothing is deleted because of it.
	ErrBadPassphrase = errors.New("wrong passphrase or corrupt file")
	// ErrUndecryptable is the former name of ErrBadPassphrase.
	ErrUndecryptable = ErrBadPassphrase

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
	// ask for it. *MFARequiredError matches it.
	ErrMFARequired = errors.New("MFA code required")
	// ErrWrongMFACode means STS refused an MFA code (wrong or expired). It
	// comes with ErrAccessDenied.
	ErrWrongMFACode = errors.New("wrong or expired MFA code")
	// ErrMFANeeded means STS refused a call made without MFA because the
	// caller's IAM policy requires it. It comes with ErrAccessDenied.
	ErrMFANeeded = errors.New("MFA required by AWS")
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

// MissingKeysError says that the keyring holds no usable long-lived keys
// for a profile. It matches ErrNoKeys.
type MissingKeysError struct {
	Profile string
	// Damaged is true when an item is there but does not hold keys.
	Damaged bool
}

func (e *MissingKeysError) Error() string {
	if e.Damaged {
		return fmt.Sprintf("the keys stored for profile %q are damaged", e.Profile)
	}
	return fmt.Sprintf("no keys stored for profile %q", e.Profile)
}

// Is makes errors.Is(err, ErrNoKeys) true.
func (e *MissingKeysError) Is(target error) bool { return target == ErrNoKeys }

// MFARequiredError says that an MFA code for a device is needed and none
// was given or could be asked for. It matches ErrMFARequired.
type MFARequiredError struct {
	Serial string
	// Err is why it could not be asked for, if known.
	Err error
}

func (e *MFARequiredError) Error() string {
	return fmt.Sprintf("MFA code required for %s", e.Serial)
}

// Is makes errors.Is(err, ErrMFARequired) true.
func (e *MFARequiredError) Is(target error) bool { return target == ErrMFARequired }

// Unwrap returns why the code could not be asked for.
func (e *MFARequiredError) Unwrap() error { return e.Err }

// KeysRejectedError says that STS refused long-lived keys as invalid or
// expired (deactivated, deleted or rotated). It matches ErrExpiredToken.
type KeysRejectedError struct {
	// Profile is the profile the keys are stored under, when the caller
	// knows it.
	Profile string
	Action  string
	// Code is STS's error code (InvalidClientTokenId, ExpiredToken...).
	Code string
	Err  error
}

func (e *KeysRejectedError) Error() string {
	if e.Profile != "" {
		return fmt.Sprintf("STS %s: the keys stored for profile %q are invalid or expired (%s)", e.Action, e.Profile, e.Code)
	}
	return fmt.Sprintf("STS %s: the stored keys are invalid or expired (%s)", e.Action, e.Code)
}

// Is makes errors.Is(err, ErrExpiredToken) true.
func (e *KeysRejectedError) Is(target error) bool { return target == ErrExpiredToken }

// Unwrap returns the SDK's error.
func (e *KeysRejectedError) Unwrap() error { return e.Err }
