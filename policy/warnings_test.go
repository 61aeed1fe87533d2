package policy

import (
	"strings"
	"testing"
)

// TestWarningsUncovered: a require_approval rule nobody can approve, a deny
// rule nothing can lift, and a placeholder approver are flagged; covered
// rules are not.
func TestWarningsUncovered(t *testing.T) {
	const pins = "version: \"1\"\naccounts: [\"111122223333\"]\nprofiles:\n  dev: {role_arn: \"arn:aws:iam::111122223333:role/dev\"}\n  prod: {role_arn: \"arn:aws:iam::111122223333:role/prod\"}\n  prod-eu: {role_arn: \"arn:aws:iam::111122223333:role/prod-eu\"}\n"
	tests := []struct {
		name string
		src  string
		want []string // "field: message" substrings, in order; nil means none
	}{
		{"approval covered", pins + "rules:\n  - {name: p, effect: require_approval, conditions: {profiles: [prod]}}\napprovals:\n  - {name: a, profiles: [prod], approvers: [bob]}\n", nil},
		{"approval uncovered", pins + "rules:\n  - {name: p, effect: require_approval, conditions: {profiles: [prod]}}\n",
			[]string{`rules[0]: require_approval rule "p": no approval rule covers prod, so nobody can approve`}},
		{"approval glob partly covered", pins + "rules:\n  - {name: p, effect: require_approval, conditions: {profiles: [\"prod*\"]}}\napprovals:\n  - {name: a, profiles: [prod], approvers: [bob]}\n",
			[]string{`rules[0]: require_approval rule "p": no approval rule covers prod-eu,`}},
		{"approval rule for every profile", pins + "rules:\n  - {name: p, effect: require_approval}\napprovals:\n  - {name: a, profiles: [\"*\"], approvers: [bob]}\n", nil},
		{"deny uncovered", pins + "rules:\n  - {name: d, effect: deny, conditions: {profiles: [prod, dev]}}\n",
			[]string{`rules[0]: deny rule "d": no break-glass rule covers dev, prod for anyone, so nothing can lift this deny`}},
		{"deny covered for someone", pins + "rules:\n  - {name: d, effect: deny, conditions: {profiles: [prod]}}\nbreakglass:\n  - {name: b, profiles: [\"prod*\"], users: [carol]}\n", nil},
		{"allow is never flagged", pins + "rules:\n  - {name: a, effect: allow}\n", nil},
		{"placeholder approver", pins + "rules:\n  - {name: p, effect: require_approval, conditions: {profiles: [prod]}}\napprovals:\n  - {name: a, profiles: [prod], approvers: [REPLACE-ME]}\n",
			[]string{`approvals[0].approvers: approver REPLACE-ME is a placeholder`}},
		{"no pins: exact names", "version: \"1\"\nrules:\n  - {name: p, effect: require_approval, conditions: {profiles: [prod]}}\n",
			[]string{`no profiles: section`, `rules[0]: require_approval rule "p": no approval rule covers prod`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, w := range mustParse(t, tt.src).Warnings() {
				got = append(got, w.Field+": "+w.Message)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Warnings() = %q, want %d", got, len(tt.want))
			}
			for i := range got {
				if !strings.Contains(got[i], tt.want[i]) {
					t.Errorf("warning %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}
