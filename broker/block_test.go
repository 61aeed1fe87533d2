package broker_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/store/local"
)

// blockPolicy makes bob and dave approvers of prod and dev, by ARN.
const blockPolicy = `version: "1"
rules:
  - name: dev
    effect: allow
    conditions: {profiles: [dev, dev2]}
  - name: prod
    effect: require_approval
    conditions: {profiles: [prod]}
approvals:
  - name: approvers
    profiles: [prod, dev]
    approvers: ["arn:aws:iam::111122223333:user/bob", "arn:aws:iam::444455556666:user/dave"]
`

// pendingRequest stores a pending request by alice for profile.
func (f *fixture) pendingRequest(profile string) *request.Request {
	f.t.Helper()
	id, err := request.NewID()
	if err != nil {
		f.t.Fatal(err)
	}
	r, err := request.New(request.NewParams{ID: id, Requester: "alice", RequesterARN: aliceARN, Profile: profile,
		Justification: "a test needs it", Duration: time.Hour, Now: f.now.Add(-time.Minute)})
	if err != nil {
		f.t.Fatal(err)
	}
	st := f.openStore()
	defer st.Close()
	if err := st.Requests().Create(context.Background(), r); err != nil {
		f.t.Fatal(err)
	}
	return r
}

// A blocked approver approves, denies, blocks, unblocks, revokes and closes
// nothing of anyone else's; they may still end their own session.
func TestBlockedApproverActsOnNobody(t *testing.T) {
	f := sessionFixture(t)
	f.setPolicy(blockPolicy)
	ctx := context.Background()
	// bob's session, started before the block, is revoked by it.
	own := f.startSession(bobARN, "dev", f.now.Add(-time.Minute), f.now.Add(time.Hour))
	db, dave := f.as("dave")
	if _, err := db.RevokeUser(ctx, dave, bobARN, "keys leaked", 0); err != nil {
		t.Fatalf("dave blocks bob: %v", err)
	}
	if _, err := db.RevokeUser(ctx, dave, carolARN, "left", 0); err != nil {
		t.Fatalf("dave blocks carol: %v", err)
	}
	pending := f.pendingRequest("prod")
	aliceSession := f.startSession(aliceARN, "prod", f.now.Add(-time.Minute), f.now.Add(time.Hour))
	event := f.breakGlass("prod", f.now.Add(-time.Minute), time.Hour)

	b, bob := f.as("bob")
	for name, op := range map[string]func() error{
		"approve":         func() error { _, err := b.Review(ctx, bob, pending.ID, request.ActionApprove, ""); return err },
		"deny":            func() error { _, err := b.Review(ctx, bob, pending.ID, request.ActionDeny, ""); return err },
		"block":           func() error { _, err := b.RevokeUser(ctx, bob, aliceARN, "revenge", 0); return err },
		"unblock another": func() error { return b.UnblockUser(ctx, bob, carolARN) },
		"unblock himself": func() error { return b.UnblockUser(ctx, bob, bobARN) },
		"revoke another's session": func() error {
			_, err := b.RevokeSession(ctx, bob, aliceSession.ID, "revenge")
			return err
		},
		"close another's break-glass": func() error { _, err := b.CloseBreakglass(ctx, bob, event.ID, "revenge"); return err },
	} {
		if err := op(); !errors.Is(err, broker.ErrForbidden) {
			t.Errorf("blocked bob may %s: got %v, want ErrForbidden", name, err)
		}
	}
	if s := f.storedSession(aliceSession.ID); s.Status != session.StatusActive {
		t.Errorf("alice's session is %s", s.Status)
	}
	st := f.openStore()
	if r, err := st.Requests().Get(ctx, pending.ID); err != nil || r.Status != request.StatusPending {
		t.Errorf("request after refused reviews: %+v, %v", r, err)
	}
	if _, ok, _ := st.Sessions().ActiveBlock(ctx, carolARN, f.now); !ok {
		t.Error("bob lifted carol's block")
	}
	if _, ok, _ := st.Sessions().ActiveBlock(ctx, aliceARN, f.now); ok {
		t.Error("bob blocked alice")
	}
	st.Close()

	// His own session he may still end.
	if _, err := b.RevokeSession(ctx, bob, own.ID, "done"); !errors.Is(err, session.ErrTransition) {
		t.Errorf("blocked bob ending his own (already revoked) session: got %v, want the state error, not ErrForbidden", err)
	}
}

