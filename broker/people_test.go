package broker_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/vault"
)

// A person is never a name the caller chose: these tests give a role
// session the name of a user, or one role several session names, and
// check that limits, listings and approver counts follow person keys.

// roleSession gives the fixture keys (under profile keyProfile) that STS
// says belong to session sess of role ci.
func (f *fixture) roleSession(keyProfile, key, role, sess string) string {
	f.t.Helper()
	arn := "arn:aws:sts::111122223333:assumed-role/" + role + "/" + sess
	f.sts.AddUser(key, arn, "111122223333")
	if err := vault.NewKeyStore(f.kr).Set(keyProfile, vault.Credentials{AccessKeyID: key, SecretAccessKey: "not-a-real-secret"}); err != nil {
		f.t.Fatal(err)
	}
	return arn
}

// TestNamesakeCannotFillPendingLimit: a role session named alice files as
// many pending requests as --force allows; alice's own requests still go
// through, and that role's other session names share its limit.
func TestNamesakeCannotFillPendingLimit(t *testing.T) {
	f := sessionFixture(t)
	f.setPolicy(requestsPolicy)
	f.roleSession("ci-alice", "ASIAFAKECIALICE1", "ci", "alice")
	f.roleSession("ci-other", "ASIAFAKECIOTHER1", "ci", "other")
	ctx := context.Background()
	in := broker.RequestInput{Profile: "prod", Justification: "deploy the hotfix", Duration: 30 * time.Minute}

	bn, namesake := f.as("ci-alice")
	for i := 0; i < broker.MaxPendingPerProfile; i++ {
		in.Force = i > 0
		if _, err := bn.CreateRequest(ctx, namesake, in); err != nil {
			t.Fatalf("namesake's request %d: %v", i+1, err)
		}
	}
	bo, other := f.as("ci-other")
	in.Force = true
	if _, err := bo.CreateRequest(ctx, other, in); !errors.Is(err, broker.ErrDuplicateRequest) {
		t.Fatalf("the same role under another session name: %v, want ErrDuplicateRequest", err)
	}
	in.Force = false
	if _, err := bo.CreateRequest(ctx, other, in); !errors.Is(err, broker.ErrDuplicateRequest) {
		t.Fatalf("the same role under another session name, no --force: %v, want ErrDuplicateRequest", err)
	}

	ba, alice := f.as("alice")
	mine, err := ba.CreateRequest(ctx, alice, in)
	if err != nil {
		t.Fatalf("alice's own request after a role session named alice filled its limit: %v", err)
	}
	// alice's own listing holds her request only, not the namesake's.
	own, err := ba.ListRequests(ctx, alice, request.Query{})
	if err != nil || len(own) != 1 || own[0].ID != mine.ID {
		t.Fatalf("alice's own requests: %v %v", requestIDs(own), err)
	}
	// The namesake cannot cancel alice's request.
	if _, err := bn.CancelRequest(ctx, namesake, mine.ID); !errors.Is(err, broker.ErrForbidden) {
		t.Fatalf("namesake cancelling alice's request: %v, want ErrForbidden", err)
	}
}

// TestNamesakeCannotHoldBreakglassLock: a role session named alice opens
// break-glass on prod; alice still can, and the role cannot open a second
// one on prod under another session name.
func TestNamesakeCannotHoldBreakglassLock(t *testing.T) {
	f := sessionFixture(t)
	f.setPolicy(strings.Replace(requestsPolicy, "approvals:", `breakglass:
  - name: oncall
    profiles: [prod]
    users: ["arn:aws:iam::111122223333:user/alice", "arn:aws:sts::111122223333:assumed-role/ci/*"]
    max_per_day: 1
approvals:`, 1))
	f.roleSession("ci-alice", "ASIAFAKECIALICE1", "ci", "alice")
	f.roleSession("ci-other", "ASIAFAKECIOTHER1", "ci", "other")
	ctx := context.Background()
	in := broker.BreakglassInput{Profile: "prod", ReasonCode: "incident", Justification: "the database is on fire"}
	bn, namesake := f.as("ci-alice")
	if _, err := bn.OpenBreakglass(ctx, namesake, in); err != nil {
		t.Fatal(err)
	}
	ba, alice := f.as("alice")
	if _, err := ba.OpenBreakglass(ctx, alice, in); err != nil {
		t.Fatalf("alice's break-glass after a role session named alice opened one: %v", err)
	}
	bo, other := f.as("ci-other")
	if _, err := bo.OpenBreakglass(ctx, other, in); err == nil {
		t.Fatal("the role opened a second event under another session name")
	}
	// Only her own appear as alice's.
	own, err := ba.ListBreakglass(ctx, alice, breakglassQuery())
	if err != nil || len(own) != 1 || own[0].InvokerARN != aliceARN {
		t.Fatalf("alice's own events: %v %v", eventIDs(own), err)
	}
}

