package server

import (
	"net/http"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/session"
)

// The end of a session by its user, and user blocks (docs/team-service.md).
var (
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

func (h *teamHandler) endSession(c *call) error {
	if err := decodeBody(c.body, &struct{}{}, false); err != nil {
		return err
	}
	if !session.ValidID(c.id) {
		return errUnknownID
	}
	s, err := h.svc.EndSession(c.r.Context(), c.caller, c.id)
	return answerRecord(c, s, err)
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
