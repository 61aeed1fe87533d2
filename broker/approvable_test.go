package broker_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/request"
)

// denyPolicy denies prod to alice by an explicit rule, leaves data to the
// default deny, serves dev2 only in server mode, and lets an approval rule
// and a break-glass rule cover all of them: the approval rule must not
// matter for any of them.
const denyPolicy = `version: "1"
rules:
  - name: contractors-never-prod
    effect: deny
    conditions: {profiles: [prod], users: ["arn:aws:iam::111122223333:user/alice"]}
  - name: prod
    effect: require_approval
    conditions: {profiles: [prod]}
  - name: dev2-server
    effect: require_server
    conditions: {profiles: [dev2]}
  - name: dev
    effect: allow
    conditions: {profiles: [dev]}
approvals:
  - name: everything
    profiles: [prod, data, dev2, dev]
    approvers: ["arn:aws:iam::111122223333:user/bob"]
breakglass:
  - name: oncall
    profiles: [prod, data]
    users: ["arn:aws:iam::111122223333:user/alice"]
`

// TestApprovalNeverLiftsADeny: an approved request (as a client could
// write it) lifts neither an explicit deny, nor the default deny, nor
// require_server outside server mode; an active break-glass event whose
// rule names the caller lifts the denies.
func TestApprovalNeverLiftsADeny(t *testing.T) {
	for _, profile := range []string{"prod", "data", "dev2"} {
		t.Run(profile, func(t *testing.T) {
			f := newFixture(t, denyPolicy)
			f.approve(profile, f.now.Add(-time.Minute), time.Hour, aliceARN)
			g, err := f.issue(profile, 0)
			if !errors.Is(err, broker.ErrDenied) || g != nil {
				t.Fatalf("issue with an approval: %v (grant %v), want a denial", err, g != nil)
			}
			if d := f.lastDecision(); d.Effect != "deny" || d.ApprovalID != "" {
				t.Fatalf("logged %+v, want a deny that names no approval", d)
			}
			if n := len(f.sts.CallsOf("AssumeRole")); n != 0 {
				t.Fatalf("%d AssumeRole calls", n)
			}
			if profile == "dev2" {
				return
			}
			e := f.breakGlass(profile, f.now.Add(-time.Minute), time.Hour)
			g, err = f.issue(profile, 0)
			if err != nil || g.BreakglassID != e.ID || g.ApprovalID != "" {
				t.Fatalf("issue with break-glass: %v %+v", err, g)
			}
		})
	}
}

func TestRequestRefusedWhenNoApprovalCouldBeUsed(t *testing.T) {
	tests := []struct {
		profile string
		want    string // "" when the request is filed
		effect  policy.Effect
	}{
		{"prod", "prod is denied for alice by rule contractors-never-prod; an approval cannot lift a deny", policy.EffectDeny},
		{"data", "data is denied for alice: no rule matches; an approval cannot lift a deny", policy.EffectDeny},
		{"dev2", "dev2 needs server mode for alice by rule dev2-server; an approval cannot lift require_server", policy.EffectRequireServer},
		{"dev", "dev is allowed for alice by rule dev; no approval is needed", policy.EffectAllow},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			f := sessionFixture(t)
			f.setPolicy(denyPolicy)
			b, alice := f.as("alice")
			_, err := b.CreateRequest(context.Background(), alice, broker.RequestInput{Profile: tt.profile, Justification: "I would like it please", Duration: 30 * time.Minute})
			var ne *broker.NotApprovableError
			if !errors.As(err, &ne) || !errors.Is(err, broker.ErrForbidden) || errors.Is(err, request.ErrConflict) {
				t.Fatalf("got %v, want a NotApprovableError matching ErrForbidden", err)
			}
			if err.Error() != tt.want || ne.Decision.Effect != tt.effect || ne.Profile != tt.profile || ne.UserARN != aliceARN {
				t.Errorf("got %q %+v", err, ne)
			}
			st := f.openStore()
			defer st.Close()
			if reqs, err := st.Requests().List(context.Background(), request.Query{Profile: tt.profile}.Record(time.Now())); err != nil || len(reqs) != 0 {
				t.Errorf("stored %d requests (%v)", len(reqs), err)
			}
		})
	}
	t.Run("require_approval in server mode only", func(t *testing.T) {
		f := sessionFixture(t)
		f.setPolicy(strings.Replace(denyPolicy, "conditions: {profiles: [prod]}", "conditions: {profiles: [prod], mode: [server]}", 1))
		// bob, whom no deny names, may ask for prod: server mode would use it.
		b, bob := f.as("bob")
		if _, err := b.CreateRequest(context.Background(), bob, broker.RequestInput{Profile: "prod", Justification: "I would like it please"}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestApproveOfUnusableRequestIsRefused: when the policy changed so that
// the request could no longer be used, approve is a conflict and leaves
// the request pending; deny still works.
func TestApproveOfUnusableRequestIsRefused(t *testing.T) {
	f := sessionFixture(t)
	f.setPolicy(strings.Replace(denyPolicy, `users: ["arn:aws:iam::111122223333:user/alice"]}`, `users: ["arn:aws:iam::111122223333:user/nobody"]}`, 1))
	ctx := context.Background()
	ba, alice := f.as("alice")
	r, err := ba.CreateRequest(ctx, alice, broker.RequestInput{Profile: "prod", Justification: "I would like it please"})
	if err != nil {
		t.Fatal(err)
	}
	f.setPolicy(denyPolicy)
	bb, bob := f.as("bob")
	_, err = bb.Review(ctx, bob, r.ID, request.ActionApprove, "")
	var ne *broker.NotApprovableError
	if !errors.As(err, &ne) || !errors.Is(err, request.ErrConflict) || errors.Is(err, broker.ErrForbidden) || ne.RequestID != r.ID {
		t.Fatalf("approve: %v, want a NotApprovableError matching request.ErrConflict", err)
	}
	if got, _ := bb.GetRequest(ctx, bob, r.ID); got.Status != request.StatusPending || len(got.Reviews) != 0 {
		t.Fatalf("after the refused approval: %+v", got)
	}
	if d, _, ok := bb.RequesterDecision(alice.Identity, "prod", f.now); ok || d.Rule != "contractors-never-prod" {
		t.Errorf("RequesterDecision: %+v %v", d, ok)
	}
	if got, err := bb.Review(ctx, bob, r.ID, request.ActionDeny, "no"); err != nil || got.Status != request.StatusDenied {
		t.Fatalf("deny: %v", err)
	}
}

// TestBreakglassStillLiftsRequireApproval pins what break-glass keeps
// doing: it lifts require_approval as well as a deny.
func TestBreakglassStillLiftsRequireApproval(t *testing.T) {
	f := newFixture(t, strings.Replace(denyPolicy, "contractors-never-prod\n    effect: deny", "contractors-never-prod\n    effect: require_approval", 1))
	e := f.breakGlass("prod", f.now.Add(-time.Minute), time.Hour)
	g, err := f.issue("prod", 0)
	if err != nil || g.BreakglassID != e.ID {
		t.Fatalf("%v %+v", err, g)
	}
}
