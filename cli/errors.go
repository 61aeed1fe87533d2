package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/teamclient"
	"github.com/sentinel-cli/sentinel/vault"
)

// ExitError carries an exit code and an optional hint to main. A Silent
// error has already been reported by the command.
type ExitError struct {
	Code   int
	Err    error
	Hint   string
	Silent bool
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// withHint wraps err so that main prints hint on a second line.
func withHint(err error, hint string) error {
	return &ExitError{Code: 1, Err: err, Hint: hint}
}

// hinter is an error that carries advice on what to do about it.
type hinter interface{ Hint() string }

// Report prints err as sentinel's one-line error (plus a hint) and returns
// the process exit code.
func Report(w io.Writer, err error) int {
	if errors.Is(err, errSubcommandsListed) {
		return 0
	}
	code, silent, hint := 1, false, ""
	var ee *ExitError
	if errors.As(err, &ee) {
		silent, hint = ee.Silent || ee.Err == nil, ee.Hint
		if ee.Code != 0 {
			code = ee.Code
		}
	}
	var h hinter
	if hint == "" && errors.As(err, &h) {
		hint = h.Hint()
	}
	if h := unsafeFileHint(err); h != "" {
		hint = h
	}
	if hint == "" {
		hint = hintFor(err)
	}
	if !silent {
		fmt.Fprintf(w, "sentinel: %s\n", oneLine(messageFor(err)))
	}
	if hint != "" {
		fmt.Fprintf(w, "sentinel: hint: %s\n", oneLine(hint))
	}
	return code
}

// oneLine folds a multi-line message so that every error is one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// hintFor is the advice for the typed errors of the lower layers, which
// carry no words for people themselves.
func hintFor(err error) string {
	if h := profileHint(err); h != "" {
		return h
	}
	if h := brokerHint(err); h != "" {
		return h
	}
	var missing *vault.MissingKeysError
	var rejected *vault.KeysRejectedError
	var mfa *vault.MFARequiredError
	switch {
	case errors.As(err, &missing):
		if missing.Damaged {
			return "store them again: sentinel add " + missing.Profile
		}
		return "store them: sentinel add " + missing.Profile
	case errors.As(err, &rejected):
		if rejected.Profile != "" {
			return "if the keys were rotated or deactivated, store the current ones: sentinel add " + rejected.Profile
		}
		return "if the keys were rotated or deactivated, store the current ones with sentinel add"
	case errors.As(err, &mfa):
		return "pass the code with --mfa-token, or run the command on a terminal to be asked for it"
	case errors.Is(err, vault.ErrWrongMFACode):
		return "try again with a fresh code"
	case errors.Is(err, vault.ErrMFANeeded):
		return "set mfa_serial in the profile in ~/.aws/config"
	case errors.Is(err, vault.ErrBadPassphrase):
		return "check SENTINEL_FILE_PASSPHRASE (or the passphrase you typed); nothing was changed"
	case errors.Is(err, vault.ErrKeyringLocked):
		return "set SENTINEL_FILE_PASSPHRASE, or run the command on a terminal to be asked for it"
	case errors.Is(err, vault.ErrAccessDenied) && stampRefused(err):
		return stampRefusedHint
	case errors.Is(err, vault.ErrExpiredToken):
		return "run the command again to get new credentials"
	case errors.Is(err, vault.ErrThrottled):
		return "wait a moment and retry"
	case errors.Is(err, vault.ErrNotSTS):
		return notSTSHint
	case errors.Is(err, vault.ErrUnreachable):
		return "check the network, and AWS_ENDPOINT_URL_STS if you set it"
	case errors.Is(err, teamclient.ErrWrongServer):
		return "check server.url and server.server_id in the sentinel config: a service that is not the configured one gets no proof of who you are"
	case errors.Is(err, teamclient.ErrInvalidProof):
		return "check that the keys of your identity profile are current (sentinel add PROFILE) and that the service accepts your account"
	case errors.Is(err, teamclient.ErrUnreachable):
		return "check the network and server.url in the sentinel config"
	case errors.Is(err, teamclient.ErrRedirect):
		return "set server.url in the sentinel config to the service's final URL"
	case errors.Is(err, vault.ErrSSOLoginRequired), errors.Is(err, broker.ErrSSOUncappable):
		return ssoHint(err)
	}
	return ""
}
