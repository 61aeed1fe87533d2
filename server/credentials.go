package server

import (
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// CredentialsPath is the path the credentials endpoint answers on when
// Options.Path is empty.
const CredentialsPath = "/sentinel/credentials"

// Credentials are what the endpoint hands to the client.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expires         time.Time
}

// Source issues credentials for one request. It runs the whole decision
// flow on every call (nothing is decided once for all requests) and
// classifies refusals with ErrDenied, ErrRevoked or ErrUnavailable. It is
// called from many goroutines at once.
type Source interface {
	Credentials(ctx context.Context) (Credentials, error)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context) (Credentials, error)

// Credentials calls f.
func (f SourceFunc) Credentials(ctx context.Context) (Credentials, error) { return f(ctx) }

// Options tune the credentials handler. The zero value works.
type Options struct {
	// Path is the one path served; empty means CredentialsPath.
	Path string
	// OnError, when set, is told of every request the Source refused or
	// failed, with the status sent, so that the person running the server
	// learns why (the client gets only a generic message). The error is
	// the Source's; it must not carry secrets.
	OnError func(status int, err error)
}

// credentialsDocument is the body of a successful answer, as the AWS SDKs
// read it.
type credentialsDocument struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token"`
	Expiration      string `json:"Expiration"`
}

// errorDocument is the body of every refusal. The SDKs parse it only with
// Content-Type exactly application/json.
type errorDocument struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type credentialsHandler struct {
	src       Source
	tokenHash [sha256.Size]byte
	hasToken  bool
	path      string
	onError   func(int, error)
}

// NewCredentialsHandler returns the container-credentials endpoint: a GET
// on the path with the Authorization header equal to token gets
// credentials from src. A handler made with an empty token refuses every
// request.
func NewCredentialsHandler(src Source, token string, opts Options) http.Handler {
	h := &credentialsHandler{
		src:       src,
		tokenHash: sha256.Sum256([]byte(token)),
		hasToken:  token != "",
		path:      opts.Path,
		onError:   opts.OnError,
	}
	h.path = cmp.Or(h.path, CredentialsPath)
	return h
}

func (h *credentialsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path != h.path:
		writeError(w, http.StatusNotFound, "NotFound", "no such endpoint")
		return
	case r.Method != http.MethodGet:
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "only GET is allowed")
		return
	case !h.authorized(r.Header):
		writeError(w, http.StatusUnauthorized, "Unauthorized", "missing or wrong authorization token")
		return
	case r.ContentLength != 0 || len(r.TransferEncoding) > 0:
		writeError(w, http.StatusBadRequest, "BadRequest", "a credentials request has no body")
		return
	}
	creds, err := h.src.Credentials(r.Context())
	if err == nil && !complete(creds) {
		err = errIncomplete
	}
	if err != nil {
		status, code, msg := classify(err)
		if h.onError != nil {
			h.onError(status, err)
		}
		writeError(w, status, code, msg)
		return
	}
	writeJSON(w, http.StatusOK, credentialsDocument{
		AccessKeyID:     creds.AccessKeyID,
		SecretAccessKey: creds.SecretAccessKey,
		Token:           creds.SessionToken,
		Expiration:      creds.Expires.UTC().Format(time.RFC3339),
	})
}

// authorized compares the one Authorization header with the token in
// constant time, whatever the lengths: both sides are hashed first, so
// neither the content nor the length of the token leaks through timing.
func (h *credentialsHandler) authorized(header http.Header) bool {
	values := header.Values("Authorization")
	if !h.hasToken || len(values) != 1 || values[0] == "" {
		return false
	}
	got := sha256.Sum256([]byte(values[0]))
	return subtle.ConstantTimeCompare(got[:], h.tokenHash[:]) == 1
}

// errIncomplete is a Source answer that lacks a part of the credentials;
// handing it out would only move the failure into the client.
var errIncomplete = errors.New("source returned incomplete credentials")

func complete(c Credentials) bool {
	return c.AccessKeyID != "" && c.SecretAccessKey != "" && c.SessionToken != "" && !c.Expires.IsZero()
}

// classify maps a Source error to what the client sees. Only the class
// decides the answer; the error's text stays on the server.
func classify(err error) (status int, code, message string) {
	switch {
	case errors.Is(err, ErrRevoked):
		return http.StatusForbidden, "SessionRevoked", "the credential session was revoked"
	case errors.Is(err, ErrDenied):
		return http.StatusForbidden, "AccessDenied", "credentials denied by the sentinel policy"
	case errors.Is(err, ErrUnavailable):
		return http.StatusServiceUnavailable, "ServiceUnavailable", "sentinel cannot reach the state it needs to decide"
	}
	return http.StatusInternalServerError, "InternalError", "sentinel could not issue credentials"
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, errorDocument{Code: code, Message: message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Both documents are plain strings; this cannot happen.
		status, body = http.StatusInternalServerError, []byte(`{"code":"InternalError","message":"encode response"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