// Nobody lifts a block on themselves, even an approver who is not
// blocked (the block has ended for others' purposes only when lifted).
func TestApproverCannotUnblockHimself(t *testing.T) {
	f := sessionFixture(t)
	f.setPolicy(blockPolicy)
	ctx := context.Background()
	st := f.openStore()
	blk := session.Block{UserARN: daveARN, By: "bob", ByARN: bobARN, Reason: "keys leaked", At: f.now}
	if err := st.Sessions().Block(ctx, blk); err != nil {
		t.Fatal(err)
	}
	st.Close()
	b, dave := f.as("dave")
	if err := b.UnblockUser(ctx, dave, daveARN); !errors.Is(err, broker.ErrForbidden) {
		t.Fatalf("dave unblocking himself: got %v, want ErrForbidden", err)
	}
	b, bob := f.as("bob")
	if err := b.UnblockUser(ctx, bob, daveARN); err != nil {
		t.Fatalf("bob unblocking dave: %v", err)
	}
}

// A block on an ARN outside the policy's accounts:, or on what is not a
// caller ARN, is refused before anything is stored.
func TestBlockTargetMustBeServed(t *testing.T) {
	f := sessionFixture(t)
	f.setPolicy(basePolicy) // accounts: ["111122223333"], bob approves
	ctx := context.Background()
	b, bob := f.as("bob")
	for _, arn := range []string{
		"arn:aws:iam::999999999999:user/alice",
		"arn:aws:sts::999999999999:assumed-role/AWSReservedSSO_Admin_0123/alice",
		"arn:aws:iam::111122223333:role/alice",
		"alice",
		"arn:aws:iam::111122223333:user/",
	} {
		if _, err := b.RevokeUser(ctx, bob, arn, "stolen", 0); !errors.Is(err, session.ErrInvalid) {
			t.Errorf("block of %q: got %v, want ErrInvalid", arn, err)
		}
		if err := b.UnblockUser(ctx, bob, arn); !errors.Is(err, session.ErrInvalid) {
			t.Errorf("unblock of %q: got %v, want ErrInvalid", arn, err)
		}
	}
	if len(f.lifecycle()) != 0 {
		t.Errorf("refused blocks logged %+v", f.lifecycle())
	}
}

// A block on one ARN of an IAM Identity Center user covers their sessions
// under every account and permission set.
func TestBlockCoversEveryARNOfThePerson(t *testing.T) {
	f := sessionFixture(t)
	f.setPolicy(blockPolicy)
	ctx := context.Background()
	const (
		ssoA = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/erin"
		ssoB = "arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_ReadOnly_fedcba9876543210/Erin"
	)
	s1 := f.startSession(ssoA, "prod", f.now.Add(-time.Minute), f.now.Add(time.Hour))
	s2 := f.startSession(ssoB, "dev", f.now.Add(-time.Minute), f.now.Add(time.Hour))
	b, bob := f.as("bob")
	res, err := b.RevokeUser(ctx, bob, ssoA, "phished", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Revoked) != 2 {
		t.Errorf("revoked %d sessions, want both of erin's", len(res.Revoked))
	}
	for _, id := range []string{s1.ID, s2.ID} {
		if s := f.storedSession(id); s.Status != session.StatusRevoked {
			t.Errorf("session %s is %s", id, s.Status)
		}
	}
}

// countingOpener counts how often the broker opens the stores.
func countingOpener(f *fixture, n *atomic.Int64) broker.StoreOpener {
	return func(context.Context, broker.Signer) (broker.Stores, error) {
		n.Add(1)
		return local.Open(f.store, local.Options{})
	}
}

