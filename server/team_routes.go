package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

// teamRoute is one endpoint of the team API.
type teamRoute struct {
	method string
	// query lists the query parameters the endpoint accepts.
	query []string
	// decision is true for /v1/credentials: every call is a decision
	// entry in the log, refused ones included.
	decision bool
	serve    func(h *teamHandler, c *call) error
}

var (
	routeCredentials  = &teamRoute{method: http.MethodPost, decision: true, serve: (*teamHandler).credentials}
	routeWhoami       = &teamRoute{method: http.MethodGet, serve: (*teamHandler).whoami}
	routeRequestNew   = &teamRoute{method: http.MethodPost, serve: (*teamHandler).createRequest}
	routeRequestList  = &teamRoute{method: http.MethodGet, query: []string{"status", "profile", "requester", "reviewable", "id_prefix"}, serve: (*teamHandler).listRequests}
	routeRequestShow  = &teamRoute{method: http.MethodGet, serve: (*teamHandler).showRequest}
	routeRequestAct   = &teamRoute{method: http.MethodPost, serve: (*teamHandler).actOnRequest}
	routeBreakNew     = &teamRoute{method: http.MethodPost, serve: (*teamHandler).openBreakglass}
	routeBreakList    = &teamRoute{method: http.MethodGet, query: []string{"status", "profile", "invoker"}, serve: (*teamHandler).listBreakglass}
	routeBreakShow    = &teamRoute{method: http.MethodGet, serve: (*teamHandler).showBreakglass}
	routeBreakClose   = &teamRoute{method: http.MethodPost, serve: (*teamHandler).closeBreakglass}
	routeSessionList  = &teamRoute{method: http.MethodGet, query: []string{"status", "profile", "user"}, serve: (*teamHandler).listSessions}
	routeSessionShow  = &teamRoute{method: http.MethodGet, serve: (*teamHandler).showSession}
	routeSessionRevok = &teamRoute{method: http.MethodPost, serve: (*teamHandler).revokeSession}
)

// route finds the endpoint of an API path. When the path exists but not
// for method, it returns a route whose method differs, for the 405.
func route(path, method string) (*teamRoute, *call, bool) {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) < 2 || parts[0] != "v1" {
		return nil, nil, false
	}
	c := &call{}
	pick := func(get, post *teamRoute) (*teamRoute, *call, bool) {
		if method == http.MethodPost && post != nil || get == nil {
			return post, c, post != nil
		}
		return get, c, true
	}
	switch len(parts) {
	case 2:
		switch parts[1] {
		case "credentials":
			return routeCredentials, c, true
		case "whoami":
			return routeWhoami, c, true
		case "requests":
			return pick(routeRequestList, routeRequestNew)
		case "breakglass":
			return pick(routeBreakList, routeBreakNew)
		case "sessions":
			return routeSessionList, c, true
		case "anchors":
			return pick(routeAnchorShow, routeAnchorNew)
		}
	case 3:
		if parts[1] == "users" {
			return userRoute(parts[2], c)
		}
		if parts[1] == "admin" {
			return adminRoute(parts[2], c)
		}
		c.id = parts[2]
		switch parts[1] {
		case "requests":
			return routeRequestShow, c, true
		case "breakglass":
			return routeBreakShow, c, true
		case "sessions":
			return routeSessionShow, c, true
		}
	case 4:
		c.id, c.action = parts[2], parts[3]
		switch {
		case parts[1] == "requests" && (c.action == "approve" || c.action == "deny" || c.action == "cancel"):
			return routeRequestAct, c, true
		case parts[1] == "requests" && c.action == "decision":
			return routeRequestDecision, c, true
		case parts[1] == "requests" && c.action == "revoke":
			return routeRequestRevoke, c, true
		case parts[1] == "breakglass" && c.action == "close":
			return routeBreakClose, c, true
		case parts[1] == "sessions" && c.action == "revoke":
			return routeSessionRevok, c, true
		case parts[1] == "sessions" && c.action == "end":
			return routeSessionEnd, c, true
		}
	}
	return nil, nil, false
}

// credentialsInput is the body of POST /v1/credentials.
type credentialsInput struct {
	Profile         string `json:"profile"`
	DurationSeconds int64  `json:"duration_seconds"`
	SessionID       string `json:"session_id"`
}

// credentialsDocumentV1 is the answer of POST /v1/credentials.
type credentialsDocumentV1 struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken"`
	Expiration      string `json:"Expiration"`
	SourceIdentity  string `json:"SourceIdentity"`
	SessionID       string `json:"SessionID"`
	RequestID       string `json:"RequestID"`
}

