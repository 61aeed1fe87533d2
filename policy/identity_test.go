package policy

import (
	"strings"
	"testing"
)

func TestBoundName(t *testing.T) {
	tests := []struct {
		arn, account, name string
		ok                 bool
	}{
		{"arn:aws:iam::111122223333:user/alice", "111122223333", "alice", true},
		{"arn:aws:iam::111122223333:user/eng/team/alice", "111122223333", "alice", true},
		{"arn:aws-cn:iam::111122223333:user/alice", "111122223333", "alice", true},
		{"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123abcd/alice@example.com", "111122223333", "alice@example.com", true},
		// Names whoever assumes the role chooses.
		{"arn:aws:sts::111122223333:assumed-role/Admin/alice", "", "", false},
		{"arn:aws:sts::111122223333:assumed-role/awsreservedsso_x/alice", "", "", false},
		{"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_/alice", "", "", false},
		{"arn:aws:sts::111122223333:federated-user/alice", "", "", false},
		{"arn:aws:iam::111122223333:root", "", "", false},
		{"arn:aws:iam::111122223333:role/alice", "", "", false},
		// Malformed.
		{"arn:aws:iam::11112222333:user/alice", "", "", false},
		{"arn:aws:iam:eu-west-1:111122223333:user/alice", "", "", false},
		{"arn:aws:iam::111122223333:user/", "", "", false},
		{"arn:aws:iam::111122223333:user/eng/", "", "", false},
		{"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_A_1/a/b", "", "", false},
		{"arn::iam::111122223333:user/alice", "", "", false},
		{"alice", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		account, name, ok := boundName(tt.arn)
		if account != tt.account || name != tt.name || ok != tt.ok {
			t.Errorf("boundName(%q) = %q, %q, %v; want %q, %q, %v", tt.arn, account, name, ok, tt.account, tt.name, tt.ok)
		}
	}
}

func TestAccountsAndBareNames(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		line    int
		field   string
		message string // "" when the policy is valid
	}{
		{"ARNs need no accounts", "version: \"1\"\nrules:\n  - {name: r, effect: allow, conditions: {users: [\"arn:aws:iam::111122223333:user/a\", \"arn:aws:sts::*:assumed-role/Ops/*\"]}}\n", 0, "", ""},
		{"bare name without accounts", "version: \"1\"\nrules:\n  - name: r\n    effect: allow\n    conditions:\n      users:\n        - \"arn:aws:iam::111122223333:user/a\"\n        - alice\n", 8, "rules[0].conditions.users",
			`bare name "alice" needs the accounts it may come from: add accounts: ["<12-digit account ID>"]`},
		{"bare approver without accounts", "version: \"1\"\nrules: [{name: r, effect: deny}]\napprovals:\n  - {name: a, profiles: [p], approvers: [bob]}\n", 4, "approvals[0].approvers", `bare name "bob" needs the accounts`},
		{"bare auto-approve user without accounts", "version: \"1\"\nrules: [{name: r, effect: deny}]\napprovals:\n  - {name: a, profiles: [p], approvers: [\"arn:aws:iam::111122223333:user/b\"], auto_approve: {users: [lead]}}\n", 4, "approvals[0].auto_approve.users", `bare name "lead"`},
		{"bare break-glass user without accounts", "version: \"1\"\nrules: [{name: r, effect: deny}]\nbreakglass:\n  - {name: b, profiles: [p], users: [carol]}\n", 4, "breakglass[0].users", `bare name "carol"`},
		{"accounts after the rules", "version: \"1\"\nrules: [{name: r, effect: allow, conditions: {users: [alice]}}]\naccounts: [\"111122223333\"]\n", 0, "", ""},
		{"account not quoted", "version: \"1\"\naccounts: [111122223333]\nrules: [{name: r, effect: allow}]\n", 2, "accounts", "want a string, got the number 111122223333 (quote it)"},
		{"account too short", "version: \"1\"\naccounts: [\"11112222333\"]\nrules: [{name: r, effect: allow}]\n", 2, "accounts", `bad account ID "11112222333" (want 12 digits, quoted)`},
		{"duplicate account", "version: \"1\"\naccounts: [\"111122223333\", \"111122223333\"]\nrules: [{name: r, effect: allow}]\n", 2, "accounts", "duplicate account 111122223333"},
		{"empty accounts", "version: \"1\"\naccounts: []\nrules: [{name: r, effect: allow}]\n", 2, "accounts", "empty list"},
		{"name with a slash", "version: \"1\"\naccounts: [\"111122223333\"]\nrules: [{name: r, effect: allow, conditions: {users: [ops/alice]}}]\n", 3, "rules[0].conditions.users", `"ops/alice" is neither a bare name nor an ARN`},
		{"name with a star", "version: \"1\"\naccounts: [\"111122223333\"]\nrules: [{name: r, effect: allow, conditions: {users: [\"ali*\"]}}]\n", 3, "rules[0].conditions.users", `"ali*" is neither a bare name nor an ARN`},
		{"ARN with a class", "version: \"1\"\nrules: [{name: r, effect: allow, conditions: {users: [\"arn:aws:iam::[0-9]:user/a\"]}}]\n", 2, "rules[0].conditions.users", `bad ARN pattern`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.message == "" {
				mustParse(t, tt.src)
				return
			}
			le := loadError(t, tt.src)
			prefix := "test.yaml:" + itoa(tt.line) + ": " + tt.field + ": "
			for _, l := range le.Lines() {
				if strings.HasPrefix(l, prefix) && strings.Contains(l, tt.message) {
					return
				}
			}
			t.Errorf("no issue like %s...%s...; got\n  %s", prefix, tt.message, strings.Join(le.Lines(), "\n  "))
		})
	}
}

// TestBareNamesInEveryList checks that users, approvers, auto-approve users
// and break-glass users all bind bare names to the listed accounts.
func TestBareNamesInEveryList(t *testing.T) {
	p := mustParse(t, `version: "1"
accounts: ["111122223333"]
rules:
  - {name: r, effect: allow, conditions: {users: [alice]}}
approvals:
  - {name: a, profiles: [prod], approvers: [alice], auto_approve: {users: [alice]}}
breakglass:
  - {name: b, profiles: [prod], users: [alice]}
`)
	home := "arn:aws:iam::111122223333:user/alice"
	sso := "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Dev_abc/alice"
	away := "arn:aws:iam::999999999999:user/alice"
	chosen := "arn:aws:sts::111122223333:assumed-role/Deploy/alice"
	a, _ := p.ApprovalRuleFor("prod")
	for _, tt := range []struct {
		arn  string
		want bool
	}{{home, true}, {sso, true}, {away, false}, {chosen, false}, {"", false}} {
		checks := map[string]bool{
			"rule":         p.Evaluate(Request{User: "alice", ARN: tt.arn, Profile: "x", Mode: ModeCLI}).Allowed,
			"approver":     a.IsApprover("alice", tt.arn),
			"auto_approve": a.AutoApproves("alice", tt.arn, monday10Berlin, time15m),
		}
		_, checks["breakglass"] = p.BreakglassRuleFor("prod", "alice", tt.arn)
		for what, got := range checks {
			if got != tt.want {
				t.Errorf("%s for %q = %v, want %v", what, tt.arn, got, tt.want)
			}
		}
	}
}
