package server

import (
	"net/http"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/session"
)

// Endpoints added after the first team API: log anchors, the end of a
// session by its user, and user blocks (docs/team-service.md).
var (
	routeAnchorNew     = &teamRoute{method: http.MethodPost, serve: (*teamHandler).recordAnchor}
	routeAnchorShow    = &teamRoute{method: http.MethodGet, query: []string{"log"}, serve: (*teamHandler).showAnchor}
	routeSessionEnd    = &teamRoute{method: http.MethodPost, serve: (*teamHandler).endSession}
	routeUserBlock     = &teamRoute{method: http.MethodPost, serve: (*teamHandler).blockUser}
	routeUserUnblocked = &teamRoute{method: http.MethodPost, serve: (*teamHandler).unblockUser}
)

// userRoute routes /v1/users/{action}.
func userRoute(action string, c *call) (*teamRoute, *call, bool) {
	switch action {
	case "block":
		return routeUserBlock, c, true
	case "unblock":
		return routeUserUnblocked, c, true
	}
	return nil, nil, false
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

// anchorInput is the body of POST /v1/anchors.
type anchorInput struct {
	Log  string    `json:"log"`
	File string    `json:"file"`
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"`
	Time time.Time `json:"time"`
}

// anchorDocument is the answer of both anchor endpoints.
type anchorDocument struct {
	Log      string    `json:"log"`
	File     string    `json:"file,omitempty"`
	Seq      int64     `json:"seq"`
	Hash     string    `json:"hash"`
	Time     time.Time `json:"time"`
	OwnerARN string    `json:"owner_arn"`
}

func anchorDoc(h logging.Head, owner string) anchorDocument {
	return anchorDocument{Log: h.Log, File: h.File, Seq: h.Seq, Hash: h.Hash, Time: h.Time.UTC(), OwnerARN: owner}
}

func (h *teamHandler) recordAnchor(c *call) error {
	var in anchorInput
	if err := decodeBody(c.body, &in, true); err != nil {
		return err
	}
	head := logging.Head{Log: in.Log, File: in.File, Seq: in.Seq, Hash: in.Hash, Time: in.Time}
	if err := broker.CheckAnchorHead(head); err != nil {
		return badRequest(oneLine(err.Error()))
	}
	if err := h.svc.RecordAnchor(c.r.Context(), c.caller, head); err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, anchorDoc(head, c.caller.ARN))
	return nil
}

func (h *teamHandler) showAnchor(c *call) error {
	if err := noBody(c.body); err != nil {
		return err
	}
	log := c.query["log"]
	if err := broker.CheckAnchorLog(log); err != nil {
		return badRequest(oneLine(err.Error()))
	}
	head, ok, err := h.svc.LastAnchor(c.r.Context(), c.caller, log)
	if err != nil {
		return err
	}
	if !ok {
		return errNoAnchor
	}
	writeJSON(c.w, http.StatusOK, anchorDoc(head, c.caller.ARN))
	return nil
}

func (h *teamHandler) endSession(c *call) error {
	if err := decodeBody(c.body, &struct{}{}, false); err != nil {
		return err
	}
	if !session.ValidID(c.id) {
		return errUnknownID
	}
	s, err := h.svc.EndSession(c.r.Context(), c.caller, c.id)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, s)
	return nil
}

// blockInput is the body of POST /v1/users/block.
type blockInput struct {
	UserARN    string `json:"user_arn"`
	Reason     string `json:"reason"`
	ForSeconds int64  `json:"for_seconds"`
}

// blockDocument answers POST /v1/users/block: the block and the sessions
// it revoked.
type blockDocument struct {
	Block   *session.Block     `json:"block"`
	Revoked []*session.Session `json:"revoked"`
}

func (h *teamHandler) blockUser(c *call) error {
	var in blockInput
	if err := decodeBody(c.body, &in, true); err != nil {
		return err
	}
	if in.UserARN == "" {
		return badRequest("user_arn is required")
	}
	if in.ForSeconds < 0 || in.ForSeconds > maxBlockSeconds {
		return badRequest("for_seconds must be between 0 (until lifted) and 31536000")
	}
	out, err := h.b.RevokeUser(c.r.Context(), broker.NewActor(c.caller), in.UserARN, in.Reason, time.Duration(in.ForSeconds)*time.Second)
	if out == nil {
		return err
	}
	// The block is in force even when revoking a session failed; say so
	// with the error, and the client runs it again.
	if err != nil {
		return err
	}
	doc := blockDocument{Block: out.Block, Revoked: out.Revoked}
	if doc.Revoked == nil {
		doc.Revoked = []*session.Session{}
	}
	writeJSON(c.w, http.StatusOK, doc)
	return nil
}

// unblockInput is the body of POST /v1/users/unblock.
type unblockInput struct {
	UserARN string `json:"user_arn"`
}

func (h *teamHandler) unblockUser(c *call) error {
	var in unblockInput
	if err := decodeBody(c.body, &in, true); err != nil {
		return err
	}
	if in.UserARN == "" {
		return badRequest("user_arn is required")
	}
	if err := h.b.UnblockUser(c.r.Context(), broker.NewActor(c.caller), in.UserARN); err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, map[string]string{"user_arn": in.UserARN, "status": "unblocked"})
	return nil
}

// maxBlockSeconds bounds a timed block to a year; longer is "until
// lifted" (0).
const maxBlockSeconds = 365 * 24 * 3600
