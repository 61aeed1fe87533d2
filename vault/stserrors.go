package vault

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// maxMessageLength bounds how much of an STS error message is repeated.
const maxMessageLength = 300

// mapError turns an error from an STS call into one matching a sentinel
// error of this package, with a one-line message saying what failed (the
// cli adds what to do). ctx is the call's own context (with its timeout);
// usedMFA says whether the call carried an MFA code. Messages never hold a
// secret: they are built from the action, the error code and STS's own
// message, which names ARNs at most.
func (s *STS) mapError(ctx context.Context, action string, err error, usedMFA bool) error {
	// A timeout first: a call that timed out while retrying a 5xx also
	// carries an API error, but the useful news is that STS did not answer.
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return newError(ErrUnreachable, err, "STS %s: could not reach STS at %s (no answer within %s)", action, s.endpoint, s.timeout)
	}
	if errors.Is(err, context.Canceled) {
		return newError(context.Canceled, err, "STS %s: cancelled", action)
	}

	// An answer that is not STS's (a web server's 404 page, say) is not
	// an STS error: say what answered instead of "UnknownError".
	if notSTS := notSTSAnswer(action, s.endpoint, err); notSTS != nil {
		return notSTS
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code, msg := apiErr.ErrorCode(), oneLine(apiErr.ErrorMessage())
		switch code {
		case "AccessDenied", "AccessDeniedException":
			mentionsMFA := strings.Contains(strings.ToLower(msg), "multifactor") || strings.Contains(msg, "MFA")
			switch {
			case usedMFA && mentionsMFA:
				return newError(ErrAccessDenied, errors.Join(ErrWrongMFACode, err), "STS %s: wrong or expired MFA code", action)
			case mentionsMFA:
				return newError(ErrAccessDenied, errors.Join(ErrMFANeeded, err), "STS %s: access denied: MFA is required (%s)", action, msg)
			default:
				return newError(ErrAccessDenied, err, "STS %s: access denied: %s", action, msg)
			}
		case "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "SignatureDoesNotMatch":
			if s.temporary {
				return newError(ErrExpiredToken, err, "STS %s: the session credentials are invalid or expired (%s)", action, code)
			}
			return &KeysRejectedError{Action: action, Code: code, Err: err}
		case "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException":
			return newError(ErrThrottled, err, "STS %s: STS is throttling requests", action)
		default:
			return newError(ErrSTS, err, "STS %s failed: %s: %s", action, code, msg)
		}
	}

	var sendErr *smithyhttp.RequestSendError
	var netErr net.Error
	if errors.As(err, &sendErr) || errors.As(err, &netErr) {
		return newError(ErrUnreachable, err, "STS %s: could not reach STS at %s", action, s.endpoint)
	}
	return newError(ErrSTS, err, "STS %s failed: %s", action, oneLine(err.Error()))
}

// oneLine flattens and bounds a message from STS so that it fits the
// one-line error the CLI prints.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxMessageLength {
		s = s[:maxMessageLength] + "…"
	}
	return s
}
