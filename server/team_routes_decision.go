package server

import (
	"net/http"
)

// GET /v1/requests/{id}/decision says what the policy decides now for the
// requester of a request on its profile, so that `approve` and `deny` in
// team mode show it before anyone decides, as they do locally: an approval
// lifts only require_approval (docs/policy-reference.md).
var routeRequestDecision = &teamRoute{method: http.MethodGet, serve: (*teamHandler).requestDecision}

// decisionDocument is the answer of GET /v1/requests/{id}/decision.
type decisionDocument struct {
	ID     string `json:"id"`
	Effect string `json:"effect"`
	Rule   string `json:"rule,omitempty"`
	// Usable is true when some mode gives the requester require_approval,
	// so that an approval could be used.
	Usable bool `json:"usable"`
}

func (h *teamHandler) requestDecision(c *call) error {
	r, err := h.requestOf(c)
	if err != nil {
		return err
	}
	d, usable := h.b.RequestDecision(r)
	writeJSON(c.w, http.StatusOK, decisionDocument{ID: r.ID, Effect: string(d.Effect), Rule: d.Rule, Usable: usable})
	return nil
}
