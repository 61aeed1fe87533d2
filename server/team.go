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
	// OnError, when set, is told of every refused or failed call with the
	// status sent and the error (which carries no secret), so the operator
	// learns why; the client gets only a code and a short message.
	OnError func(status int, err error)
}

// teamHandler serves the team API over a broker in service mode.
type teamHandler struct {
	svc  *broker.Service
	b    *broker.Broker
	auth Authenticator
	opts TeamOptions
}

// NewTeamHandler returns the team API: every endpoint of
// docs/team-service.md. Every call but /healthz and /v1/info must carry a
// proof that auth accepts; the broker of svc then decides with the proven
// identity.
func NewTeamHandler(svc *broker.Service, auth Authenticator, opts TeamOptions) http.Handler {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	opts.PathPrefix = strings.TrimSuffix(opts.PathPrefix, "/")
	return &teamHandler{svc: svc, b: svc.Broker, auth: auth, opts: opts}
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
	body, err := readBody(r, h.opts.MaxBodyBytes)
	if err != nil {
		h.refuse(w, vault.Identity{}, rt, err)
		return
	}
	pathWithQuery := path
	if r.URL.RawQuery != "" {
		pathWithQuery += "?" + r.URL.RawQuery
	}
	caller, err := h.auth.Authenticate(r.Context(), r, pathWithQuery, body)
	if err != nil {
		if !errors.Is(err, ErrUnavailable) && !errors.Is(err, errAuthConfig) {
			err = &proofError{err: err}
		}
		h.refuse(w, vault.Identity{}, rt, err)
		return
	}
	c.w, c.r, c.caller, c.body = w, r, caller, body
	if c.query, err = parseQuery(r.URL.RawQuery, rt.query); err != nil {
		h.refuse(w, caller, rt, err)
		return
	}
	if err := rt.serve(h, c); err != nil {
		h.refuse(w, caller, rt, err)
	}
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

// refuse answers a failed call. A credentials call the flow never saw is
// logged here as a refused decision, so that every credentials call is one
// log entry; the flow logs its own decisions and lifecycle changes.
func (h *teamHandler) refuse(w http.ResponseWriter, caller vault.Identity, rt *teamRoute, err error) {
	if rt.decision && !errors.Is(err, errFlowLogged) {
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
		return nil, badRequest("the body is larger than allowed")
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