func (h *teamHandler) credentials(c *call) error {
	var in credentialsInput
	if err := decodeBody(c.body, &in, true); err != nil {
		return err
	}
	if err := checkProfile(in.Profile); err != nil {
		return err
	}
	d, err := durationOf(in.DurationSeconds)
	if err != nil {
		return err
	}
	if in.SessionID != "" && !session.ValidID(in.SessionID) {
		return badRequest("session_id is not a session ID")
	}
	g, err := h.svc.Credentials(c.r.Context(), c.caller, broker.ServiceInput{Profile: in.Profile, Duration: d, SessionID: in.SessionID})
	if err != nil {
		return flowLogged(err)
	}
	writeJSON(c.w, http.StatusOK, credentialsDocumentV1{
		AccessKeyID:     g.Credentials.AccessKeyID,
		SecretAccessKey: g.Credentials.SecretAccessKey,
		SessionToken:    g.Credentials.SessionToken,
		Expiration:      rfc3339(g.Credentials.Expires),
		SourceIdentity:  g.SourceIdentity,
		SessionID:       g.SessionID,
		RequestID:       g.RequestID,
	})
	return nil
}

func (h *teamHandler) whoami(c *call) error {
	if err := noBody(c.body); err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, map[string]string{"arn": c.caller.ARN, "account": c.caller.Account, "user": c.caller.Name})
	return nil
}

type requestInput struct {
	Profile         string `json:"profile"`
	Justification   string `json:"justification"`
	DurationSeconds int64  `json:"duration_seconds"`
	Force           bool   `json:"force"`
}

func (h *teamHandler) createRequest(c *call) error {
	var in requestInput
	if err := decodeBody(c.body, &in, true); err != nil {
		return err
	}
	if err := h.inCatalogue(in.Profile); err != nil {
		return err
	}
	d, err := windowOf(in.DurationSeconds)
	if err != nil {
		return err
	}
	r, err := h.b.CreateRequest(c.r.Context(), broker.NewActor(c.caller), broker.RequestInput{Profile: in.Profile, Justification: in.Justification, Duration: d, Force: in.Force})
	return answerRecord(c, r, err)
}

func (h *teamHandler) listRequests(c *call) error {
	if err := noBody(c.body); err != nil {
		return err
	}
	q := request.Query{Requester: c.query["requester"], Profile: c.query["profile"], Status: request.Status(c.query["status"])}
	if !validRequestStatus(q.Status) {
		return badRequest("status is not a request status")
	}
	prefix, byPrefix, err := idPrefixQuery(c.query)
	if err != nil {
		return err
	}
	reviewable, err := reviewableQuery(c.query)
	if err != nil {
		return err
	}
	var recs []*request.Request
	if byPrefix {
		recs, err = h.requestsWithPrefix(c.r.Context(), c.caller, prefix)
	} else if reviewable {
		recs, err = h.b.ListReviewable(c.r.Context(), broker.NewActor(c.caller))
	} else {
		recs, err = h.b.ListRequests(c.r.Context(), broker.NewActor(c.caller), q)
	}
	return recordList(c, "requests", recs, err)
}

func (h *teamHandler) showRequest(c *call) error {
	return recordByID(c, request.ValidID, h.b.GetRequest)
}

// requestOf reads the request a bodiless GET names, as the caller may see
// it: the one step of every read of a single request.
func (h *teamHandler) requestOf(c *call) (*request.Request, error) {
	if err := noBody(c.body); err != nil {
		return nil, err
	}
	if !request.ValidID(c.id) {
		return nil, errUnknownID
	}
	return h.b.GetRequest(c.r.Context(), broker.NewActor(c.caller), c.id)
}

type commentInput struct {
	Comment string `json:"comment"`
}

func (h *teamHandler) actOnRequest(c *call) error {
	var in commentInput
	if err := decodeBody(c.body, &in, false); err != nil {
		return err
	}
	if !request.ValidID(c.id) {
		return errUnknownID
	}
	a := broker.NewActor(c.caller)
	var (
		r   *request.Request
		err error
	)
	switch c.action {
	case "approve":
		r, err = h.b.Review(c.r.Context(), a, c.id, request.ActionApprove, in.Comment)
	case "deny":
		r, err = h.b.Review(c.r.Context(), a, c.id, request.ActionDeny, in.Comment)
	default:
		if in.Comment != "" {
			return badRequest("cancel takes no comment")
		}
		r, err = h.b.CancelRequest(c.r.Context(), a, c.id)
	}
	return answerRecord(c, r, err)
}

type breakglassInput struct {
	Profile         string `json:"profile"`
	ReasonCode      string `json:"reason_code"`
	Justification   string `json:"justification"`
	DurationSeconds int64  `json:"duration_seconds"`
}

