package policy

import (
	"strings"
	"testing"
)

const rolesPolicy = `version: "1"
rules:
  - name: no-admin                   # 0
    effect: deny
    conditions: {roles: ["arn:aws:iam::*:role/*admin*"]}
    reason: no admin roles
  - name: prod-needs-approval        # 1
    effect: require_approval
    conditions: {roles: ["arn:aws:iam::444455556666:role/*"]}
  - name: data-via-server            # 2
    effect: require_server
    conditions: {roles: ["arn:aws:iam::777788889999:role/data"]}
  - name: dev-roles                  # 3
    effect: allow
    conditions: {roles: ["arn:aws:iam::111122223333:role/dev", "arn:aws:iam::111122223333:role/org/*"]}
`

func TestRolesCondition(t *testing.T) {
	p := mustParse(t, rolesPolicy)
	const (
		dev   = "arn:aws:iam::111122223333:role/dev"
		jump  = "arn:aws:iam::111122223333:role/org/jump"
		admin = "arn:aws:iam::111122223333:role/team/superadmin"
		prod  = "arn:aws:iam::444455556666:role/deploy"
		data  = "arn:aws:iam::777788889999:role/data"
		other = "arn:aws:iam::999999999999:role/dev"
	)
	tests := []struct {
		name  string
		roles []string
		rule  string // "" for default deny
	}{
		{"allow: the one role matches", []string{dev}, "dev-roles"},
		{"allow: every role of the chain matches", []string{jump, dev}, "dev-roles"},
		// Fail closed: an allow rule about roles must cover the whole
		// chain, or a chain could pass through a role nobody allowed.
		{"allow: one role of the chain does not match", []string{other, dev}, ""},
		{"allow: target does not match", []string{dev, other}, ""},
		{"no roles never matches a roles: rule", nil, ""},
		{"deny: any role matching is enough", []string{dev, admin}, "no-admin"},
		{"deny: * crosses the path", []string{admin}, "no-admin"},
		{"require_approval: any role", []string{jump, prod}, "prod-needs-approval"},
		{"require_server: any role", []string{data, dev}, "data-via-server"},
		{"role ARNs are case-sensitive", []string{strings.ToUpper(dev)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Request{Profile: "any", Mode: ModeCLI, Roles: tt.roles, Time: monday10Berlin}
			d := p.Evaluate(r)
			if d.Rule != tt.rule {
				t.Errorf("Evaluate = rule %q, want %q", d.Rule, tt.rule)
			}
			e := p.Explain(r)
			if e.Rule != d.Rule || e.RuleIndex != d.RuleIndex {
				t.Errorf("Explain = %+v, Evaluate = %+v", e, d)
			}
		})
	}
}

func TestRolesExplain(t *testing.T) {
	p := mustParse(t, rolesPolicy)
	d := p.Explain(Request{Profile: "x", Mode: ModeCLI, Roles: []string{"arn:aws:iam::999999999999:role/x"}, Time: monday10Berlin})
	if got := d.Misses[3].Why; got != "role arn:aws:iam::999999999999:role/x not in [arn:aws:iam::111122223333:role/dev arn:aws:iam::111122223333:role/org/*] (an allow rule needs every role of the chain to match)" {
		t.Errorf("allow miss = %q", got)
	}
	if got := d.Misses[0].Why; got != "no role of [arn:aws:iam::999999999999:role/x] in [arn:aws:iam::*:role/*admin*]" {
		t.Errorf("deny miss = %q", got)
	}
	d = p.Explain(Request{Profile: "x", Mode: ModeCLI, Time: monday10Berlin})
	if got := d.Misses[0].Why; !strings.Contains(got, "the profile assumes no role") {
		t.Errorf("no-role miss = %q", got)
	}
}

func TestRolesDecodeErrors(t *testing.T) {
	tests := []struct{ name, roles, message string }{
		{"not an ARN", `[dev]`, `"dev" is not a role ARN or ARN pattern`},
		{"class", `["arn:aws:iam::*:role/[ab]"]`, `bad ARN pattern`},
		{"empty", `[]`, "empty list"},
	}
	for _, tt := range tests {
		le := loadError(t, rule0("    effect: allow\n    conditions:\n      roles: "+tt.roles+"\n"))
		if !strings.Contains(le.Error(), "test.yaml:6: rules[0].conditions.roles: ") || !strings.Contains(le.Error(), tt.message) {
			t.Errorf("%s: %v", tt.name, le)
		}
	}
}

// TestEvaluateDoesNotAllocateNewConditions extends the zero-allocation
// promise to bare names, ARN globs, roles and window ends.
func TestEvaluateDoesNotAllocateNewConditions(t *testing.T) {
	p := mustParse(t, `version: "1"
accounts: ["111122223333"]
rules:
  - {name: names, effect: deny, conditions: {users: [mallory, "arn:aws:sts::*:assumed-role/Ops/*"]}}
  - {name: roles, effect: deny, conditions: {roles: ["arn:aws:iam::*:role/*admin*"]}}
  - name: window
    effect: allow
    conditions:
      roles: ["arn:aws:iam::111122223333:role/*"]
      time: {days: [mon, tue, wed, thu, fri], hours: {start: "08:00", end: "20:00"}, timezone: Europe/Berlin}
  - {name: night, effect: allow, conditions: {profiles: [batch], time: {hours: {start: "22:00", end: "06:00"}, timezone: America/New_York}}}
`)
	dev := []string{"arn:aws:iam::111122223333:role/org/jump", "arn:aws:iam::111122223333:role/dev"}
	reqs := []Request{
		{User: "mallory", ARN: "arn:aws:iam::111122223333:user/mallory", Profile: "dev", Mode: ModeCLI, Time: monday10Berlin},
		{User: "x", ARN: "arn:aws:sts::111122223333:assumed-role/Ops/x", Profile: "dev", Mode: ModeCLI, Time: monday10Berlin},
		{User: "alice", ARN: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_A_1/alice", Profile: "dev", Mode: ModeCLI, Roles: dev, Time: monday10Berlin},
		{User: "alice", ARN: aliceARN, Profile: "dev", Mode: ModeCLI, Roles: []string{"arn:aws:iam::111122223333:role/superadmin"}, Time: monday10Berlin},
		{User: "alice", ARN: aliceARN, Profile: "batch", Mode: ModeCLI, Time: friday23UTC},
		{User: "alice", ARN: aliceARN, Profile: "none", Mode: ModeCLI, Time: monday10Berlin},
	}
	for i, r := range reqs {
		if d := p.Evaluate(r); i == 2 && d.WindowEnd.IsZero() {
			t.Errorf("request %d: no window end: %+v", i, d)
		}
		if n := testing.AllocsPerRun(200, func() { p.Evaluate(r) }); n != 0 {
			t.Errorf("request %d allocates %.1f times per Evaluate, want 0", i, n)
		}
	}
}
