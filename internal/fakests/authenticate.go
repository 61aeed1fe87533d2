package fakests

import "net/http"

// AuthError is why Authenticate refused a request: the HTTP status, error
// code and message AWS answers with (403 InvalidClientTokenId, 403
// SignatureDoesNotMatch, 400 IncompleteSignature, 400 ExpiredToken, ...).
type AuthError struct {
	Status  int
	Code    string
	Message string
}

func (e *AuthError) Error() string { return e.Code + ": " + e.Message }

// Authenticate authenticates a request another stand-in received for
// service (such as "iam"), whose raw body is body, as that service would:
// the credentials must be known and unexpired, come with their session
// token, and, when the Server knows their secret (AddUserWithSecret and
// the credentials issued to such a user), carry a valid SigV4 signature
// scoped to service and dated within 15 minutes of the Server's clock.
// Other stand-ins (internal/fakeiam) use it so that one Server stays the
// source of truth about credentials.
func (s *Server) Authenticate(r *http.Request, body []byte, service string) (Session, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return Session{}, toAuthError(errMissingAuth)
	}
	caller, apiErr := s.authenticate(accessKeyFromAuthorization(header), r.Header.Get("X-Amz-Security-Token"))
	if apiErr != nil {
		return Session{}, toAuthError(apiErr)
	}
	if caller.secret != "" {
		auth, apiErr := parseAuthorization(header)
		if apiErr == nil {
			apiErr = checkSignatureFor(service, r, body, auth, caller.secret, s.clock())
		}
		if apiErr != nil {
			return Session{}, toAuthError(apiErr)
		}
	}
	return sessionOf(caller), nil
}

func toAuthError(e *apiError) *AuthError {
	return &AuthError{Status: e.status, Code: e.code, Message: e.message}
}
