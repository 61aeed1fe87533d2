package teamclient

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

// The bodies of the lifecycle calls.
type (
	requestInput struct {
		Profile         string `json:"profile"`
		Justification   string `json:"justification"`
		DurationSeconds int64  `json:"duration_seconds,omitempty"`
		Force           bool   `json:"force,omitempty"`
	}
	commentInput struct {
		Comment string `json:"comment,omitempty"`
	}
	breakglassInput struct {
		Profile         string `json:"profile"`
		ReasonCode      string `json:"reason_code"`
		Justification   string `json:"justification"`
		DurationSeconds int64  `json:"duration_seconds,omitempty"`
	}
	reasonInput struct {
		Reason string `json:"reason"`
	}
	requestList struct {
		Requests []*request.Request `json:"requests"`
	}
	breakglassList struct {
		Events []*breakglass.Event `json:"events"`
	}
	sessionList struct {
		Sessions []*session.Session `json:"sessions"`
	}
)

// recordPath is /v1/KIND/ID[/ACTION], with the ID escaped as one segment
// and refused if it is empty or could change the path.
func recordPath(collection, id, action string) (string, error) {
	if id == "" || id == "." || id == ".." {
		return "", fmt.Errorf("invalid ID %q", id)
	}
	p := "/v1/" + collection + "/" + url.PathEscape(id)
	if action != "" {
		p += "/" + action
	}
	return p, nil
}

func seconds(d time.Duration) int64 { return int64(d / time.Second) }

func query(pairs ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			q.Set(pairs[i], pairs[i+1])
		}
	}
	return q
}

// createRecord posts a new record of a collection and checks the answer
// names it (noun is what the error calls its ID).
func createRecord[T any](ctx context.Context, c *Client, collection, noun string, in any, k kind, idOf func(*T) string) (*T, error) {
	p := "/v1/" + collection
	rec := new(T)
	if err := c.call(ctx, http.MethodPost, p, nil, in, rec, k, true); err != nil {
		return nil, err
	}
	if idOf(rec) == "" {
		return nil, fmt.Errorf("%w: POST %s: no %s ID", ErrBadAnswer, p, noun)
	}
	return rec, nil
}

// getRecord fetches one record and checks it is the one asked for.
func getRecord[T any](ctx context.Context, c *Client, method, collection, id, action string, in any, k kind, idOf func(*T) string) (*T, error) {
	p, err := recordPath(collection, id, action)
	if err != nil {
		return nil, err
	}
	rec := new(T)
	if err := c.call(ctx, method, p, nil, in, rec, k, true); err != nil {
		return nil, err
	}
	if got := idOf(rec); got != id {
		return nil, fmt.Errorf("%w: %s %s: answered with record %q", ErrBadAnswer, method, p, safeMessage(got))
	}
	return rec, nil
}

// CreateRequest asks for access to a profile (POST /v1/requests).
func (c *Client) CreateRequest(ctx context.Context, in broker.RequestInput) (*request.Request, error) {
	body := requestInput{Profile: in.Profile, Justification: in.Justification, DurationSeconds: seconds(in.Duration), Force: in.Force}
	return createRecord(ctx, c, "requests", "request", body, kindRequest, request.Kind.ID)
}

// ListRequests lists requests (GET /v1/requests). q.Limit is applied here.
func (c *Client) ListRequests(ctx context.Context, q request.Query) ([]*request.Request, error) {
	var l requestList
	v := query("status", string(q.Status), "profile", q.Profile, "requester", q.Requester)
	if err := c.call(ctx, http.MethodGet, "/v1/requests", v, nil, &l, kindRequest, true); err != nil {
		return nil, err
	}
	return limit(l.Requests, q.Limit), nil
}

// GetRequest shows one request (GET /v1/requests/{id}).
func (c *Client) GetRequest(ctx context.Context, id string) (*request.Request, error) {
	return getRecord(ctx, c, http.MethodGet, "requests", id, "", nil, kindRequest, request.Kind.ID)
}

