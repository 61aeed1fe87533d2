package server

import (
	"net/http"

	"github.com/sentinel-cli/sentinel/request"
)

// routeRequestRevoke is POST /v1/requests/{id}/revoke {"reason"}: the
// requester or an approver of the profile withdraws an approved request
// before its window ends. A request that is not approved is 409 Conflict.
var routeRequestRevoke = &teamRoute{method: http.MethodPost, serve: (*teamHandler).revokeRequest}

func (h *teamHandler) revokeRequest(c *call) error {
	return recordWithReason(c, request.ValidID, h.b.RevokeRequest)
}
