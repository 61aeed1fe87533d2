package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/store/dynamodb"
	"github.com/sentinel-cli/sentinel/store/local"
)

// Records in the approval store are written by clients, so anyone who can
// write the embedded file or the DynamoDB table can write one. These
// stories write records the way such a person would (with the store's own
// code, bypassing sentinel's checks) and check that the built binary
// re-checks every approval and break-glass event against the current
// policy each time it is used.

// recheckPolicyE2E names principals by full ARN only, so that it means the
// same whatever bare names come to mean.
const recheckPolicyE2E = `version: "1"
rules:
  - name: dev-anytime
    effect: allow
    conditions: {profiles: [dev]}
  - name: prod-needs-approval
    effect: require_approval
    conditions: {profiles: [prod]}
    reason: production needs a second person
  - name: audit-needs-two
    effect: require_approval
    conditions: {profiles: [audit]}
    reason: audit needs two people
approvals:
  - name: prod-second-person
    profiles: [prod]
    approvers: [arn:aws:iam::111122223333:user/bob]
    max_duration: MAXDUR
AUTO
  - name: audit-two-people
    profiles: [audit]
    approvers: [arn:aws:iam::111122223333:user/bob, arn:aws:iam::111122223333:user/carol]
    required: 2
breakglass:
  - name: prod-oncall
    profiles: [prod]
    users: [arn:aws:iam::111122223333:user/alice]
    reason_codes: [REASONS]
    max_duration: 1h
`

func recheckPolicyWith(maxDur, auto, reasons string) string {
	return strings.NewReplacer("MAXDUR", maxDur, "AUTO", auto, "REASONS", reasons).Replace(recheckPolicyE2E)
}

// rawStores is the part of a backend a person with write access to the
// store uses to write records directly.
type rawStores interface {
	Requests() request.Store
	Breakglass() breakglass.Store
}

// openRaw opens the shared store behind sentinel's back; the function it
// returns closes it.
type openRaw func(t *testing.T) (rawStores, func())

func rawLocal(w *world) openRaw {
	return func(t *testing.T) (rawStores, func()) {
		t.Helper()
		s, err := local.Open(w.storePath, local.Options{})
		if err != nil {
			t.Fatalf("open the shared store: %v", err)
		}
		return s, func() { s.Close() }
	}
}

// rawDynamoDB reaches the tables of prefix at endpoint, signing as a
// person who may write them.
func rawDynamoDB(endpoint, prefix string) openRaw {
	return func(t *testing.T) (rawStores, func()) {
		t.Helper()
		t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
		t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
		s, err := dynamodb.New(context.Background(), dynamodb.Options{
			Region: "us-east-1", RequestsTable: prefix + "-requests", BreakglassTable: prefix + "-breakglass",
			Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("AKIAFAKEWRITER01", fakeSecret, "")),
		})
		if err != nil {
			t.Fatalf("open DynamoDB: %v", err)
		}
		return s, func() {}
	}
}

func TestOverridesRecheckedLocal(t *testing.T) {
	w := newWorld(t)
	overridesRechecked(t, w, w.newPerson, rawLocal(w))
}

