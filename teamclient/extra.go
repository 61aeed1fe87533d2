package teamclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/teamapi"
)

// ListReviewable lists the pending requests the caller may approve
// (GET /v1/requests?reviewable=true).
func (c *Client) ListReviewable(ctx context.Context) ([]*request.Request, error) {
	var l requestList
	if err := c.call(ctx, http.MethodGet, "/v1/requests", query("reviewable", "true"), nil, &l, kindRequest, true); err != nil {
		return nil, err
	}
	for _, r := range l.Requests {
		if r == nil || r.Status != request.StatusPending {
			return nil, fmt.Errorf("%w: GET /v1/requests?reviewable=true: a record that is not pending", ErrBadAnswer)
		}
	}
	return l.Requests, nil
}

// EndSession marks the caller's session expired when the command it
// served has exited (POST /v1/sessions/{id}/end).
func (c *Client) EndSession(ctx context.Context, id string) (*session.Session, error) {
	return getRecord(ctx, c, http.MethodPost, "sessions", id, "end", struct{}{}, kindSession, sessionID)
}

// blockInput is the body of POST /v1/users/block.
type blockInput struct {
	UserARN    string `json:"user_arn"`
	Reason     string `json:"reason"`
	ForSeconds int64  `json:"for_seconds"`
}

type blockAnswer struct {
	Block   *session.Block     `json:"block"`
	Revoked []*session.Session `json:"revoked"`
}

// BlockUser blocks userARN for forDuration (0: until lifted) and revokes
// their active sessions (POST /v1/users/block); approvers only.
func (c *Client) BlockUser(ctx context.Context, userARN, reason string, forDuration time.Duration) (*broker.UserRevocation, error) {
	if forDuration < 0 || forDuration%time.Second != 0 {
		return nil, fmt.Errorf("%w: block duration %s is not a whole number of seconds", session.ErrInvalid, forDuration)
	}
	var out blockAnswer
	in := blockInput{UserARN: userARN, Reason: reason, ForSeconds: seconds(forDuration)}
	if err := c.call(ctx, http.MethodPost, "/v1/users/block", nil, in, &out, kindSession, true); err != nil {
		return nil, err
	}
	if out.Block == nil || session.FoldARN(out.Block.UserARN) != session.FoldARN(userARN) {
		return nil, fmt.Errorf("%w: POST /v1/users/block: the block names another user", ErrBadAnswer)
	}
	return &broker.UserRevocation{Block: out.Block, Revoked: out.Revoked}, nil
}

type unblockInput struct {
	UserARN string `json:"user_arn"`
}

// UnblockUser lifts the block of userARN in force now
// (POST /v1/users/unblock); approvers only. No block in force matches
// session.ErrNotFound.
func (c *Client) UnblockUser(ctx context.Context, userARN string) error {
	var out struct {
		UserARN string `json:"user_arn"`
		Status  string `json:"status"`
	}
	return c.call(ctx, http.MethodPost, "/v1/users/unblock", nil, unblockInput{UserARN: userARN}, &out, kindSession, true)
}

// Anchors returns the team service as a log anchor: the strong one, since
// the service records each head under the caller's proven identity, where
// the caller cannot move it back.
func (c *Client) Anchors() *Anchors { return &Anchors{c: c} }

// Anchors records and reads back the caller's log heads in the team
// service. It implements logging.Anchorer and logging.AnchorSource.
type Anchors struct{ c *Client }

var (
	_ logging.Anchorer     = (*Anchors)(nil)
	_ logging.AnchorSource = (*Anchors)(nil)
)

// String names the anchor (the service's URL, which holds no secret).
func (a *Anchors) String() string { return "team service " + a.c.base.Redacted() }

// anchorBody is the body of POST /v1/anchors and both answers.
type anchorBody struct {
	Log      string    `json:"log"`
	File     string    `json:"file,omitempty"`
	Seq      int64     `json:"seq"`
	Hash     string    `json:"hash"`
	Time     time.Time `json:"time"`
	OwnerARN string    `json:"owner_arn,omitempty"`
}

// Anchor records h (POST /v1/anchors). A head behind the recorded one
// matches logging.ErrAnchorBehind.
func (a *Anchors) Anchor(ctx context.Context, h logging.Head) error {
	if err := logging.ValidHead(h, false); err != nil {
		return err
	}
	var out anchorBody
	in := anchorBody{Log: h.Log, File: h.File, Seq: h.Seq, Hash: h.Hash, Time: h.Time.UTC()}
	if err := a.c.call(ctx, http.MethodPost, "/v1/anchors", nil, in, &out, kindAnchor, true); err != nil {
		return err
	}
	if out.Log != h.Log || out.Seq != h.Seq || out.Hash != h.Hash {
		return fmt.Errorf("%w: POST /v1/anchors: recorded another head", ErrBadAnswer)
	}
	return nil
}

// LastAnchor reads the caller's head of log (GET /v1/anchors?log=); none
// recorded is false.
func (a *Anchors) LastAnchor(ctx context.Context, log string) (logging.Head, bool, error) {
	var out anchorBody
	err := a.c.call(ctx, http.MethodGet, "/v1/anchors", query("log", log), nil, &out, kindAnchor, true)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Code == teamapi.CodeNotFound {
		return logging.Head{}, false, nil
	}
	if err != nil {
		return logging.Head{}, false, err
	}
	h := logging.Head{Log: out.Log, File: out.File, Seq: out.Seq, Hash: out.Hash, Time: out.Time}
	if h.Log != log {
		return logging.Head{}, false, fmt.Errorf("%w: GET /v1/anchors: the head of another log", ErrBadAnswer)
	}
	if err := logging.ValidHead(h, false); err != nil {
		return logging.Head{}, false, fmt.Errorf("%w: GET /v1/anchors: %s", ErrBadAnswer, safeMessage(err.Error()))
	}
	return h, true, nil
}

// EndServerSession ends the server-mode session this client has been
// refreshing (exec --server, when the command exits), so that it is
// marked expired at once rather than lapsing with its last credentials.
// Without a session it does nothing. s is unused: the service keeps the
// session, the client only its ID.
func (c *Client) EndServerSession(ctx context.Context, _ *broker.ServerSession) error {
	c.mu.Lock()
	id := c.sesID
	c.mu.Unlock()
	if id == "" {
		return nil
	}
	_, err := c.EndSession(ctx, id)
	c.mu.Lock()
	if c.sesID == id {
		c.sesID = ""
	}
	c.mu.Unlock()
	return err
}
