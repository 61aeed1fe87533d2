package broker_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/request"
)

// These tests write approval and break-glass records straight into the
// store, as anyone who can write the embedded file or the table can, and
// check that the broker re-checks each record against the current policy
// before it lifts a denial.

const (
	carolARN   = "arn:aws:iam::111122223333:user/carol"
	malloryARN = "arn:aws:iam::111122223333:user/mallory"
)

// recheckPolicy names every principal by full ARN, so that it means the
// same whatever bare names come to mean.
const recheckPolicy = `version: "1"
rules:
  - name: prod
    effect: require_approval
    conditions: {profiles: [prod]}
    reason: prod needs a second person
approvals:
  - name: prod-approvers
    profiles: [prod]
    approvers: [arn:aws:iam::111122223333:user/bob, arn:aws:iam::111122223333:user/carol]
    required: REQUIRED
    max_duration: MAXDUR
AUTO
breakglass:
  - name: prod-oncall
    profiles: [prod]
    users: [BGUSER]
    reason_codes: [REASONS]
    max_duration: BGMAX
`

// policyWith fills recheckPolicy's blanks; unset keys get the defaults.
func policyWith(kv ...string) string {
	repl := map[string]string{"REQUIRED": "1", "MAXDUR": "4h", "AUTO": "", "BGUSER": aliceARN, "REASONS": "incident", "BGMAX": "4h"}
	for i := 0; i+1 < len(kv); i += 2 {
		repl[kv[i]] = kv[i+1]
	}
	y := recheckPolicy
	for k, v := range repl {
		y = strings.ReplaceAll(y, k, v)
	}
	return y
}

const autoForAlice = `    auto_approve:
      users: [arn:aws:iam::111122223333:user/alice]
      max_duration: 30m`

func review(name, arn string, at time.Time) request.Review {
	return request.Review{User: name, ARN: arn, Action: request.ActionApprove, At: at}
}

// writeApproved stores, as a client could, a request by alice for prod
// that says it was approved at decided for d, with the given reviews.
func (f *fixture) writeApproved(decided time.Time, d time.Duration, auto bool, reviews ...request.Review) *request.Request {
	f.t.Helper()
	id, err := request.NewID()
	if err != nil {
		f.t.Fatal(err)
	}
	created := decided.Add(-time.Minute)
	if auto {
		created = decided
	}
	r := &request.Request{
		ID: id, Requester: "alice", RequesterARN: aliceARN, Profile: "prod", Justification: "written by hand",
		Duration: d, Status: request.StatusApproved, Required: 1, AutoApproved: auto,
		CreatedAt: created, UpdatedAt: decided, DecidedAt: decided, ExpiresAt: created.Add(24 * time.Hour), Reviews: reviews,
	}
	st := f.openStore()
	defer st.Close()
	if err := st.Requests().Create(context.Background(), r); err != nil {
		f.t.Fatal(err)
	}
	return r
}

// writeEvent stores an active break-glass event of alice's on prod.
func (f *fixture) writeEvent(opened time.Time, d time.Duration, reason breakglass.ReasonCode) *breakglass.Event {
	f.t.Helper()
	id, err := breakglass.NewID()
	if err != nil {
		f.t.Fatal(err)
	}
	e := &breakglass.Event{
		ID: id, Invoker: "alice", InvokerARN: aliceARN, Profile: "prod", ReasonCode: reason,
		Justification: "written by hand, no incident", Duration: d, Status: breakglass.StatusActive,
		OpenedAt: opened, ExpiresAt: opened.Add(d),
	}
	st := f.openStore()
	defer st.Close()
	if err := st.Breakglass().Open(context.Background(), e, breakglass.Limits{}); err != nil {
		f.t.Fatal(err)
	}
	return e
}

