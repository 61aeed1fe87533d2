package teamclient_test

import (
	"context"
	"errors"
	"testing"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/request"
)

// TestRequesterDecisionThroughTheService: in team mode, approve and deny
// show the requester's decision as the service decides it; a request whose
// profile no approval could lift is refused 403 with the deciding rule.
func TestRequesterDecisionThroughTheService(t *testing.T) {
	alice, bob := aliceAndBob(t, "")
	ctx := context.Background()
	r, err := alice.CreateRequest(ctx, broker.RequestInput{Profile: "prod", Justification: "deploy the fix"})
	if err != nil {
		t.Fatal(err)
	}
	d, usable, err := bob.RequesterDecision(ctx, r)
	if err != nil || !usable || d.Effect != policy.EffectRequireApproval || d.Rule != "prod" {
		t.Fatalf("decision %+v usable %v: %v", d, usable, err)
	}
	_, err = alice.CreateRequest(ctx, broker.RequestInput{Profile: "dev", Justification: "dev needs no approval"})
	if !errors.Is(err, broker.ErrForbidden) || err.Error() == "" {
		t.Fatalf("request for an allowed profile: %v, want Forbidden", err)
	}
	if _, _, err := bob.RequesterDecision(ctx, &request.Request{ID: "0123456789abcdef"}); !errors.Is(err, request.ErrNotFound) {
		t.Fatalf("decision of an unknown request: %v", err)
	}
}