// Review approves or denies a request (POST /v1/requests/{id}/approve|deny).
func (c *Client) Review(ctx context.Context, id string, action request.Action, comment string) (*request.Request, error) {
	if action != request.ActionApprove && action != request.ActionDeny {
		return nil, fmt.Errorf("review action %q is not approve or deny", action)
	}
	return getRecord(ctx, c, http.MethodPost, "requests", id, string(action), commentInput{Comment: comment}, kindRequest, request.Kind.ID)
}

// CancelRequest cancels the caller's own pending request
// (POST /v1/requests/{id}/cancel).
func (c *Client) CancelRequest(ctx context.Context, id string) (*request.Request, error) {
	return getRecord(ctx, c, http.MethodPost, "requests", id, "cancel", commentInput{}, kindRequest, request.Kind.ID)
}

// RevokeRequest withdraws an approved request before its window ends
// (POST /v1/requests/{id}/revoke).
func (c *Client) RevokeRequest(ctx context.Context, id, reason string) (*request.Request, error) {
	return getRecord(ctx, c, http.MethodPost, "requests", id, "revoke", reasonInput{Reason: reason}, kindRequest, request.Kind.ID)
}

// OpenBreakglass opens a break-glass event (POST /v1/breakglass).
func (c *Client) OpenBreakglass(ctx context.Context, in broker.BreakglassInput) (*breakglass.Event, error) {
	body := breakglassInput{Profile: in.Profile, ReasonCode: in.ReasonCode, Justification: in.Justification, DurationSeconds: seconds(in.Duration)}
	return createRecord(ctx, c, "breakglass", "event", body, kindBreakglass, breakglass.Kind.ID)
}

// ListBreakglass lists break-glass events (GET /v1/breakglass).
func (c *Client) ListBreakglass(ctx context.Context, q breakglass.Query) ([]*breakglass.Event, error) {
	var l breakglassList
	v := query("status", string(q.Status), "profile", q.Profile, "invoker", q.Invoker)
	if err := c.call(ctx, http.MethodGet, "/v1/breakglass", v, nil, &l, kindBreakglass, true); err != nil {
		return nil, err
	}
	return limit(l.Events, q.Limit), nil
}

// GetBreakglass shows one event (GET /v1/breakglass/{id}).
func (c *Client) GetBreakglass(ctx context.Context, id string) (*breakglass.Event, error) {
	return getRecord(ctx, c, http.MethodGet, "breakglass", id, "", nil, kindBreakglass, breakglass.Kind.ID)
}

// CloseBreakglass ends an event early (POST /v1/breakglass/{id}/close).
func (c *Client) CloseBreakglass(ctx context.Context, id, reason string) (*breakglass.Event, error) {
	return getRecord(ctx, c, http.MethodPost, "breakglass", id, "close", reasonInput{Reason: reason}, kindBreakglass, breakglass.Kind.ID)
}

// ListSessions lists sessions (GET /v1/sessions). The API has one user
// filter: q.User, else q.UserARN.
func (c *Client) ListSessions(ctx context.Context, q session.Query) ([]*session.Session, error) {
	var l sessionList
	user := cmp.Or(q.User, q.UserARN)
	v := query("status", string(q.Status), "profile", q.Profile, "user", user)
	if err := c.call(ctx, http.MethodGet, "/v1/sessions", v, nil, &l, kindSession, true); err != nil {
		return nil, err
	}
	return limit(l.Sessions, q.Limit), nil
}

// GetSession shows one session (GET /v1/sessions/{id}).
func (c *Client) GetSession(ctx context.Context, id string) (*session.Session, error) {
	w, err := c.getSessionWithDeny(ctx, id)
	if err != nil {
		return nil, err
	}
	return &w.Session, nil
}

// RevokeSession revokes a session (POST /v1/sessions/{id}/revoke).
func (c *Client) RevokeSession(ctx context.Context, id, reason string) (*session.Session, error) {
	return getRecord(ctx, c, http.MethodPost, "sessions", id, "revoke", reasonInput{Reason: reason}, kindSession, session.Kind.ID)
}

func limit[T any](list []*T, n int) []*T {
	out := list[:0:0]
	for _, v := range list {
		if v == nil {
			continue
		}
		out = append(out, v)
	}
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}
