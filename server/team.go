package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/vault"
)

// DefaultMaxBodyBytes bounds a request body of the team API when
// TeamOptions.MaxBodyBytes is 0. The largest legitimate body is a
// justification or comment, a few KiB at most.
const DefaultMaxBodyBytes = 64 << 10

// Authenticator establishes who sent a team API call from its proof.
// pathWithQuery is the API path ("/v1/...", with "?" and the raw query if
// any) whatever prefix a gateway put in front of it, and body the exact
// bytes received. An error matching ErrUnavailable is a 503 (the identity
// could not be checked); every other error is a 401.
type Authenticator interface {
	Authenticate(ctx context.Context, r *http.Request, pathWithQuery string, body []byte) (vault.Identity, error)
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(ctx context.Context, r *http.Request, pathWithQuery string, body []byte) (vault.Identity, error)

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(ctx context.Context, r *http.Request, pathWithQuery string, body []byte) (vault.Identity, error) {
	return f(ctx, r, pathWithQuery, body)
}

// TeamOptions configure the team API handler.
type TeamOptions struct {
	// ServerID, STSEndpoint and STSRegion are what /v1/info tells clients,
	// so that they can sign proofs for this service.
	ServerID    string
	STSEndpoint string
	STSRegion   string
	// Version is the sentinel version /v1/info reports.
	Version string
	// PathPrefix is removed from the path before routing (a gateway stage
	// such as "/prod"); a request outside it is a 404. Empty means none.
	PathPrefix string
	// MaxBodyBytes bounds a request body; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxProofChecks bounds the proof checks (each a call to STS) that
	// run at once; past it a call is answered 503 with Retry-After: 1.
	// 0 means DefaultMaxProofChecks.
	MaxProofChecks int
	// Now is the clock of the auth.refused summaries; nil means time.Now.
	Now func() time.Time
	// OnError, when set, is told of every refused or failed call with the
	// status sent and the error (which carries no secret), so the operator
	// learns why; the client gets only a code and a short message.
	OnError func(status int, err error)
}

// DefaultMaxProofChecks is TeamOptions.MaxProofChecks when it is 0.
const DefaultMaxProofChecks = 64

// Prechecker is implemented by an Authenticator that can refuse a call
// from its headers alone, before its body is read: a call without a
// well-formed proof then costs the service no body and no STS call.
type Prechecker interface {
	Precheck(r *http.Request) error
}

// authenticateFunc is the Authenticate of one call, its request bound.
type authenticateFunc func(ctx context.Context, pathWithQuery string, body []byte) (vault.Identity, error)

// callPrechecker is a Prechecker whose precheck also returns the call's
// Authenticate, so that what the precheck decoded is not decoded again.
type callPrechecker interface {
	precheckCall(r *http.Request) (authenticateFunc, error)
}

// TeamHandler serves the team API over a broker in service mode. Close
// it when the service stops, so that the last auth.refused counts are
// logged.
type TeamHandler struct {
	svc      *broker.Service
	b        *broker.Broker
	auth     Authenticator
	opts     TeamOptions
	checks   chan struct{} // one token per proof check running
	refusals *refusalSummary
}

// teamHandler is the handler's internal name.
type teamHandler = TeamHandler

// NewTeamHandler returns the team API: every endpoint of
// docs/team-service.md. Every call but /healthz and /v1/info must carry a
// proof that auth accepts; the broker of svc then decides with the proven
// identity.
func NewTeamHandler(svc *broker.Service, auth Authenticator, opts TeamOptions) *TeamHandler {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxProofChecks <= 0 {
		opts.MaxProofChecks = DefaultMaxProofChecks
	}
	opts.PathPrefix = strings.TrimSuffix(opts.PathPrefix, "/")
	h := &TeamHandler{svc: svc, b: svc.Broker, auth: auth, opts: opts, checks: make(chan struct{}, opts.MaxProofChecks)}
	h.refusals = newRefusalSummary(svc.Broker.Log.Append, opts.Now, func(err error) {
		if opts.OnError != nil {
			opts.OnError(http.StatusInternalServerError, err)
		}
	})
	return h
}

// FlushRefusals logs the auth.refused counts of the reasons whose last
// entry is at least RefusalSummaryInterval old; a plain server calls it
// every interval, so that counts are not held back until the next
// refusal.
func (h *TeamHandler) FlushRefusals() { h.refusals.flush(false) }

// Close logs every auth.refused count still held. The handler still
// serves afterwards; call it when the service stops.
func (h *TeamHandler) Close() error {
	h.refusals.flush(true)
	return nil
}

// call is one authenticated API call on its way through the handler.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	caller vault.Identity
	body   []byte
	query  map[string]string
	// id and action are the path's {id} and action segments, if any.
	id, action string
}

