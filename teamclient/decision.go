package teamclient

import (
	"context"
	"fmt"
	"net/http"

	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/request"
)

// decisionDocument is the answer of GET /v1/requests/{id}/decision.
type decisionDocument struct {
	ID     string `json:"id"`
	Effect string `json:"effect"`
	Rule   string `json:"rule"`
	Usable bool   `json:"usable"`
}

// RequesterDecision asks the service what the policy decides now for the
// requester of r on its profile (GET /v1/requests/{id}/decision): usable is
// true when an approval could be used; else the decision is the one no
// approval can lift.
func (c *Client) RequesterDecision(ctx context.Context, r *request.Request) (policy.Decision, bool, error) {
	p, err := recordPath("requests", r.ID, "decision")
	if err != nil {
		return policy.Decision{}, false, err
	}
	var doc decisionDocument
	if err := c.call(ctx, http.MethodGet, p, nil, nil, &doc, kindRequest, true); err != nil {
		return policy.Decision{}, false, err
	}
	effect := policy.Effect(doc.Effect)
	switch {
	case doc.ID != r.ID:
		return policy.Decision{}, false, fmt.Errorf("%w: GET %s: answered for request %q", ErrBadAnswer, p, safeMessage(doc.ID))
	case effect != policy.EffectAllow && effect != policy.EffectDeny && effect != policy.EffectRequireApproval && effect != policy.EffectRequireServer:
		return policy.Decision{}, false, fmt.Errorf("%w: GET %s: unknown effect %q", ErrBadAnswer, p, safeMessage(doc.Effect))
	case doc.Usable != (effect == policy.EffectRequireApproval):
		return policy.Decision{}, false, fmt.Errorf("%w: GET %s: usable %v with effect %s", ErrBadAnswer, p, doc.Usable, effect)
	}
	return policy.Decision{Effect: effect, Rule: doc.Rule}, doc.Usable, nil
}