// overridesRechecked is the story on one backend.
func overridesRechecked(t *testing.T, w *world, newPerson func(string) *person, raw openRaw) {
	w.setPolicy(recheckPolicyWith("4h", "", "incident, security"))
	alice, bob := newPerson("alice"), newPerson("bob")
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	denied := `^sentinel: access to profile (prod|audit) denied for alice`

	// (a) Forged approvals: by someone who is no approver, by the requester,
	// and one approver where two are required.
	forge := func(profile string, reviews ...request.Review) string {
		t.Helper()
		id, err := request.NewID()
		if err != nil {
			t.Fatal(err)
		}
		r := &request.Request{
			ID: id, Requester: "alice", RequesterARN: alice.arn, Profile: profile, Justification: justification,
			Duration: time.Hour, Status: request.StatusApproved, Required: 1,
			CreatedAt: now.Add(-2 * time.Minute), UpdatedAt: now.Add(-time.Minute), DecidedAt: now.Add(-time.Minute),
			ExpiresAt: now.Add(24 * time.Hour), Reviews: reviews,
		}
		s, done := raw(t)
		defer done()
		if err := s.Requests().Create(ctx, r); err != nil {
			t.Fatalf("write a request: %v", err)
		}
		return id
	}
	approval := func(name string) request.Review {
		return request.Review{User: name, ARN: "arn:aws:iam::" + account + ":user/" + name, Action: request.ActionApprove, At: now.Add(-time.Minute)}
	}
	for _, tt := range []struct {
		what    string
		profile string
		reviews []request.Review
	}{
		{"approved by someone who is not an approver", "prod", []request.Review{approval("mallory")}},
		{"approved by the requester", "prod", []request.Review{approval("alice")}},
		{"one approver where two are required", "audit", []request.Review{approval("bob")}},
	} {
		id := forge(tt.profile, tt.reviews...)
		if v := alice.requestView(id); v["status"] != "approved" {
			t.Fatalf("%s: the forged record does not read approved: %v", tt.what, v)
		}
		alice.mustFail(denied, "exec", tt.profile, "--", "true")
		if d := alice.lastDecision(); d["effect"] != "deny" || d["approval_id"] != nil {
			t.Errorf("%s: decision %v", tt.what, d)
		}
	}
	if n := len(w.assumeCalls()); n != 0 {
		t.Fatalf("%d AssumeRole calls after forged approvals", n)
	}

	// (b) An auto-approval created under a policy file of alice's choosing
	// does not count under the team's policy.
	own := filepath.Join(alice.home, "my-policy.yaml")
	autoAlice := "    auto_approve:\n      users: [" + alice.arn + "]\n      max_duration: 1h"
	if err := os.WriteFile(own, []byte(recheckPolicyWith("4h", autoAlice, "incident, security")), 0o600); err != nil {
		t.Fatal(err)
	}
	auto := firstLine(alice.mustRun("--policy", own, "request", "prod", "--justification", justification).stdout)
	if v := alice.wantStatus(auto, "approved"); v["auto_approved"] != true {
		t.Fatalf("not auto-approved under alice's own policy: %v", v)
	}
	alice.mustFail(denied, "exec", "prod", "--", "true")

	// (d) A break-glass event whose reason code the policy no longer allows
	// stops counting.
	bg := firstLine(alice.mustRun("breakglass", "prod", "--reason-code", "security", "--justification", justification).stdout)
	alice.mustRun("exec", "prod", "--", "true")
	if d := alice.lastDecision(); d["breakglass_id"] != bg {
		t.Fatalf("break-glass not used while allowed: %v", d)
	}
	w.setPolicy(recheckPolicyWith("4h", "", "incident"))
	alice.mustFail(denied, "exec", "prod", "--", "true")
	alice.mustRun("breakglass-close", bg, "--reason", "tidying up the test")

	// (e) Of two approvals the one with the longer window is used, not the
	// newer.
	long := alice.newRequest("prod", "--duration", "2h")
	bob.mustRun("approve", long)
	short := alice.newRequest("prod", "--duration", "30m")
	bob.mustRun("approve", short)
	alice.mustRun("exec", "prod", "--", "true")
	if d := alice.lastDecision(); d["approval_id"] != long {
		t.Errorf("used approval %v, want the longer %s (not the newer %s)", d["approval_id"], long, short)
	}
	if secs := durationSeconds(t, w.lastAssume()); secs < 3500 || secs > 3600 {
		t.Errorf("DurationSeconds %d, want the default hour", secs)
	}

	// (c) Lowering the rule's max_duration caps approvals already given.
	w.setPolicy(recheckPolicyWith("20m", "", "incident"))
	out := alice.mustRun("exec", "prod", "--", "env").stdout
	if exp := credentialExpiration(t, out); exp.After(time.Now().Add(20 * time.Minute)) {
		t.Errorf("credentials expire at %s, past the lowered 20m cap", exp)
	}
	if secs := durationSeconds(t, w.lastAssume()); secs > 20*60 || secs < 15*60 {
		t.Errorf("DurationSeconds %d, want at most the lowered 20m", secs)
	}

	// (f) Lifecycle entries name the policy file and its hash.
	sha := func(yaml string) string {
		sum := sha256.Sum256([]byte(yaml))
		return hex.EncodeToString(sum[:])
	}
	teamBefore, teamAfter := sha(recheckPolicyWith("4h", "", "incident, security")), sha(recheckPolicyWith("4h", "", "incident"))
	wantFields(t, "alice's own-policy request.approved", alice.lifecycleEntry("request.approved", auto),
		map[string]any{"policy_path": own, "policy_sha256": sha(recheckPolicyWith("4h", autoAlice, "incident, security"))})
	wantFields(t, "breakglass.opened", alice.lifecycleEntry("breakglass.opened", bg), map[string]any{"policy_path": w.policy, "policy_sha256": teamBefore})
	wantFields(t, "breakglass.closed", alice.lifecycleEntry("breakglass.closed", bg), map[string]any{"policy_path": w.policy, "policy_sha256": teamAfter})
	wantFields(t, "request.created", alice.lifecycleEntry("request.created", long), map[string]any{"policy_path": w.policy, "policy_sha256": teamAfter})
	wantFields(t, "request.approved", bob.lifecycleEntry("request.approved", short), map[string]any{"policy_path": w.policy, "policy_sha256": teamAfter})
}

// overridesOnDynamoDB is the story on DynamoDB Local; TestDynamoDB runs it
// as a subtest, since it owns the one DynamoDB Local of the test binary.
func overridesOnDynamoDB(t *testing.T, endpoint string) {
	const prefix = "e2e-overrides"
	w := newWorld(t)
	w.setPolicy(recheckPolicyWith("4h", "", "incident, security"))
	newPerson := useDynamoDB(w, endpoint, prefix)
	initTables(t, newPerson("admin"), prefix)
	overridesRechecked(t, w, newPerson, rawDynamoDB(endpoint, prefix))
}
