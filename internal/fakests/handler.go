package fakests

import (
	"bytes"
	"crypto/subtle"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// apiVersion is the only STS API version the stand-in speaks.
const apiVersion = "2011-06-15"

// maxBodyBytes bounds a request body; real STS requests are a few KB.
const maxBodyBytes = 64 << 10

// Errors shared by several actions.
var (
	errMissingAuth  = &apiError{http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token"}
	errInvalidToken = &apiError{http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid."}
	errExpiredToken = &apiError{http.StatusBadRequest, "ExpiredToken", "The security token included in the request is expired"}
	errMFAFailed    = &apiError{http.StatusForbidden, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code."}
	errInternal     = &apiError{http.StatusInternalServerError, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure."}
)

// serveHTTP answers one STS query request and records it.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// The body is read whole first: a signature covers its hash.
	body, formErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	r.Body = io.NopCloser(bytes.NewReader(body))
	var form url.Values
	if formErr == nil {
		formErr = r.ParseForm()
	}
	if formErr == nil {
		form = r.Form
	}
	accessKeyID := accessKeyFromAuthorization(r.Header.Get("Authorization"))
	rec := s.record(form.Get("Action"), accessKeyID, form, s.clock())

	requestID, err := s.newRequestID()
	if err != nil {
		writeError(w, "", errInternal)
		s.finish(rec, "", errInternal.status, errInternal.code)
		return
	}
	callerARN, answer, apiErr := s.answer(r, body, form, formErr, accessKeyID)
	if apiErr != nil {
		writeError(w, requestID, apiErr)
		s.finish(rec, callerARN, apiErr.status, apiErr.code)
		return
	}
	answer.stamp(requestID)
	writeXML(w, http.StatusOK, requestID, answer)
	s.finish(rec, callerARN, http.StatusOK, "")
}

// answer runs one request through delay, fault, checks, authentication and
// the action, and returns the caller's ARN (once known) and the response
// body or the error to send.
func (s *Server) answer(r *http.Request, body []byte, form url.Values, formErr error, accessKeyID string) (string, stamper, *apiError) {
	if err := s.wait(r); err != nil {
		return "", nil, err
	}
	action := form.Get("Action")
	if fault, ok := s.fault(action); ok {
		return "", nil, &fault
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return "", nil, &apiError{http.StatusMethodNotAllowed, "InvalidAction", "The stand-in answers POST / only."}
	}
	if formErr != nil {
		return "", nil, &apiError{http.StatusBadRequest, "MalformedQueryString", "The request body is not a valid form."}
	}
	if v := form.Get("Version"); v != apiVersion {
		return "", nil, &apiError{http.StatusBadRequest, "InvalidAction", "Could not find operation " + action + " for version " + v}
	}
	if r.Header.Get("Authorization") == "" {
		return "", nil, errMissingAuth
	}
	caller, apiErr := s.authenticate(accessKeyID, r.Header.Get("X-Amz-Security-Token"))
	if apiErr != nil {
		return "", nil, apiErr
	}
	if caller.secret != "" {
		auth, apiErr := parseAuthorization(r.Header.Get("Authorization"))
		if apiErr != nil {
			return "", nil, apiErr
		}
		if apiErr := checkSignature(r, body, auth, caller.secret, s.clock()); apiErr != nil {
			return "", nil, apiErr
		}
	}
	switch action {
	case "GetCallerIdentity":
		return caller.arn, s.getCallerIdentity(caller), nil
	case "GetSessionToken":
		body, apiErr := s.getSessionToken(caller, form)
		return caller.arn, body, apiErr
	case "AssumeRole":
		body, apiErr := s.assumeRole(caller, form)
		return caller.arn, body, apiErr
	case "GetFederationToken":
		body, apiErr := s.getFederationToken(caller, form)
		return caller.arn, body, apiErr
	default:
		return caller.arn, nil, &apiError{http.StatusBadRequest, "InvalidAction", "Could not find operation " + action + " for version " + apiVersion}
	}
}

// wait holds the request back by the configured delay. It ends early, with
// an error the client will not see, when the client goes away or the Server
// closes, so that Close never waits out a long delay.
func (s *Server) wait(r *http.Request) *apiError {
	s.mu.Lock()
	d := s.delay
	s.mu.Unlock()
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-r.Context().Done():
		return &apiError{http.StatusServiceUnavailable, "ServiceUnavailable", "The client went away during the delay."}
	case <-s.done:
		return &apiError{http.StatusServiceUnavailable, "ServiceUnavailable", "The stand-in is shutting down."}
	}
}

// fault returns the fault set for action, if any.
func (s *Server) fault(action string) (apiError, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.faults[action]
	return f, ok
}

// authenticate finds who accessKeyID belongs to. Temporary credentials must
// come with their own session token and be unexpired; long-lived keys must
// come without one. The caller gets a copy, safe to read without the lock.
func (s *Server) authenticate(accessKeyID, sessionToken string) (principal, *apiError) {
	s.mu.Lock()
	p, ok := s.keys[accessKeyID]
	var caller principal
	if ok {
		caller = *p
	}
	now := s.now
	s.mu.Unlock()
	if !ok {
		return principal{}, errInvalidToken
	}
	if !caller.temporary {
		if sessionToken != "" {
			return principal{}, errInvalidToken
		}
		return caller, nil
	}
	if subtle.ConstantTimeCompare([]byte(sessionToken), []byte(caller.sessionToken)) != 1 {
		return principal{}, errInvalidToken
	}
	if !now().Before(caller.expiration) {
		return principal{}, errExpiredToken
	}
	return caller, nil
}

// accessKeyFromAuthorization returns the access key ID of a SigV4
// Authorization header ("AWS4-HMAC-SHA256 Credential=AKID/date/region/
// service/aws4_request, SignedHeaders=..., Signature=..."), or "" when
// there is none or it is malformed. The signature is not checked.
func accessKeyFromAuthorization(header string) string {
	const marker = "Credential="
	i := strings.Index(header, marker)
	if i < 0 {
		return ""
	}
	rest := header[i+len(marker):]
	end := strings.IndexAny(rest, "/, ")
	if end < 0 {
		end = len(rest)
	}
	key := rest[:end]
	for _, r := range key {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return ""
		}
	}
	if len(key) < 16 || len(key) > 128 {
		return ""
	}
	return key
}
