package policy

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testsPolicy = `version: "1"
accounts: ["123456789012"]
rules:
  - name: dev
    effect: allow
    conditions:
      profiles: [dev]
      time:
        days: [mon, tue, wed, thu, fri]
tests:
  - name: weekday
    user: alice
    profile: dev
    time: "2025-06-03T10:00:00Z"
    effect: allow
    rule: dev
  - name: weekend
    user: alice
    profile: dev
    time: 2025-06-07T10:00:00Z
    effect: deny
    default_deny: true
  - name: wrong on purpose
    user: arn:aws:iam::123456789012:user/bob
    profile: dev
    time: "2025-06-07T10:00:00Z"
    effect: allow
    rule: dev
`

func TestRunTests(t *testing.T) {
	p, err := Parse([]byte(testsPolicy), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res := p.RunTests(time.Date(2025, 6, 4, 0, 0, 0, 0, time.UTC))
	if len(res) != 3 {
		t.Fatalf("got %d results, want 3", len(res))
	}
	if !res[0].Passed() || !res[1].Passed() {
		t.Errorf("passing cases failed: %v / %v", res[0].Failures, res[1].Failures)
	}
	if res[2].Passed() {
		t.Fatal("the wrong case passed")
	}
	got := strings.Join(res[2].Failures, "; ")
	if !strings.Contains(got, "effect is deny, want allow") || !strings.Contains(got, `no rule matched, want "dev"`) {
		t.Errorf("failures = %q", got)
	}
	if res[2].Request.ARN != "arn:aws:iam::123456789012:user/bob" || res[2].Request.User != "bob" {
		t.Errorf("request = %+v", res[2].Request)
	}
	if len(res[2].Decision.Misses) != 1 {
		t.Errorf("want the explanation of the miss, got %+v", res[2].Decision.Misses)
	}
}

func TestRunTestsDefaultDenyFailsWhenARuleMatches(t *testing.T) {
	p, err := Parse([]byte(strings.Replace(testsPolicy, "2025-06-07T10:00:00Z\n    effect: deny", "2025-06-03T10:00:00Z\n    effect: deny", 1)), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res := p.RunTests(time.Now())
	if res[1].Passed() || !strings.Contains(strings.Join(res[1].Failures, ";"), `rule "dev" matched, want no rule`) {
		t.Errorf("failures = %v", res[1].Failures)
	}
}

func TestRunTestsPinRefusal(t *testing.T) {
	src := `version: "1"
profiles:
  dev: {role_arn: "arn:aws:iam::123456789012:role/dev"}
rules:
  - {name: all, effect: allow}
tests:
  - name: pinned
    user: arn:aws:iam::123456789012:user/a
    profile: dev
    effect: allow
    rule: all
  - name: other role
    user: arn:aws:iam::123456789012:user/a
    profile: dev
    roles: [arn:aws:iam::123456789012:role/admin]
    effect: allow
`
	p, err := Parse([]byte(src), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res := p.RunTests(time.Now())
	if !res[0].Passed() {
		t.Errorf("pinned case failed: %v", res[0].Failures)
	}
	if res[1].Passed() || res[1].PinError == nil || !errors.Is(res[1].PinError, res[1].PinError) {
		t.Errorf("off-pin chain passed: %+v", res[1])
	}
}

func TestTestsDecodeErrors(t *testing.T) {
	base := "version: \"1\"\nrules:\n  - {name: r, effect: allow}\ntests:\n"
	cases := []struct{ name, tests, want string }{
		{"unknown key", "  - {name: a, user: arn:aws:iam::123456789012:user/a, profile: p, effect: allow, expect: allow}", "tests[0].expect: unknown key"},
		{"missing effect", "  - {name: a, user: arn:aws:iam::123456789012:user/a, profile: p}", "tests[0].effect: missing"},
		{"unknown rule", "  - {name: a, user: arn:aws:iam::123456789012:user/a, profile: p, effect: allow, rule: nope}", `no rule is named "nope"`},
		{"bare without account", "  - {name: a, user: alice, profile: p, effect: allow}", "needs account"},
		{"bad time", "  - {name: a, user: arn:aws:iam::123456789012:user/a, profile: p, effect: allow, time: tomorrow}", "bad time"},
		{"bad mode", "  - {name: a, user: arn:aws:iam::123456789012:user/a, profile: p, effect: allow, mode: clii}", "unknown mode"},
		{"bad effect", "  - {name: a, user: arn:aws:iam::123456789012:user/a, profile: p, effect: permit}", "unknown effect"},
		{"duplicate name", "  - {name: a, user: arn:aws:iam::123456789012:user/a, profile: p, effect: allow}\n  - {name: a, user: arn:aws:iam::123456789012:user/a, profile: p, effect: allow}", "duplicate test name"},
		{"account mismatch", "  - {name: a, user: arn:aws:iam::123456789012:user/a, account: \"210987654321\", profile: p, effect: allow}", "differs from the account"},
		{"rule and default_deny", "  - {name: a, user: arn:aws:iam::123456789012:user/a, profile: p, effect: deny, rule: r, default_deny: true}", "not both"},
		{"bad role", "  - {name: a, user: arn:aws:iam::123456789012:user/a, profile: p, effect: allow, roles: [admin]}", "not a role ARN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(base+c.tests+"\n"), "p.yaml")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// TestExampleTestsPass runs the tests: of every example policy.
func TestExampleTestsPass(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "docs", "examples", "*.yaml"))
	for _, f := range files {
		p, err := Load(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Tests()) == 0 {
			t.Errorf("%s: no tests:", f)
		}
		for _, r := range p.RunTests(time.Now()) {
			if !r.Passed() {
				t.Errorf("%s: %s: %v", f, r.Case.Name, r.Failures)
			}
		}
	}
}

func TestCaller(t *testing.T) {
	p, err := Load(filepath.Join("..", "docs", "examples", "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		arn, name, note string
		rules           []string
		approves, bg    int
	}{
		{"arn:aws:iam::123456789012:user/nightops", "nightops", "", []string{"legacy-closed", "no-admin-outside-prod", "dev-anytime", "staging-office-hours", "batch-night-shift", "prod-data-via-server", "prod-needs-approval"}, 0, 0},
		{"arn:aws:iam::123456789012:user/bob", "bob", "", []string{"legacy-closed", "no-admin-outside-prod", "dev-anytime", "staging-office-hours", "prod-data-via-server", "prod-needs-approval"}, 1, 1},
		{"arn:aws:sts::123456789012:assumed-role/dev/bob", "", "bare names match only", []string{"legacy-closed", "no-admin-outside-prod", "dev-anytime", "staging-office-hours", "prod-data-via-server", "prod-needs-approval"}, 0, 0},
		{"arn:aws:iam::999999999999:user/bob", "", "not in the policy's accounts", nil, 0, 0},
	}
	for _, c := range cases {
		v := p.Caller(c.arn)
		if v.Name != c.name || (c.note != "" && !strings.Contains(v.NameNote, c.note)) {
			t.Errorf("%s: name %q note %q", c.arn, v.Name, v.NameNote)
		}
		var rules []string
		for _, i := range v.Rules {
			rules = append(rules, p.Rules[i].Name)
		}
		if c.rules != nil && strings.Join(rules, ",") != strings.Join(c.rules, ",") {
			t.Errorf("%s: rules %v, want %v", c.arn, rules, c.rules)
		}
		if len(v.Approves) != c.approves || len(v.Breakglass) != c.bg {
			t.Errorf("%s: approves %v breakglass %v", c.arn, v.Approves, v.Breakglass)
		}
	}
}

func TestReplay(t *testing.T) {
	old, err := Parse([]byte(testsPolicy), "old.yaml")
	if err != nil {
		t.Fatal(err)
	}
	newer, err := Parse([]byte(strings.Replace(testsPolicy, "days: [mon, tue, wed, thu, fri]", "days: [mon, tue, wed, thu]", 1)), "new.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var recs []Recorded
	for _, day := range []int{2, 6, 7} { // Monday, Friday, Saturday
		req := Request{User: "alice", ARN: "arn:aws:iam::123456789012:user/alice", Profile: "dev", Mode: ModeCLI,
			Time: time.Date(2025, 6, day, 10, 0, 0, 0, time.UTC)}
		d := old.Evaluate(req)
		recs = append(recs, Recorded{Request: req, Account: "123456789012", Effect: d.Effect, Rule: d.Rule})
	}
	if ch := old.Replay(recs); len(ch) != 0 {
		t.Errorf("same policy changed %d decisions", len(ch))
	}
	ch := newer.Replay(recs)
	if len(ch) != 1 || ch[0].Old.Request.Time.Day() != 6 || ch[0].New.Effect != EffectDeny || ch[0].Old.Effect != EffectAllow {
		t.Fatalf("changes = %+v, want Friday allow -> deny", ch)
	}
}