// Locally a block refuses exec, credentials, export and login alike (one
// flow, Issue without a session): a cold issue reads the block after STS
// answered; a warm cache hit relies on a check at most five minutes old,
// recorded in the cache entry, and reads no store before that.
func TestBlockRefusesPathsWithoutSession(t *testing.T) {
	f := newFixture(t, basePolicy)
	ctx := context.Background()
	var opens atomic.Int64
	// credential_process relies on a recent check; exec, export and
	// login (mode cli) always read the block.
	issue := func(profile string, use broker.Use) (*broker.Grant, error) {
		b := f.broker()
		b.OpenStores = countingOpener(f, &opens)
		mode := policy.ModeCLI
		if use == broker.UseProcess {
			mode = policy.ModeCredentialProcess
		}
		return b.Issue(ctx, broker.Input{Profile: profile, Mode: mode, Use: use})
	}
	if _, err := issue("dev", broker.UseProcess); err != nil {
		t.Fatalf("before the block: %v", err)
	}
	if opens.Load() != 1 {
		t.Errorf("a cold issue opened the stores %d times, want 1 (the block check)", opens.Load())
	}
	g, err := issue("dev", broker.UseProcess)
	if err != nil || !g.Cached {
		t.Fatalf("warm hit before the block: %+v, %v", g, err)
	}
	if opens.Load() != 1 {
		t.Errorf("a warm hit within five minutes of the check opened the stores (%d opens)", opens.Load())
	}

	st := f.openStore()
	if err := st.Sessions().Block(ctx, session.Block{UserARN: aliceARN, By: "bob", ByARN: bobARN, Reason: "laptop stolen", At: f.now}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	assumes := len(f.sts.CallsOf("AssumeRole"))

	// A warm hit may rely on the check made before the block for up to
	// five minutes, and no longer.
	if _, err := issue("dev", broker.UseProcess); err != nil {
		t.Errorf("warm hit within five minutes of the last check: %v", err)
	}
	f.now = f.now.Add(broker.BlockCheckMaxAge + time.Second)
	for _, use := range []broker.Use{broker.UseProcess, broker.UseExport} {
		if _, err := issue("dev", use); !errors.Is(err, broker.ErrRevoked) {
			t.Errorf("use %q after the block: got %v, want ErrRevoked", use, err)
		}
	}
	// A cold path (no cached credentials) and the console login are
	// refused at once.
	for _, c := range []struct {
		profile string
		use     broker.Use
	}{{"dev2", broker.UseProcess}, {"dev2", broker.UseConsole}} {
		if _, err := issue(c.profile, c.use); !errors.Is(err, broker.ErrRevoked) {
			t.Errorf("use %q %s after the block: got %v, want ErrRevoked", c.use, c.profile, err)
		}
	}
	if d := f.lastDecision(); d.Effect != "deny" {
		t.Errorf("refusal logged as %+v", d)
	}
	_ = assumes
}

// A refusal for a block leaves nothing a warm hit could rely on: once exec
// (or any path that reads the store) has found its person blocked, a warm
// credential_process hit within five minutes of an older check is refused
// too, on this profile and on every other profile cached for that person.
func TestSeenBlockEndsWarmHits(t *testing.T) {
	f := newFixture(t, basePolicy)
	ctx := context.Background()
	issue := func(profile string, mode policy.Mode) (*broker.Grant, error) {
		return f.broker().Issue(ctx, broker.Input{Profile: profile, Mode: mode})
	}
	for _, p := range []string{"dev", "dev2"} {
		if _, err := issue(p, policy.ModeCredentialProcess); err != nil {
			t.Fatalf("%s before the block: %v", p, err)
		}
	}
	st := f.openStore()
	if err := st.Sessions().Block(ctx, session.Block{UserARN: aliceARN, By: "bob", ByARN: bobARN, Reason: "laptop stolen", At: f.now}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	f.now = f.now.Add(time.Minute)
	if _, err := issue("dev", policy.ModeCLI); !errors.Is(err, broker.ErrRevoked) {
		t.Fatalf("exec after the block: got %v, want ErrRevoked", err)
	}
	for _, p := range []string{"dev", "dev2"} {
		if g, err := issue(p, policy.ModeCredentialProcess); !errors.Is(err, broker.ErrRevoked) {
			t.Errorf("credentials %s after exec found the block: got %+v, %v; want ErrRevoked", p, g, err)
		}
	}
	if d := f.lastDecision(); d.Effect != "deny" {
		t.Errorf("last refusal logged as %+v", d)
	}
}

// In the team service a block must also name a principal of the service's
// accounts: the policy may list none (every principal by ARN), and the
// service admits no other caller.
func TestBlockTargetMustBeOfTheServiceAccounts(t *testing.T) {
	f := sessionFixture(t)
	f.setPolicy(`version: "1"
rules:
  - name: dev
    effect: allow
    conditions: {profiles: [dev]}
approvals:
  - name: approvers
    profiles: [dev]
    approvers: ["arn:aws:iam::111122223333:user/bob"]
`)
	ctx := context.Background()
	b, bob := f.as("bob")
	b.ServiceAccounts = []string{"111122223333"}
	if _, err := b.RevokeUser(ctx, bob, "arn:aws:iam::999999999999:user/alice", "stolen", 0); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("block outside the service's accounts: got %v, want ErrInvalid", err)
	}
	if err := b.UnblockUser(ctx, bob, "arn:aws:iam::999999999999:user/alice"); !errors.Is(err, session.ErrInvalid) {
		t.Errorf("unblock outside the service's accounts: got %v, want ErrInvalid", err)
	}
	if _, err := b.RevokeUser(ctx, bob, aliceARN, "stolen", 0); err != nil {
		t.Errorf("block of alice: %v", err)
	}
}
