package teamclient

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/internal/field"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/teamapi"
	"github.com/sentinel-cli/sentinel/vault"
)

var (
	// ErrInvalidProof is matched by a 401 answer: the service did not
	// accept the proof of identity.
	ErrInvalidProof = errors.New("the team service did not accept the proof of identity")
	// ErrWrongServer is matched when the service at the configured URL is
	// not the one configured: another server_id, or an STS endpoint that
	// is neither AWS's nor the configured override. No proof was sent.
	ErrWrongServer = errors.New("not the configured team service")
	// ErrBadAnswer is matched by an answer that is too large, not JSON,
	// has unknown fields, or misses what it must hold.
	ErrBadAnswer = errors.New("malformed answer from the team service")
	// ErrRedirect is matched when the service answers with a redirect,
	// which the client never follows.
	ErrRedirect = errors.New("the team service answered with a redirect, which is not followed")
	// ErrUnreachable is matched when the service could not be reached. It
	// also matches broker.ErrUnavailable.
	ErrUnreachable = errors.New("the team service could not be reached")
)

// kind is which sort of record an API call is about; it decides which
// domain errors a 400, 404 or 409 matches.
type kind int

const (
	kindNone kind = iota
	kindCredentials
	kindRequest
	kindBreakglass
	kindSession
	kindAnchor
)

// maxMessage bounds the service's message kept in an error.
const maxMessage = 300

// APIError is an error answer of the team service. It matches (errors.Is)
// the typed errors of the local flow where one exists, so the cli words
// and hints stay the same in both places:
//
//	AccessDenied   -> broker.ErrDenied
//	SessionRevoked -> broker.ErrRevoked and broker.ErrDenied
//	Forbidden      -> broker.ErrForbidden
//	Unavailable    -> broker.ErrUnavailable (also a 502 or 504 without a code)
//	InvalidProof   -> ErrInvalidProof
//	NotFound       -> request/breakglass/session.ErrNotFound, or vault.ErrUnknownProfile on credentials
//	Conflict       -> request/breakglass/session.ErrTransition, logging.ErrAnchorBehind on anchors
//	BadRequest     -> request/breakglass/session.ErrInvalid
type APIError struct {
	// Status is the HTTP status.
	Status int
	// Code is the API error code ("" when the answer had none).
	Code string
	// Message is the service's message, made safe for a terminal.
	Message string

	kind kind
}

func (e *APIError) Error() string {
	msg := cmp.Or(e.Message, http.StatusText(e.Status))
	if e.Code == "" {
		return fmt.Sprintf("team service: %s (HTTP %d)", msg, e.Status)
	}
	return fmt.Sprintf("team service: %s (%s)", msg, e.Code)
}

// Is matches the typed errors listed on APIError.
func (e *APIError) Is(target error) bool {
	switch e.Code {
	case teamapi.CodeAccessDenied:
		return target == broker.ErrDenied
	case teamapi.CodeSessionRevoked:
		return target == broker.ErrRevoked || target == broker.ErrDenied
	case teamapi.CodeForbidden:
		return target == broker.ErrForbidden
	case teamapi.CodeUnavailable:
		return target == broker.ErrUnavailable
	case teamapi.CodeInvalidProof:
		return target == ErrInvalidProof
	case teamapi.CodeNotFound:
		return target == e.kindError(request.ErrNotFound, breakglass.ErrNotFound, session.ErrNotFound, vault.ErrUnknownProfile)
	case teamapi.CodeConflict:
		if e.kind == kindAnchor {
			return target == logging.ErrAnchorBehind
		}
		return target == e.kindError(request.ErrTransition, breakglass.ErrTransition, session.ErrTransition, nil)
	case teamapi.CodeBadRequest:
		return target == e.kindError(request.ErrInvalid, breakglass.ErrInvalid, session.ErrInvalid, nil)
	case teamapi.CodeRevokeInAWSFailed:
		return target == broker.ErrInAWSFailed
	case "":
		return (e.Status == http.StatusBadGateway || e.Status == http.StatusServiceUnavailable || e.Status == http.StatusGatewayTimeout) &&
			target == broker.ErrUnavailable
	}
	return false
}

func (e *APIError) kindError(req, bg, sess, creds error) error {
	switch e.kind {
	case kindRequest:
		return req
	case kindBreakglass:
		return bg
	case kindSession:
		return sess
	case kindCredentials:
		return creds
	}
	return nil
}

// codeStatus is the status each code comes with; an answer whose status
// and code disagree is malformed.
var codeStatus = map[string]int{
	teamapi.CodeRevokeInAWSFailed: http.StatusBadGateway,
	teamapi.CodeBadRequest:        http.StatusBadRequest,
	teamapi.CodeInvalidProof:      http.StatusUnauthorized,
	teamapi.CodeAccessDenied:      http.StatusForbidden,
	teamapi.CodeSessionRevoked:    http.StatusForbidden,
	teamapi.CodeForbidden:         http.StatusForbidden,
	teamapi.CodeNotFound:          http.StatusNotFound,
	teamapi.CodeConflict:          http.StatusConflict,
	teamapi.CodeUnavailable:       http.StatusServiceUnavailable,
	teamapi.CodeInternal:          http.StatusInternalServerError,
}

// errorBody is an error answer.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// apiError builds the error of a non-2xx answer. A body that is not a
// valid error document still yields an APIError with the status.
func apiError(status int, body []byte, k kind) error {
	e := &APIError{Status: status, kind: k}
	var eb errorBody
	if err := decodeStrict(body, &eb); err == nil {
		if want, known := codeStatus[eb.Code]; known && want == status {
			e.Code = eb.Code
		}
		e.Message = safeMessage(eb.Message)
	}
	if e.Code == "" && status == http.StatusUnauthorized {
		// Whatever the body, a 401 means the proof was refused.
		e.Code = teamapi.CodeInvalidProof
	}
	return e
}

// safeMessage makes a remote message fit for one terminal line: no
// control or invisible characters, bounded length.
func safeMessage(s string) string {
	runes := []rune(s)
	if len(runes) > maxMessage {
		runes = append(runes[:maxMessage], '…')
	}
	return field.Display(string(runes))
}

// unreachableError wraps a transport failure.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return fmt.Sprintf("%s: %v", ErrUnreachable, e.err) }
func (e *unreachableError) Unwrap() error { return e.err }
func (e *unreachableError) Is(target error) bool {
	return target == ErrUnreachable || target == broker.ErrUnavailable
}