// TestApproverRoleCountsOnce: one person who can assume an approver role
// under two session names satisfies required: 2 once, both when the
// request is reviewed and when a written record is re-checked at use.
func TestApproverRoleCountsOnce(t *testing.T) {
	const approvers = "arn:aws:sts::111122223333:assumed-role/approvers/*"
	f := newFixture(t, strings.Replace(policyWith("REQUIRED", "2"), "approvers: [arn:aws:iam::111122223333:user/bob,", "approvers: [\""+approvers+"\",", 1))
	x := "arn:aws:sts::111122223333:assumed-role/approvers/x"
	y := "arn:aws:sts::111122223333:assumed-role/approvers/y"
	f.writeApproved(f.now.Add(-time.Minute), time.Hour, false, review("x", x, f.now.Add(-2*time.Minute)), review("y", y, f.now.Add(-time.Minute)))
	if _, err := f.issue("prod", 0); !errors.Is(err, broker.ErrDenied) {
		t.Fatalf("two session names of one approver role: %v, want a denial", err)
	}
	// With carol as the second person, the role's approval counts.
	f.writeApproved(f.now.Add(-time.Minute), time.Hour, false, review("x", x, f.now.Add(-2*time.Minute)), review("carol", carolARN, f.now.Add(-time.Minute)))
	if g, err := f.issue("prod", 0); err != nil || g.ApprovalID == "" {
		t.Fatalf("an approver role and carol: %v", err)
	}
}

// breakglassQuery is the query of "my events": no filter.
func breakglassQuery() breakglass.Query { return breakglass.Query{} }

// TestNamesakeGetsNoUserLabel: a role session named alice never carries a
// SourceIdentity (or role session name) that starts as alice's does, and
// every session of the role carries the same label.
func TestNamesakeGetsNoUserLabel(t *testing.T) {
	f := newFixture(t, strings.Replace(basePolicy, "profiles: [dev, dev2]", "profiles: [dev, dev2, ci-dev, ci-dev-other]", 1))
	f.roleSession("ci-alice", "ASIAFAKECIALICE1", "ci", "alice")
	f.roleSession("ci-other", "ASIAFAKECIOTHER1", "ci", "other")
	cfg := awsConfig + "[profile ci-alice]\nregion = eu-west-1\n[profile ci-other]\nregion = eu-west-1\n" +
		"[profile ci-dev]\nsource_profile = ci-alice\nrole_arn = arn:aws:iam::111122223333:role/dev\n" +
		"[profile ci-dev-other]\nsource_profile = ci-other\nrole_arn = arn:aws:iam::111122223333:role/dev\n"
	aliceGrant, err := f.issue("dev", 0)
	if err != nil {
		t.Fatal(err)
	}
	alicePrefix, err := f.broker().LabelPrefix(aliceARN)
	if err != nil || alicePrefix != "sentinel.alice." || !strings.HasPrefix(aliceGrant.SourceIdentity, alicePrefix) {
		t.Fatalf("alice's SourceIdentity %q, prefix %q (%v)", aliceGrant.SourceIdentity, alicePrefix, err)
	}
	var labels []string
	for _, profile := range []string{"ci-dev", "ci-dev-other"} {
		g, err := f.brokerWithConfig(cfg).Issue(context.Background(), broker.Input{Profile: profile, Mode: "cli", NoSession: true})
		if err != nil {
			t.Fatalf("%s: %v", profile, err)
		}
		if strings.HasPrefix(g.SourceIdentity, alicePrefix) {
			t.Fatalf("a role session named alice got SourceIdentity %q", g.SourceIdentity)
		}
		si, err := broker.ParseSourceIdentity(g.SourceIdentity)
		if err != nil {
			t.Fatal(err)
		}
		labels = append(labels, si.Label)
		call := f.sts.CallsOf("AssumeRole")
		if name := call[len(call)-1].Params.Get("RoleSessionName"); name == "sentinel-alice" {
			t.Fatalf("role session name %q", name)
		}
	}
	if labels[0] != labels[1] || labels[0] != "ci=r111122223333" {
		t.Errorf("labels of one role's sessions: %v", labels)
	}
}

