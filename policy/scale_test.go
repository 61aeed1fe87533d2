package policy

import (
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/policy/policygen"
)

// TestParseTenThousandRules loads a team-sized policy: 10,000 rules and
// 10,000 pinned profiles, nearly 2 MB, more than the old 1 MiB cap.
func TestParseTenThousandRules(t *testing.T) {
	data := policygen.Policy(10000, 10000)
	if len(data) <= 1<<20 {
		t.Fatalf("generated policy is %d bytes; the test wants one over 1 MiB", len(data))
	}
	p, err := Parse(data, "big.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rules) != 10000 || len(p.Pins) != 10000 {
		t.Fatalf("%d rules, %d pins", len(p.Rules), len(p.Pins))
	}
	monday := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	saturday := time.Date(2025, 6, 7, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		user, profile int
		at            time.Time
		want          int
		effect        Effect
	}{
		{0, 0, monday, 0, EffectAllow},
		{9, 9, monday, 9, EffectAllow},
		{9, 9, saturday, -1, EffectDeny},
		{49, 49, saturday, 49, EffectDeny},
		{49, 49, monday, -1, EffectDeny},
		{99, 42, monday, 99, EffectRequireApproval}, // team-000* covers team-00042
		{5000, 5000, monday, 5000, EffectAllow},
		{5000, 5001, monday, -1, EffectDeny},
		{9998, 9998, monday, 9998, EffectAllow},
	}
	for _, tt := range tests {
		r := Request{ARN: policygen.UserARN(tt.user), Profile: policygen.Profile(tt.profile), Roles: []string{policygen.RoleARN(tt.profile)}, Mode: ModeCLI, Time: tt.at}
		if d := p.Evaluate(r); d.RuleIndex != tt.want || d.Effect != tt.effect {
			t.Errorf("user %d on profile %d at %s: rule %d (%s), want %d (%s)", tt.user, tt.profile, tt.at.Weekday(), d.RuleIndex, d.Effect, tt.want, tt.effect)
		}
	}
	ops := Request{ARN: "arn:aws:iam::" + policygen.Account + ":user/ops", Profile: policygen.Profile(7), Mode: ModeServer, Time: monday}
	if d := p.Evaluate(ops); d.RuleIndex != 9999 || !d.Allowed {
		t.Errorf("ops: %+v", d)
	}
}
