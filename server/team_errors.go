package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"

	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/proof"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/teamapi"
	"github.com/sentinel-cli/sentinel/vault"
)

// maxMessage bounds the message of an error document.
const maxMessage = 300

var (
	errNoRoute   = errors.New("no such endpoint")
	errUnknownID = errors.New("no record has this ID")
	errNoAnchor  = errors.New("no anchor is recorded for this log")
	// errFlowLogged marks an error of the decision flow, which logged the
	// decision itself.
	errFlowLogged = errors.New("decision logged by the flow")
	// errBusy is a call past the proof checks that may run at once.
	errBusy = errors.New("too many proof checks at once")
	// errBodyTooLarge is a body, declared or read, over the limit.
	errBodyTooLarge error = &badRequestError{msg: "the body is larger than allowed"}
)

// badRequestError is input the API refuses before anything is decided.
type badRequestError struct{ msg string }

func (e *badRequestError) Error() string { return e.msg }

func badRequest(msg string) error { return &badRequestError{msg: msg} }

// proofError is a refused or missing proof of identity.
type proofError struct{ err error }

// Error says "invalid proof" once: a refusal of the proof package says it
// already, other refusals (no proof header at all) get it here.
func (e *proofError) Error() string {
	if errors.Is(e.err, proof.ErrInvalidProof) {
		return e.err.Error()
	}
	return "invalid proof: " + e.err.Error()
}
func (e *proofError) Unwrap() error { return e.err }

// flowLogged marks err as logged by the decision flow.
func flowLogged(err error) error { return &classified{class: errFlowLogged, err: err} }

// classifyTeam maps an error to the status, code and message of the
// answer. The message is the error's own one-line text only for refusals
// a person must understand (bad input, denial, conflict); proofs and
// internal or unavailable failures get a fixed message, and the details go
// to TeamOptions.OnError.
func classifyTeam(err error) (status int, code, message string) {
	var (
		bad   *badRequestError
		proof *proofError
	)
	switch {
	case errors.As(err, &bad):
		return http.StatusBadRequest, teamapi.CodeBadRequest, clean(bad.msg)
	case errors.As(err, &proof):
		return http.StatusUnauthorized, teamapi.CodeInvalidProof, "missing or invalid proof of identity"
	case errors.Is(err, broker.ErrInAWSFailed):
		// The revocation holds in the store; only the AWS deny is
		// missing, and the caller is told what to run.
		return http.StatusBadGateway, teamapi.CodeRevokeInAWSFailed, clean(err.Error())
	case errors.Is(err, broker.ErrInAWSNotConfigured):
		return http.StatusNotFound, teamapi.CodeNotFound, "revocation in AWS is not enabled on this service (revoke_in_aws)"
	case errors.Is(err, errNoRoute):
		return http.StatusNotFound, teamapi.CodeNotFound, "no such endpoint"
	case errors.Is(err, errUnknownID):
		return http.StatusNotFound, teamapi.CodeNotFound, "no record has this ID"
	case errors.Is(err, errNoAnchor):
		return http.StatusNotFound, teamapi.CodeNotFound, "no anchor is recorded for this log"
	case errors.Is(err, broker.ErrNotInCatalogue):
		return http.StatusNotFound, teamapi.CodeNotFound, clean(err.Error())
	case errors.Is(err, errBusy):
		return http.StatusServiceUnavailable, teamapi.CodeUnavailable, "the service is busy; retry in a second"
	case errors.Is(err, ErrUnavailable), errors.Is(err, broker.ErrUnavailable), errors.Is(err, broker.ErrNoAnchors), unreachable(err):
		return http.StatusServiceUnavailable, teamapi.CodeUnavailable, "the service cannot reach the state or STS it needs to decide"
	case errors.Is(err, broker.ErrRevoked):
		return http.StatusForbidden, teamapi.CodeSessionRevoked, clean(err.Error())
	case errors.Is(err, broker.ErrForbidden), errors.Is(err, breakglass.ErrLimit):
		return http.StatusForbidden, teamapi.CodeForbidden, clean(err.Error())
	case errors.Is(err, broker.ErrDenied), errors.Is(err, policy.ErrPin), errors.Is(err, broker.ErrWindowTooShort):
		return http.StatusForbidden, teamapi.CodeAccessDenied, clean(err.Error())
	case errors.Is(err, request.ErrNotFound), errors.Is(err, breakglass.ErrNotFound), errors.Is(err, session.ErrNotFound):
		return http.StatusNotFound, teamapi.CodeNotFound, clean(err.Error())
	case errors.Is(err, request.ErrConflict), errors.Is(err, request.ErrTransition),
		errors.Is(err, breakglass.ErrConflict), errors.Is(err, breakglass.ErrTransition), errors.Is(err, breakglass.ErrActiveExists),
		errors.Is(err, session.ErrConflict), errors.Is(err, session.ErrTransition), errors.Is(err, logging.ErrAnchorBehind),
		errors.Is(err, logging.ErrAnchorLimit):
		return http.StatusConflict, teamapi.CodeConflict, clean(err.Error())
	case errors.Is(err, request.ErrInvalid), errors.Is(err, breakglass.ErrInvalid), errors.Is(err, session.ErrInvalid):
		return http.StatusBadRequest, teamapi.CodeBadRequest, clean(err.Error())
	}
	return http.StatusInternalServerError, teamapi.CodeInternal, "the service could not complete the call"
}

// unreachable reports whether err says that a store or STS did not answer:
// the call may succeed later, so it is a 503, never a 500 or a denial.
func unreachable(err error) bool {
	var (
		sendErr *smithyhttp.RequestSendError
		netErr  net.Error
	)
	return errors.Is(err, vault.ErrUnreachable) || errors.Is(err, vault.ErrThrottled) ||
		errors.Is(err, context.DeadlineExceeded) || errors.As(err, &sendErr) || errors.As(err, &netErr)
}

// classLabel is the short reason logged for a call refused before the flow.
func classLabel(err error) string {
	_, code, msg := classifyTeam(err)
	return code + ": " + msg
}

// clean makes an error text fit for a one-line message: no control
// characters, bounded length.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > maxMessage {
		s = s[:maxMessage] + "..."
	}
	return s
}
