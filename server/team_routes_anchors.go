package server

import (
	"net/http"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/logging"
)

// The log anchor endpoints (docs/team-service.md).
var (
	routeAnchorNew  = &teamRoute{method: http.MethodPost, serve: (*teamHandler).recordAnchor}
	routeAnchorShow = &teamRoute{method: http.MethodGet, query: []string{"log"}, serve: (*teamHandler).showAnchor}
)

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