// TestAnchorsArePeople: a team anchor belongs to the caller's person key:
// a role's sessions share it whatever their names, and a role session named
// alice neither sees nor moves alice's.
func TestAnchorsArePeople(t *testing.T) {
	f := newFixture(t, basePolicy)
	st := f.openStore()
	defer st.Close()
	svc := &broker.Service{Broker: f.broker(), Anchors: st}
	ctx := context.Background()
	id := func(arn string) vault.Identity {
		t.Helper()
		v, err := vault.ParseIdentity(arn, "111122223333", "AIDAFAKE")
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	hash := func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }
	x, y := id("arn:aws:sts::111122223333:assumed-role/ci/x"), id("arn:aws:sts::111122223333:assumed-role/ci/alice")
	if err := svc.RecordAnchor(ctx, x, logging.Head{Log: "laptop", Seq: 10, Hash: hash("10")}); err != nil {
		t.Fatal(err)
	}
	if h, ok, err := svc.LastAnchor(ctx, y, "laptop"); err != nil || !ok || h.Seq != 10 {
		t.Fatalf("another session of the role: %+v %v %v", h, ok, err)
	}
	if err := svc.RecordAnchor(ctx, y, logging.Head{Log: "laptop", Seq: 5, Hash: hash("5")}); !errors.Is(err, logging.ErrAnchorBehind) {
		t.Fatalf("moving the role's anchor back under another session name: %v", err)
	}
	if _, ok, err := svc.LastAnchor(ctx, id(aliceARN), "laptop"); err != nil || ok {
		t.Fatalf("alice sees the anchor of a role session named alice: %v %v", ok, err)
	}
}

// TestOwnSessionsArePeople: "my sessions" are the person's: an IAM Identity
// Center user's in every account, and never those of a role session or a
// user of another account that carries the same name.
func TestOwnSessionsArePeople(t *testing.T) {
	f := sessionFixture(t)
	f.roleSession("sso-alice", "ASIAFAKESSOALICE", "AWSReservedSSO_Dev_0123", "alice")
	ssoHome := "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Dev_0123/alice"
	ssoOther := "arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_Ops_4567/alice"
	mine1 := f.startSession(ssoHome, "dev", f.now.Add(-time.Minute), f.now.Add(time.Hour))
	mine2 := f.startSession(ssoOther, "dev", f.now.Add(-2*time.Minute), f.now.Add(time.Hour))
	f.startSession(aliceARN, "dev", f.now.Add(-3*time.Minute), f.now.Add(time.Hour))
	f.startSession("arn:aws:sts::111122223333:assumed-role/ci/alice", "dev", f.now.Add(-4*time.Minute), f.now.Add(time.Hour))
	b, sso := f.as("sso-alice")
	got, err := b.ListSessions(context.Background(), sso, session.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range got {
		ids = append(ids, s.ID)
	}
	if len(ids) != 2 || ids[0] != mine1.ID || ids[1] != mine2.ID {
		t.Fatalf("the SSO user's own sessions: %v, want %s and %s", ids, mine1.ID, mine2.ID)
	}
}
