package policy

import (
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// evalPolicy has one rule per kind of condition; the comments give each
// rule's index.
const evalPolicy = `version: "1"
accounts: ["111122223333"]
rules:
  - name: legacy-closed          # 0
    effect: deny
    conditions: {profiles: [legacy]}
    reason: gone
  - name: dev                    # 1
    effect: allow
    conditions: {profiles: [dev, "sandbox-*"]}
    max_duration: 1h
    reason: dev access
  - name: ops                    # 2
    effect: allow
    conditions:
      profiles: [ops]
      users: [alice, "arn:aws:iam::111122223333:user/bob"]
  - name: ci                     # 3
    effect: allow
    conditions: {profiles: [ci], mode: [credential_process]}
  - name: office                 # 4
    effect: allow
    conditions:
      profiles: [staging]
      time:
        days: [monday, tuesday, wednesday, thursday, friday]
        hours: {start: "09:00", end: "18:00"}
        timezone: Europe/Berlin
  - name: friday-night           # 5
    effect: allow
    conditions:
      profiles: [batch]
      time: {days: [friday], hours: {start: "22:00", end: "06:00"}}
  - name: weekend                # 6
    effect: allow
    conditions:
      profiles: [weekend]
      time: {days: [saturday, sunday]}
  - name: data                   # 7
    effect: require_server
    conditions: {profiles: [data]}
    max_duration: 30m
    reason: tracked
  - name: prod                   # 8
    effect: require_approval
    conditions: {profiles: ["prod*"]}
    reason: needs approval
  - name: prod-shadowed          # 9: never reached for prod, rule 8 wins
    effect: allow
    conditions: {profiles: [prod]}
`

// Times used below. 2025-06-02 is a Monday; Berlin is UTC+2 in June.
var (
	monday10Berlin = time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	friday23UTC    = time.Date(2025, 6, 6, 23, 0, 0, 0, time.UTC)
	saturday03UTC  = time.Date(2025, 6, 7, 3, 0, 0, 0, time.UTC)
)

const (
	bobARN   = "arn:aws:iam::111122223333:user/bob"
	aliceARN = "arn:aws:iam::111122223333:user/alice"
)

func TestEvaluate(t *testing.T) {
	p := mustParse(t, evalPolicy)
	at := func(y, mo, d, h, mi int, loc string) time.Time {
		l, err := time.LoadLocation(loc)
		if err != nil {
			t.Fatal(err)
		}
		return time.Date(y, time.Month(mo), d, h, mi, 0, 0, l)
	}
	type want struct {
		effect  Effect
		allowed bool
		rule    string
		index   int
		reason  string // substring
		max     time.Duration
	}
	deny := want{EffectDeny, false, "", -1, ReasonNoMatch, 0}
	tests := []struct {
		name string
		req  Request
		want want
	}{
		// Profiles: exact, glob, case, default deny.
		{"exact profile", Request{User: "u", Profile: "dev", Mode: ModeCLI}, want{EffectAllow, true, "dev", 1, "dev access", time.Hour}},
		{"glob profile", Request{User: "u", Profile: "sandbox-7", Mode: ModeCLI}, want{EffectAllow, true, "dev", 1, "dev access", time.Hour}},
		{"glob needs its suffix", Request{User: "u", Profile: "sandbox", Mode: ModeCLI}, deny},
		{"profiles are case-sensitive", Request{User: "u", Profile: "Dev", Mode: ModeCLI}, deny},
		{"deny rule", Request{User: "u", Profile: "legacy", Mode: ModeCLI}, want{EffectDeny, false, "legacy-closed", 0, "gone", 0}},
		{"no rule matches", Request{User: "u", Profile: "unknown", Mode: ModeCLI}, deny},
		{"empty profile", Request{User: "u", Mode: ModeCLI}, deny},

		// Users: bare names bound to the policy's accounts, ARNs anywhere,
		// exact and case-sensitive.
		{"user by name", Request{User: "alice", ARN: aliceARN, Profile: "ops", Mode: ModeCLI}, want{EffectAllow, true, "ops", 2, "", 0}},
		{"user by name with an IAM path", Request{User: "alice", ARN: "arn:aws:iam::111122223333:user/eng/alice", Profile: "ops", Mode: ModeCLI}, want{EffectAllow, true, "ops", 2, "", 0}},
		{"user by name as an Identity Center session", Request{User: "alice", ARN: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice", Profile: "ops", Mode: ModeCLI}, want{EffectAllow, true, "ops", 2, "", 0}},
		// The defect: a bare name used to match any principal whose short
		// name was "alice", including a role session name anyone who can
		// assume a role may choose, in any account.
		{"defect: bare name vs assumed-role session in another account", Request{User: "alice", ARN: "arn:aws:sts::999999999999:assumed-role/R/alice", Profile: "ops", Mode: ModeCLI}, deny},
		{"defect: bare name vs assumed-role session in a listed account", Request{User: "alice", ARN: "arn:aws:sts::111122223333:assumed-role/Deploy/alice", Profile: "ops", Mode: ModeCLI}, deny},
		{"defect: bare name vs IAM user in another account", Request{User: "alice", ARN: "arn:aws:iam::999999999999:user/alice", Profile: "ops", Mode: ModeCLI}, deny},
		{"defect: User alone is not trusted", Request{User: "alice", Profile: "ops", Mode: ModeCLI}, deny},
		{"User that disagrees with the ARN", Request{User: "alice", ARN: "arn:aws:iam::111122223333:user/mallory", Profile: "ops", Mode: ModeCLI}, deny},
		{"federated user is never a bare name", Request{User: "alice", ARN: "arn:aws:sts::111122223333:federated-user/alice", Profile: "ops", Mode: ModeCLI}, deny},
		{"SSO role prefix alone is not enough", Request{User: "alice", ARN: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_/alice", Profile: "ops", Mode: ModeCLI}, deny},
		{"user by ARN", Request{User: "bob", ARN: bobARN, Profile: "ops", Mode: ModeCLI}, want{EffectAllow, true, "ops", 2, "", 0}},
		{"ARN entry needs the ARN", Request{User: "bob", Profile: "ops", Mode: ModeCLI}, deny},
		{"ARN in another account", Request{User: "bob", ARN: "arn:aws:iam::999999999999:user/bob", Profile: "ops", Mode: ModeCLI}, deny},
		{"user names are case-sensitive", Request{User: "Alice", ARN: "arn:aws:iam::111122223333:user/Alice", Profile: "ops", Mode: ModeCLI}, deny},
		{"no user", Request{Profile: "ops", Mode: ModeCLI}, deny},

		// Modes.
		{"mode listed", Request{User: "u", Profile: "ci", Mode: ModeCredentialProcess}, want{EffectAllow, true, "ci", 3, "", 0}},
		{"mode not listed", Request{User: "u", Profile: "ci", Mode: ModeCLI}, deny},
		{"unknown mode", Request{User: "u", Profile: "ci", Mode: "bogus"}, deny},

		// Time windows in the rule's zone.
		{"office hours in Berlin", Request{User: "u", Profile: "staging", Mode: ModeCLI, Time: monday10Berlin}, want{EffectAllow, true, "office", 4, "", 0}},
		{"office opens at 09:00 Berlin", Request{User: "u", Profile: "staging", Mode: ModeCLI, Time: at(2025, 6, 2, 9, 0, "Europe/Berlin")}, want{EffectAllow, true, "office", 4, "", 0}},
		{"before 09:00 Berlin", Request{User: "u", Profile: "staging", Mode: ModeCLI, Time: at(2025, 6, 2, 8, 59, "Europe/Berlin")}, deny},
		{"end is exclusive", Request{User: "u", Profile: "staging", Mode: ModeCLI, Time: at(2025, 6, 2, 18, 0, "Europe/Berlin")}, deny},
		{"last minute", Request{User: "u", Profile: "staging", Mode: ModeCLI, Time: at(2025, 6, 2, 17, 59, "Europe/Berlin")}, want{EffectAllow, true, "office", 4, "", 0}},
		{"Saturday", Request{User: "u", Profile: "staging", Mode: ModeCLI, Time: at(2025, 6, 7, 10, 0, "Europe/Berlin")}, deny},
		{"Monday in Berlin, Sunday in UTC", Request{User: "u", Profile: "weekend", Mode: ModeCLI, Time: at(2025, 6, 2, 0, 30, "Europe/Berlin")}, want{EffectAllow, true, "weekend", 6, "", 0}},
		{"request time zone does not matter", Request{User: "u", Profile: "staging", Mode: ModeCLI, Time: at(2025, 6, 2, 4, 0, "America/New_York")}, want{EffectAllow, true, "office", 4, "", 0}},

		// Overnight: the part after midnight belongs to the starting day.
		{"overnight before midnight", Request{User: "u", Profile: "batch", Mode: ModeCLI, Time: friday23UTC}, want{EffectAllow, true, "friday-night", 5, "", 0}},
		{"overnight after midnight", Request{User: "u", Profile: "batch", Mode: ModeCLI, Time: saturday03UTC}, want{EffectAllow, true, "friday-night", 5, "", 0}},
		{"overnight start is inclusive", Request{User: "u", Profile: "batch", Mode: ModeCLI, Time: at(2025, 6, 6, 22, 0, "UTC")}, want{EffectAllow, true, "friday-night", 5, "", 0}},
		{"overnight end is exclusive", Request{User: "u", Profile: "batch", Mode: ModeCLI, Time: at(2025, 6, 7, 6, 0, "UTC")}, deny},
		{"Friday 03:00 belongs to Thursday night", Request{User: "u", Profile: "batch", Mode: ModeCLI, Time: at(2025, 6, 6, 3, 0, "UTC")}, deny},
		{"Saturday 22:30 is Saturday night", Request{User: "u", Profile: "batch", Mode: ModeCLI, Time: at(2025, 6, 7, 22, 30, "UTC")}, deny},
		{"overnight gap", Request{User: "u", Profile: "batch", Mode: ModeCLI, Time: at(2025, 6, 6, 12, 0, "UTC")}, deny},

		// require_server in each mode.
		{"require_server in cli", Request{User: "u", Profile: "data", Mode: ModeCLI}, want{EffectRequireServer, false, "data", 7, "sentinel exec --server", 30 * time.Minute}},
		{"require_server in credential_process", Request{User: "u", Profile: "data", Mode: ModeCredentialProcess}, want{EffectRequireServer, false, "data", 7, "sentinel exec --server", 30 * time.Minute}},
		{"require_server in server", Request{User: "u", Profile: "data", Mode: ModeServer}, want{EffectRequireServer, true, "data", 7, "tracked", 30 * time.Minute}},

		// First match wins.
		{"first match wins", Request{User: "u", Profile: "prod", Mode: ModeCLI}, want{EffectRequireApproval, false, "prod", 8, "needs approval", 0}},
		{"require_approval by glob", Request{User: "u", Profile: "prod-eu", Mode: ModeServer}, want{EffectRequireApproval, false, "prod", 8, "needs approval", 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.req.Time.IsZero() {
				tt.req.Time = monday10Berlin
			}
			d := p.Evaluate(tt.req)
			got := want{d.Effect, d.Allowed, d.Rule, d.RuleIndex, d.Reason, d.MaxDuration}
			if got.effect != tt.want.effect || got.allowed != tt.want.allowed || got.rule != tt.want.rule ||
				got.index != tt.want.index || got.max != tt.want.max || !strings.Contains(got.reason, tt.want.reason) {
				t.Errorf("Evaluate = %+v, want %+v", got, tt.want)
			}
			if d.Misses != nil {
				t.Errorf("Evaluate filled Misses: %v", d.Misses)
			}
			e := p.Explain(tt.req)
			wantMisses := tt.want.index // every earlier rule, or every rule when none matched
			if wantMisses < 0 {
				wantMisses = len(p.Rules)
			}
			if len(e.Misses) != wantMisses {
				t.Errorf("Explain gave %d misses for a match at %d: %v", len(e.Misses), tt.want.index, e.Misses)
			}
			e.Misses = nil
			if !reflect.DeepEqual(e, d) {
				t.Errorf("Explain = %+v, Evaluate = %+v", e, d)
			}
		})
	}
}

func TestRequireServerReason(t *testing.T) {
	p := mustParse(t, `version: "1"
rules:
  - {name: with-reason, effect: require_server, conditions: {profiles: [a]}, reason: audited}
  - {name: without, effect: require_server, conditions: {profiles: [b]}}
`)
	got := p.Evaluate(Request{Profile: "a", Mode: ModeCLI}).Reason
	if got != "this profile requires server mode: use `sentinel exec --server` (audited)" {
		t.Errorf("reason = %q", got)
	}
	got = p.Evaluate(Request{Profile: "b", Mode: ModeCredentialProcess}).Reason
	if got != "this profile requires server mode: use `sentinel exec --server`" {
		t.Errorf("reason = %q", got)
	}
	if d := p.Evaluate(Request{Profile: "b", Mode: ModeServer}); !d.Allowed || d.Reason != "" {
		t.Errorf("server mode: %+v, want allowed with the rule's (empty) reason", d)
	}
}

func TestRuleOrder(t *testing.T) {
	denyFirst := mustParse(t, `version: "1"
accounts: ["111122223333"]
rules:
  - {name: no-bob, effect: deny, conditions: {users: [bob]}}
  - {name: everyone, effect: allow}
`)
	allowFirst := mustParse(t, `version: "1"
accounts: ["111122223333"]
rules:
  - {name: everyone, effect: allow}
  - {name: no-bob, effect: deny, conditions: {users: [bob]}}
`)
	bob := Request{User: "bob", ARN: bobARN, Profile: "x", Mode: ModeCLI, Time: monday10Berlin}
	if d := denyFirst.Evaluate(bob); d.Allowed || d.Rule != "no-bob" {
		t.Errorf("deny first: %+v", d)
	}
	if d := allowFirst.Evaluate(bob); !d.Allowed || d.Rule != "everyone" || d.RuleIndex != 0 {
		t.Errorf("allow first: %+v", d)
	}
	alice := bob
	alice.User, alice.ARN = "alice", aliceARN
	if d := denyFirst.Evaluate(alice); !d.Allowed || d.RuleIndex != 1 {
		t.Errorf("alice: %+v", d)
	}
}

func TestNilPolicyDenies(t *testing.T) {
	var p *Policy
	for _, d := range []Decision{p.Evaluate(Request{Profile: "dev"}), p.Explain(Request{Profile: "dev"})} {
		if d.Allowed || d.Effect != EffectDeny || d.RuleIndex != -1 {
			t.Errorf("nil policy: %+v", d)
		}
	}
}

func TestExplain(t *testing.T) {
	p := mustParse(t, evalPolicy)
	d := p.Explain(Request{User: "carol", ARN: "arn:aws:iam::111122223333:user/carol", Profile: "batch", Mode: ModeCLI, Time: monday10Berlin})
	if d.Allowed || d.RuleIndex != -1 || len(d.Misses) != len(p.Rules) {
		t.Fatalf("Explain = %+v, want no match and a miss per rule", d)
	}
	want := map[int]string{
		1: `profile "batch" not in [dev sandbox-*]`,
		2: `profile "batch" not in [ops]; user "carol" (arn:aws:iam::111122223333:user/carol) not in [alice arn:aws:iam::111122223333:user/bob]`,
		3: `profile "batch" not in [ci]; mode "cli" not in [credential_process]`,
		4: `profile "batch" not in [staging]`,
		5: `time monday 08:00 UTC outside friday 22:00-06:00 UTC`,
		6: `profile "batch" not in [weekend]; time monday 08:00 UTC outside saturday,sunday all day UTC`,
	}
	for i, m := range d.Misses {
		if m.Index != i || m.Rule != p.Rules[i].Name {
			t.Errorf("miss %d = %+v, want index %d rule %q", i, m, i, p.Rules[i].Name)
		}
		if w, ok := want[i]; ok && m.Why != w {
			t.Errorf("miss %d why\n got %s\nwant %s", i, m.Why, w)
		}
	}

	d = p.Explain(Request{User: "u", Profile: "prod", Mode: ModeCLI, Time: monday10Berlin})
	if d.RuleIndex != 8 || len(d.Misses) != 8 || d.Misses[7].Rule != "data" {
		t.Errorf("Explain(prod) = %+v, want a match at 8 and misses for 0..7", d)
	}
}

// TestEvaluateDoesNotAllocate is the promise that Evaluate is cheap enough
// for every request: no allocation on any path, time windows included.
func TestEvaluateDoesNotAllocate(t *testing.T) {
	p := mustParse(t, evalPolicy)
	reqs := []Request{
		{User: "u", Profile: "sandbox-7", Mode: ModeCLI, Time: monday10Berlin},
		{User: "bob", ARN: bobARN, Profile: "ops", Mode: ModeCLI, Time: monday10Berlin},
		{User: "u", Profile: "staging", Mode: ModeCLI, Time: monday10Berlin},
		{User: "u", Profile: "batch", Mode: ModeCLI, Time: saturday03UTC},
		{User: "u", Profile: "data", Mode: ModeCLI, Time: monday10Berlin},
		{User: "u", Profile: "prod-eu", Mode: ModeServer, Time: monday10Berlin},
		{User: "u", Profile: "nothing-matches", Mode: ModeCLI, Time: monday10Berlin},
	}
	for _, r := range reqs {
		var d Decision
		allocs := testing.AllocsPerRun(200, func() { d = p.Evaluate(r) })
		if allocs != 0 {
			t.Errorf("Evaluate(%s) allocates %.1f times per run, want 0", r.Profile, allocs)
		}
		_ = d
	}
}

// TestConcurrentEvaluate shares one policy between goroutines, as the
// credential server does; run with -race.
func TestConcurrentEvaluate(t *testing.T) {
	p := mustParse(t, evalPolicy)
	want := p.Evaluate(Request{User: "u", Profile: "staging", Mode: ModeCLI, Time: monday10Berlin})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				d := p.Explain(Request{User: "u", Profile: "staging", Mode: ModeCLI, Time: monday10Berlin})
				if d.RuleIndex != want.RuleIndex || !d.Allowed {
					t.Errorf("concurrent decision %+v, want %+v", d, want)
					return
				}
				p.ApprovalRuleFor("prod")
				p.BreakglassRuleFor("prod", "u", "")
			}
		})
	}
	wg.Wait()
}

// TestHandBuiltRuleFailsClosed checks that a Rule not made by the loader
// (so without compiled matchers) never matches, even with no conditions.
func TestHandBuiltRuleFailsClosed(t *testing.T) {
	p := &Policy{Rules: []Rule{{Name: "all", Effect: EffectAllow}}}
	r := Request{User: "u", Profile: "dev", Mode: ModeCLI, Time: monday10Berlin}
	if d := p.Evaluate(r); d.Allowed || d.RuleIndex != -1 {
		t.Errorf("Evaluate = %+v, want default deny", d)
	}
	if d := p.Explain(r); d.Allowed || len(d.Misses) != 1 {
		t.Errorf("Explain = %+v, want default deny with one miss", d)
	}
}
