package teamclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/teamapi"
)

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
