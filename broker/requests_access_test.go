package broker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
)

const requestsPolicy = `version: "1"
rules:
  - name: prod
    effect: require_approval
    conditions: {profiles: [prod]}
approvals:
  - name: prod-approvers
    profiles: [prod]
    approvers: ["arn:aws:iam::111122223333:user/bob"]
`

// TestCancelOthersRequestIsForbidden: only the requester may cancel; anyone
// else is refused as not allowed (403 through the team API), and the
// request is left pending.
func TestCancelOthersRequestIsForbidden(t *testing.T) {
	f := sessionFixture(t)
	f.setPolicy(requestsPolicy)
	ctx := context.Background()
	ba, alice := f.as("alice")
	r, err := ba.CreateRequest(ctx, alice, broker.RequestInput{Profile: "prod", Justification: "deploy the hotfix", Duration: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	bc, carol := f.as("carol")
	if _, err := bc.CancelRequest(ctx, carol, r.ID); !errors.Is(err, broker.ErrForbidden) {
		t.Fatalf("carol cancelling alice's request: %v, want ErrForbidden", err)
	}
	if got, err := ba.GetRequest(ctx, alice, r.ID); err != nil || got.Status != "pending" {
		t.Fatalf("after the refused cancel: %v %v", got, err)
	}
	if _, err := ba.CancelRequest(ctx, alice, r.ID); err != nil {
		t.Fatalf("alice cancelling her own: %v", err)
	}
}

// TestForceIsBounded: --force files another pending request, up to
// MaxPendingPerProfile, and no further.
func TestForceIsBounded(t *testing.T) {
	f := sessionFixture(t)
	f.setPolicy(requestsPolicy)
	ctx := context.Background()
	b, alice := f.as("alice")
	in := broker.RequestInput{Profile: "prod", Justification: "deploy the hotfix", Duration: 30 * time.Minute}
	if _, err := b.CreateRequest(ctx, alice, in); err != nil {
		t.Fatal(err)
	}
	if _, err := b.CreateRequest(ctx, alice, in); !errors.Is(err, broker.ErrDuplicateRequest) {
		t.Fatalf("a duplicate without force: %v", err)
	}
	in.Force = true
	for i := 1; i < broker.MaxPendingPerProfile; i++ {
		if _, err := b.CreateRequest(ctx, alice, in); err != nil {
			t.Fatalf("forced request %d: %v", i+1, err)
		}
	}
	if _, err := b.CreateRequest(ctx, alice, in); !errors.Is(err, broker.ErrDuplicateRequest) {
		t.Fatalf("request %d with force: %v, want a refusal", broker.MaxPendingPerProfile+1, err)
	}
}
