package broker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

// An approved request can be revoked by its requester or an approver of
// its profile; it is then revoked, logged as request.revoked, and lifts
// nothing. Anything but an approved request is a conflict.
func TestRevokeRequest(t *testing.T) {
	f := sessionFixture(t)
	f.setPolicy(basePolicy) // prod needs bob's approval
	ctx := context.Background()

	r := f.approve("prod", f.now.Add(-time.Minute), 2*time.Hour, aliceARN)
	if _, err := f.issue("prod", 0); err != nil {
		t.Fatalf("prod with the approval: %v", err)
	}
	b, carol := f.as("carol")
	if _, err := b.RevokeRequest(ctx, carol, r.ID, "not hers"); !errors.Is(err, broker.ErrForbidden) {
		t.Fatalf("carol revoking alice's request: got %v, want ErrForbidden", err)
	}
	b, alice := f.as("alice")
	if _, err := b.RevokeRequest(ctx, alice, r.ID, "  "); !errors.Is(err, request.ErrInvalid) {
		t.Fatalf("revoke without a reason: got %v, want ErrInvalid", err)
	}
	got, err := b.RevokeRequest(ctx, alice, r.ID, "the fix is out")
	if err != nil {
		t.Fatalf("alice revoking her request: %v", err)
	}
	if got.Status != request.StatusRevoked || got.RevokedByARN != aliceARN || got.RevokeReason != "the fix is out" {
		t.Fatalf("revoked request %+v", got)
	}
	entries := f.lifecycle()
	if last := entries[len(entries)-1]; last.Event != logging.EventRequestRevoked || last.Subject != r.ID || last.Reason != "the fix is out" || last.Status != "revoked" {
		t.Errorf("logged %+v", last)
	}
	// It lifts nothing from now on.
	if _, err := f.issue("prod", 0); !errors.Is(err, broker.ErrDenied) {
		t.Fatalf("prod after the revocation: got %v, want ErrDenied", err)
	}
	listed, err := b.ListRequests(ctx, alice, request.Query{Status: request.StatusRevoked})
	if err != nil || len(listed) != 1 || listed[0].ID != r.ID {
		t.Fatalf("listing revoked requests: %v, %v", listed, err)
	}
	// Revoking it again, or a pending request, is a conflict.
	if _, err := b.RevokeRequest(ctx, alice, r.ID, "again"); !errors.Is(err, request.ErrTransition) {
		t.Errorf("second revoke: got %v, want ErrTransition", err)
	}
	p := f.pendingRequest("prod")
	if _, err := b.RevokeRequest(ctx, alice, p.ID, "never mind"); !errors.Is(err, request.ErrTransition) {
		t.Errorf("revoke of a pending request: got %v, want ErrTransition", err)
	}

	// An approver of the profile may revoke it, unless blocked.
	r2 := f.approve("prod", f.now.Add(-time.Minute), 2*time.Hour, aliceARN)
	st := f.openStore()
	if err := st.Sessions().Block(ctx, session.Block{UserARN: bobARN, By: "dave", Reason: "keys leaked", At: f.now}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	bb, bob := f.as("bob")
	if _, err := bb.RevokeRequest(ctx, bob, r2.ID, "stop"); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("blocked bob revoking: got %v, want ErrForbidden", err)
	}
	st = f.openStore()
	if err := st.Sessions().Unblock(ctx, bobARN, "dave", daveARN, f.now); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if got, err := bb.RevokeRequest(ctx, bob, r2.ID, "incident closed"); err != nil || got.Status != request.StatusRevoked {
		t.Errorf("bob revoking as an approver: %+v, %v", got, err)
	}
}