func (h *teamHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	if h.opts.PathPrefix != "" {
		rest, ok := strings.CutPrefix(path, h.opts.PathPrefix)
		if !ok || (rest != "" && rest[0] != '/') {
			h.fail(w, errNoRoute)
			return
		}
		path = rest
	}
	switch path {
	case "/healthz":
		if !h.method(w, r, http.MethodGet) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return
	case "/v1/info":
		if !h.method(w, r, http.MethodGet) {
			return
		}
		writeJSON(w, http.StatusOK, infoDocument{ServerID: h.opts.ServerID, STSEndpoint: h.opts.STSEndpoint, STSRegion: h.opts.STSRegion, Version: h.opts.Version})
		return
	}
	rt, c, ok := route(path, r.Method)
	if !ok {
		h.fail(w, errNoRoute)
		return
	}
	if rt.method != r.Method {
		w.Header().Set("Allow", rt.method)
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use "+rt.method)
		return
	}
	caller, body, err := h.authenticate(w, r, path)
	if err != nil {
		h.refuse(w, vault.Identity{}, rt, err)
		return
	}
	// A revocation written to AWS under the size-limit fallback is said to
	// the caller, whose command must say it, in the answer's headers.
	ctx, fallbacks := broker.WithFallbacks(r.Context())
	r = r.WithContext(ctx)
	w = &fallbackWriter{ResponseWriter: w, fallbacks: fallbacks}
	c.w, c.r, c.caller, c.body = w, r, caller, body
	if c.query, err = parseQuery(r.URL.RawQuery, rt.query); err != nil {
		h.refuse(w, caller, rt, err)
		return
	}
	if err := rt.serve(h, c); err != nil {
		h.refuse(w, caller, rt, err)
	}
}

// authenticate checks the call's limits and then its proof, cheapest
// first: the declared body length, the proof's shape (from the headers
// alone, when the authenticator can), the body as read, and last the
// proof check proper, of which at most MaxProofChecks run at once.
//
// A call refused before its body is read is answered with Connection:
// close: net/http would otherwise read (up to 256 KiB of) the body before
// answering, to keep the connection, and a client that never sends it
// would hold the call until ReadTimeout.
func (h *teamHandler) authenticate(w http.ResponseWriter, r *http.Request, path string) (vault.Identity, []byte, error) {
	unread := func(err error) (vault.Identity, []byte, error) {
		if r.ContentLength != 0 {
			w.Header().Set("Connection", "close")
		}
		return vault.Identity{}, nil, err
	}
	if r.ContentLength > h.opts.MaxBodyBytes {
		return unread(errBodyTooLarge)
	}
	var authenticate authenticateFunc = func(ctx context.Context, pathWithQuery string, body []byte) (vault.Identity, error) {
		return h.auth.Authenticate(ctx, r, pathWithQuery, body)
	}
	if pc, ok := h.auth.(callPrechecker); ok {
		f, err := pc.precheckCall(r)
		if err != nil {
			return unread(authError(err))
		}
		authenticate = f
	} else if pc, ok := h.auth.(Prechecker); ok {
		if err := pc.Precheck(r); err != nil {
			return unread(authError(err))
		}
	}
	body, err := readBody(r, h.opts.MaxBodyBytes)
	if err != nil {
		return vault.Identity{}, nil, err
	}
	pathWithQuery := path
	if r.URL.RawQuery != "" {
		pathWithQuery += "?" + r.URL.RawQuery
	}
	select {
	case h.checks <- struct{}{}:
	default:
		return vault.Identity{}, nil, errBusy
	}
	caller, err := authenticate(r.Context(), pathWithQuery, body)
	<-h.checks
	if err != nil {
		return vault.Identity{}, nil, authError(err)
	}
	return caller, body, nil
}

// authError marks a refusal of the authenticator as a refused proof,
// unless it says the check could not be made.
func authError(err error) error {
	if errors.Is(err, ErrUnavailable) || errors.Is(err, errAuthConfig) {
		return err
	}
	return &proofError{err: err}
}

// method answers 405 unless r uses want.
func (h *teamHandler) method(w http.ResponseWriter, r *http.Request, want string) bool {
	if r.Method == want {
		return true
	}
	w.Header().Set("Allow", want)
	writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use "+want)
	return false
}

// refuse answers a failed call. A call refused before its caller was
// known is counted in the auth.refused summary, never logged one entry
// each: anyone can send those. A credentials call of a known caller that
// the flow never saw is logged here as a refused decision, so that every
// such call is one log entry; the flow logs its own decisions and
// lifecycle changes.
func (h *teamHandler) refuse(w http.ResponseWriter, caller vault.Identity, rt *teamRoute, err error) {
	if caller == (vault.Identity{}) {
		h.refusals.note(refusalReason(err))
	} else if rt.decision && !errors.Is(err, errFlowLogged) {
		if lerr := h.b.LogRefusal(caller, "", classLabel(err)); lerr != nil {
			err = errors.Join(err, lerr)
		}
	}
	h.fail(w, err)
}

// fail answers with the status and code err's class calls for.
func (h *teamHandler) fail(w http.ResponseWriter, err error) {
	status, code, msg := classifyTeam(err)
	if h.opts.OnError != nil {
		h.opts.OnError(status, err)
	}
	if errors.Is(err, errBusy) {
		w.Header().Set("Retry-After", "1")
	}
	writeError(w, status, code, msg)
}

// readBody reads at most limit bytes of the body; more is a bad request.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, badRequest("the body could not be read")
	}
	if int64(len(data)) > limit {
		return nil, errBodyTooLarge
	}
	return data, nil
}

type infoDocument struct {
	ServerID    string `json:"server_id"`
	STSEndpoint string `json:"sts_endpoint"`
	STSRegion   string `json:"sts_region"`
	Version     string `json:"version"`
}

// rfc3339 formats an expiry the way the AWS SDKs read it.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }
