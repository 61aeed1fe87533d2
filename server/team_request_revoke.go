package server

import (
	"net/http"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/request"
)

// routeRequestRevoke is POST /v1/requests/{id}/revoke {"reason"}: the
// requester or an approver of the profile withdraws an approved request
// before its window ends. A request that is not approved is 409 Conflict.
var routeRequestRevoke = &teamRoute{method: http.MethodPost, serve: (*teamHandler).revokeRequest}

func (h *teamHandler) revokeRequest(c *call) error {
	var in reasonInput
	if err := decodeBody(c.body, &in, true); err != nil {
		return err
	}
	if !request.ValidID(c.id) {
		return errUnknownID
	}
	r, err := h.b.RevokeRequest(c.r.Context(), broker.NewActor(c.caller), c.id, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(c.w, http.StatusOK, r)
	return nil
}