func (h *teamHandler) openBreakglass(c *call) error {
	var in breakglassInput
	if err := decodeBody(c.body, &in, true); err != nil {
		return err
	}
	if err := h.inCatalogue(in.Profile); err != nil {
		return err
	}
	if !breakglass.ValidReasonCode(breakglass.ReasonCode(in.ReasonCode)) {
		return badRequest("reason_code is not a break-glass reason code")
	}
	d, err := windowOf(in.DurationSeconds)
	if err != nil {
		return err
	}
	e, err := h.b.OpenBreakglass(c.r.Context(), broker.NewActor(c.caller), broker.BreakglassInput{
		Profile: in.Profile, ReasonCode: in.ReasonCode, Justification: in.Justification, Duration: d,
	})
	return answerRecord(c, e, err)
}

func (h *teamHandler) listBreakglass(c *call) error {
	if err := noBody(c.body); err != nil {
		return err
	}
	q := breakglass.Query{Invoker: c.query["invoker"], Profile: c.query["profile"], Status: breakglass.Status(c.query["status"])}
	switch q.Status {
	case "", breakglass.StatusActive, breakglass.StatusClosed, breakglass.StatusExpired:
	default:
		return badRequest("status is not a break-glass status")
	}
	recs, err := h.b.ListBreakglass(c.r.Context(), broker.NewActor(c.caller), q)
	return recordList(c, "events", recs, err)
}

func (h *teamHandler) showBreakglass(c *call) error {
	return recordByID(c, breakglass.ValidID, h.b.GetBreakglass)
}

func (h *teamHandler) closeBreakglass(c *call) error {
	return recordWithReason(c, breakglass.ValidID, h.b.CloseBreakglass)
}

func (h *teamHandler) listSessions(c *call) error {
	if err := noBody(c.body); err != nil {
		return err
	}
	q := session.Query{User: c.query["user"], Profile: c.query["profile"], Status: session.Status(c.query["status"])}
	if q.Status != "" && !q.Status.Valid() {
		return badRequest("status is not a session status")
	}
	recs, err := h.b.ListSessions(c.r.Context(), broker.NewActor(c.caller), q)
	return recordList(c, "sessions", recs, err)
}

func (h *teamHandler) showSession(c *call) error {
	return h.showSessionWithDeny(c)
}

func (h *teamHandler) revokeSession(c *call) error {
	return recordWithReason(c, session.ValidID, h.b.RevokeSession)
}

// inCatalogue checks a profile named in a body: well formed, and one the
// service vends (404 otherwise).
func (h *teamHandler) inCatalogue(profile string) error {
	if err := checkProfile(profile); err != nil {
		return err
	}
	_, err := h.b.CataloguePin(profile)
	return err
}

func validRequestStatus(s request.Status) bool {
	switch s {
	case "", request.StatusPending, request.StatusApproved, request.StatusDenied, request.StatusCancelled, request.StatusExpired, request.StatusRevoked:
		return true
	}
	return false
}

// STS limits on credential lifetimes, checked before anything else so that
// a bad value is a 400, not a refusal deep in the flow.
const (
	minDuration = 15 * time.Minute
	maxDuration = 12 * time.Hour
)

// durationOf reads duration_seconds of a credentials call: 0 (absent)
// means the default, else 900-43200.
func durationOf(secs int64) (time.Duration, error) {
	if secs == 0 {
		return 0, nil
	}
	if secs < int64(minDuration/time.Second) || secs > int64(maxDuration/time.Second) {
		return 0, badRequest("duration_seconds must be between 900 and 43200")
	}
	return time.Duration(secs) * time.Second, nil
}

// windowOf reads duration_seconds of a request or break-glass event: 0
// (absent) means the rule's default, else a positive number of seconds up
// to 12 hours (the rule caps it further).
func windowOf(secs int64) (time.Duration, error) {
	if secs == 0 {
		return 0, nil
	}
	if secs < 0 || secs > int64(maxDuration/time.Second) {
		return 0, badRequest("duration_seconds must be between 1 and 43200")
	}
	return time.Duration(secs) * time.Second, nil
}

// reviewableQuery reads ?reviewable=: absent or "false" lists as usual;
// "true" lists the pending requests the caller may approve and takes no
// other filter.
func reviewableQuery(q map[string]string) (bool, error) {
	v, ok := q["reviewable"]
	if !ok || v == "false" {
		return false, nil
	}
	if v != "true" {
		return false, badRequest("reviewable must be true or false")
	}
	if q["status"] != "" || q["profile"] != "" || q["requester"] != "" {
		return false, badRequest("reviewable takes no other filter")
	}
	return true, nil
}