func TestRecordsAreRecheckedAtUse(t *testing.T) {
	tests := []struct {
		name   string
		policy string
		setup  func(f *fixture) string // returns the ID of the grant expected, "" for a denial
		// maxSecs is the DurationSeconds expected when allowed (about, never more).
		maxSecs int
	}{
		{name: "genuine approval by a current approver counts", policy: policyWith(), maxSecs: 3600,
			setup: func(f *fixture) string {
				return f.writeApproved(f.now.Add(-time.Minute), 2*time.Hour, false, review("bob", bobARN, f.now.Add(-time.Minute))).ID
			}},
		{name: "approved by someone who is not an approver", policy: policyWith(),
			setup: func(f *fixture) string {
				f.writeApproved(f.now.Add(-time.Minute), time.Hour, false, review("mallory", malloryARN, f.now.Add(-time.Minute)))
				return ""
			}},
		{name: "approver's name paired with another ARN", policy: policyWith(),
			setup: func(f *fixture) string {
				f.writeApproved(f.now.Add(-time.Minute), time.Hour, false, review("bob", malloryARN, f.now.Add(-time.Minute)))
				return ""
			}},
		{name: "approved with no review at all", policy: policyWith(),
			setup: func(f *fixture) string {
				f.writeApproved(f.now.Add(-time.Minute), time.Hour, false)
				return ""
			}},
		{name: "approved by the requester", policy: policyWith(),
			setup: func(f *fixture) string {
				f.writeApproved(f.now.Add(-time.Minute), time.Hour, false, review("alice", aliceARN, f.now.Add(-time.Minute)))
				return ""
			}},
		{name: "approved by the requester under another case", policy: policyWith(),
			setup: func(f *fixture) string {
				f.writeApproved(f.now.Add(-time.Minute), time.Hour, false,
					review("bob", bobARN, f.now.Add(-time.Minute)), review("ALICE", strings.ToUpper(aliceARN), f.now.Add(-time.Minute)))
				return ""
			}},
		{name: "one approver where two are required", policy: policyWith("REQUIRED", "2"),
			setup: func(f *fixture) string {
				f.writeApproved(f.now.Add(-time.Minute), time.Hour, false, review("bob", bobARN, f.now.Add(-time.Minute)))
				return ""
			}},
		{name: "one approver twice, by case, where two are required", policy: policyWith("REQUIRED", "2"),
			setup: func(f *fixture) string {
				f.writeApproved(f.now.Add(-time.Minute), time.Hour, false,
					review("bob", bobARN, f.now.Add(-2*time.Minute)), review("BOB", strings.Replace(bobARN, "bob", "BOB", 1), f.now.Add(-time.Minute)))
				return ""
			}},
		{name: "two distinct approvers where two are required", policy: policyWith("REQUIRED", "2"), maxSecs: 3600,
			setup: func(f *fixture) string {
				return f.writeApproved(f.now.Add(-time.Minute), time.Hour+time.Minute, false,
					review("bob", bobARN, f.now.Add(-2*time.Minute)), review("carol", carolARN, f.now.Add(-time.Minute))).ID
			}},
		{name: "approval decided in the future", policy: policyWith(),
			setup: func(f *fixture) string {
				f.writeApproved(f.now.Add(2*time.Hour), time.Hour, false, review("bob", bobARN, f.now.Add(2*time.Hour)))
				return ""
			}},
		{name: "auto-approval with no auto_approve in the policy", policy: policyWith(),
			setup: func(f *fixture) string {
				f.writeApproved(f.now.Add(-time.Minute), 30*time.Minute, true)
				return ""
			}},
		{name: "auto-approval the current auto_approve covers", policy: policyWith("AUTO", autoForAlice), maxSecs: 29 * 60,
			setup: func(f *fixture) string { return f.writeApproved(f.now.Add(-time.Minute), 30*time.Minute, true).ID }},
		{name: "auto-approval longer than the current auto max_duration", policy: policyWith("AUTO", autoForAlice),
			setup: func(f *fixture) string {
				f.writeApproved(f.now.Add(-time.Minute), time.Hour, true)
				return ""
			}},
		{name: "approval capped by a lowered max_duration", policy: policyWith("MAXDUR", "30m"), maxSecs: 25 * 60,
			setup: func(f *fixture) string {
				return f.writeApproved(f.now.Add(-5*time.Minute), 2*time.Hour, false, review("bob", bobARN, f.now.Add(-5*time.Minute))).ID
			}},
		{name: "genuine break-glass counts", policy: policyWith(), maxSecs: 3600,
			setup: func(f *fixture) string {
				return f.writeEvent(f.now.Add(-time.Minute), 2*time.Hour, breakglass.ReasonIncident).ID
			}},
		{name: "break-glass with a reason code no longer allowed", policy: policyWith(),
			setup: func(f *fixture) string {
				f.writeEvent(f.now.Add(-time.Minute), time.Hour, breakglass.ReasonMaintenance)
				return ""
			}},
		{name: "break-glass whose invoker is no longer in the rule", policy: policyWith("BGUSER", bobARN),
			setup: func(f *fixture) string {
				f.writeEvent(f.now.Add(-time.Minute), time.Hour, breakglass.ReasonIncident)
				return ""
			}},
		{name: "break-glass capped by a lowered max_duration", policy: policyWith("BGMAX", "30m"), maxSecs: 20 * 60,
			setup: func(f *fixture) string {
				return f.writeEvent(f.now.Add(-10*time.Minute), 2*time.Hour, breakglass.ReasonIncident).ID
			}},
		{name: "the longer of two approvals, not the newer", policy: policyWith(), maxSecs: 3600,
			setup: func(f *fixture) string {
				long := f.writeApproved(f.now.Add(-10*time.Minute), 4*time.Hour, false, review("bob", bobARN, f.now.Add(-10*time.Minute)))
				f.writeApproved(f.now.Add(-time.Minute), 30*time.Minute, false, review("bob", bobARN, f.now.Add(-time.Minute)))
				return long.ID
			}},
		{name: "a longer approval over a newer one too short for STS", policy: policyWith(), maxSecs: 30 * 60,
			setup: func(f *fixture) string {
				long := f.writeApproved(f.now.Add(-30*time.Minute), time.Hour, false, review("bob", bobARN, f.now.Add(-30*time.Minute)))
				f.writeApproved(f.now.Add(-20*time.Minute), 30*time.Minute, false, review("bob", bobARN, f.now.Add(-20*time.Minute)))
				return long.ID
			}},
		{name: "a longer break-glass over a shorter approval", policy: policyWith(), maxSecs: 3600,
			setup: func(f *fixture) string {
				f.writeApproved(f.now.Add(-50*time.Minute), time.Hour, false, review("bob", bobARN, f.now.Add(-50*time.Minute)))
				return f.writeEvent(f.now.Add(-time.Minute), 2*time.Hour, breakglass.ReasonIncident).ID
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.policy)
			want := tt.setup(f)
			g, err := f.issue("prod", 0)
			if want == "" {
				if !errors.Is(err, broker.ErrDenied) || g != nil {
					t.Fatalf("got %v (grant %v), want a denial", err, g != nil)
				}
				if n := len(f.sts.CallsOf("AssumeRole")); n != 0 {
					t.Errorf("%d AssumeRole calls for a refusal", n)
				}
				if d := f.lastDecision(); d.Effect != "deny" || d.ApprovalID != "" || d.BreakglassID != "" {
					t.Errorf("logged %+v, want a plain deny", d)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := g.ApprovalID + g.BreakglassID; got != want {
				t.Errorf("grant used %q, want %q", got, want)
			}
			if secs := f.lastAssumeDuration(); secs > tt.maxSecs || secs < tt.maxSecs-60 {
				t.Errorf("DurationSeconds %d, want about %d and never more", secs, tt.maxSecs)
			}
		})
	}
}

// Only grants too short for STS: the longest is chosen and reported as
// too short, as before.
func TestOnlyShortGrantsAreTooShort(t *testing.T) {
	f := newFixture(t, policyWith())
	f.writeApproved(f.now.Add(-50*time.Minute), time.Hour, false, review("bob", bobARN, f.now.Add(-50*time.Minute)))
	f.writeEvent(f.now.Add(-55*time.Minute), time.Hour, breakglass.ReasonIncident)
	if _, err := f.issue("prod", 0); !errors.Is(err, broker.ErrWindowTooShort) {
		t.Fatalf("got %v, want ErrWindowTooShort", err)
	}
}

func (f *fixture) actor() (*broker.Broker, *broker.Actor) {
	f.t.Helper()
	b := f.broker()
	a, err := b.Identify(context.Background(), "prod")
	if err != nil {
		f.t.Fatal(err)
	}
	return b, a
}

func TestLifecycleEntriesNameThePolicy(t *testing.T) {
	f := newFixture(t, policyWith("AUTO", autoForAlice))
	b, a := f.actor()
	ctx := context.Background()
	r, err := b.CreateRequest(ctx, a, broker.RequestInput{Profile: "prod", Justification: "deploy the hotfix", Duration: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	e, err := b.OpenBreakglass(ctx, a, broker.BreakglassInput{Profile: "prod", ReasonCode: "incident", Justification: "the database is on fire, paging"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.CloseBreakglass(ctx, a, e.ID, "fixed"); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		logging.EventRequestCreated: r.ID, logging.EventRequestApproved: r.ID,
		logging.EventBreakglassOpened: e.ID, logging.EventBreakglassClosed: e.ID,
	}
	for _, entry := range readLog(t, f.logPath) {
		if entry.Event == logging.EventDecision {
			continue
		}
		if want[entry.Event] != entry.Subject {
			t.Errorf("unexpected entry %+v", entry)
		}
		delete(want, entry.Event)
		if entry.PolicyPath != "policy.yaml" || entry.PolicySHA256 != f.policy.SHA256 || len(entry.PolicySHA256) != 64 {
			t.Errorf("%s: policy %q %q, want %q %q", entry.Event, entry.PolicyPath, entry.PolicySHA256, "policy.yaml", f.policy.SHA256)
		}
	}
	if len(want) != 0 {
		t.Errorf("entries missing: %v", want)
	}
}

// Listing treats a lapsed record as expired, for requests and break-glass
// alike, finds it together with recorded expiries when asked for expired
// ones, and writes nothing; the first change to a lapsed record records
// its expiry, once.
func TestListingByEffectiveStatus(t *testing.T) {
	f := newFixture(t, policyWith())
	ctx := context.Background()
	st := f.openStore()
	lapsedReq := &request.Request{ID: "00000000000000a1", Requester: "alice", RequesterARN: aliceARN, Profile: "prod",
		Justification: "waited too long", Duration: time.Hour, Status: request.StatusPending, Required: 1,
		CreatedAt: f.now.Add(-26 * time.Hour), UpdatedAt: f.now.Add(-26 * time.Hour), ExpiresAt: f.now.Add(-2 * time.Hour)}
	recordedReq := *lapsedReq
	recordedReq.ID, recordedReq.CreatedAt = "00000000000000a2", f.now.Add(-25*time.Hour)
	pendingReq := *lapsedReq
	pendingReq.ID, pendingReq.CreatedAt, pendingReq.ExpiresAt = "00000000000000a3", f.now.Add(-time.Hour), f.now.Add(time.Hour)
	for _, r := range []*request.Request{lapsedReq, &recordedReq, &pendingReq} {
		if err := st.Requests().Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Requests().Change(ctx, recordedReq.ID, func(r *request.Request) error { return r.Expire(f.now) }); err != nil {
		t.Fatal(err)
	}
	mkEvent := func(id string, opened time.Time, profile string) *breakglass.Event {
		e := &breakglass.Event{ID: id, Invoker: "alice", InvokerARN: aliceARN, Profile: profile, ReasonCode: breakglass.ReasonIncident,
			Justification: "the database is on fire, paging", Duration: time.Hour, Status: breakglass.StatusActive, OpenedAt: opened, ExpiresAt: opened.Add(time.Hour)}
		if err := st.Breakglass().Open(ctx, e, breakglass.Limits{}); err != nil {
			t.Fatal(err)
		}
		return e
	}
	mkEvent("00000000000000b1", f.now.Add(-3*time.Hour), "prod")
	recordedEv := mkEvent("00000000000000b2", f.now.Add(-5*time.Hour), "dev")
	mkEvent("00000000000000b3", f.now.Add(-time.Minute), "prod2")
	if _, err := st.Breakglass().Change(ctx, recordedEv.ID, func(e *breakglass.Event) error { return e.Expire(f.now) }); err != nil {
		t.Fatal(err)
	}
	st.Close()

	b, a := f.actor()
	for round := range 2 {
		reqs, err := b.ListRequests(ctx, a, request.Query{Status: request.StatusExpired})
		if err != nil {
			t.Fatal(err)
		}
		if got := requestIDs(reqs); got != "00000000000000a2 00000000000000a1" {
			t.Errorf("round %d: expired requests %s", round, got)
		}
		all, err := b.ListRequests(ctx, a, request.Query{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range all {
			if want := map[string]request.Status{"00000000000000a3": request.StatusPending}[r.ID]; want == "" && r.EffectiveStatus(f.now) != request.StatusExpired || want != "" && r.EffectiveStatus(f.now) != want {
				t.Errorf("round %d: request %s listed as %s", round, r.ID, r.EffectiveStatus(f.now))
			}
		}
		events, err := b.ListBreakglass(ctx, a, breakglass.Query{Status: breakglass.StatusExpired})
		if err != nil {
			t.Fatal(err)
		}
		if got := eventIDs(events); got != "00000000000000b1 00000000000000b2" {
			t.Errorf("round %d: expired events %s", round, got)
		}
		active, err := b.ListBreakglass(ctx, a, breakglass.Query{Status: breakglass.StatusActive})
		if err != nil {
			t.Fatal(err)
		}
		if got := eventIDs(active); got != "00000000000000b3" {
			t.Errorf("round %d: active events %s", round, got)
		}
	}
	if data, _ := os.ReadFile(f.logPath); len(data) != 0 {
		t.Errorf("listing logged %s, want nothing", data)
	}
	for range 2 {
		if _, err := b.CloseBreakglass(ctx, a, "00000000000000b1", "too late"); !errors.Is(err, breakglass.ErrTransition) {
			t.Errorf("closing a lapsed event: %v", err)
		}
	}
	st = f.openStore()
	defer st.Close()
	if r, _ := st.Requests().Get(ctx, "00000000000000a1"); r.Status != request.StatusPending {
		t.Errorf("listing changed a lapsed request to %s", r.Status)
	}
	if e, _ := st.Breakglass().Get(ctx, "00000000000000b1"); e.Status != breakglass.StatusExpired {
		t.Errorf("closing a lapsed event left it %s", e.Status)
	}
	var logged []string
	for _, e := range readLog(t, f.logPath) {
		logged = append(logged, e.Event+" "+e.Subject)
		if e.PolicyPath != "policy.yaml" || e.PolicySHA256 != f.policy.SHA256 {
			t.Errorf("%s names policy %q %q", e.Event, e.PolicyPath, e.PolicySHA256)
		}
	}
	if got := strings.Join(logged, ","); got != "breakglass.expired 00000000000000b1" {
		t.Errorf("logged %s, want the event's expiry once", got)
	}
}

func requestIDs(reqs []*request.Request) string {
	var ids []string
	for _, r := range reqs {
		ids = append(ids, r.ID)
	}
	return strings.Join(ids, " ")
}

func eventIDs(events []*breakglass.Event) string {
	var ids []string
	for _, e := range events {
		ids = append(ids, e.ID)
	}
	return strings.Join(ids, " ")
}
