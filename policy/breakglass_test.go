package policy

import (
	"slices"
	"testing"
	"time"
)

const breakglassPolicy = `version: "1"
accounts: ["111122223333"]
rules:
  - {name: closed, effect: deny}
breakglass:
  - name: prod-oncall
    profiles: [prod, "prod-*"]
    users: [alice, "arn:aws:iam::111122223333:user/bob"]
    reason_codes: [incident, security]
    max_duration: 2h
    cooldown: 30m
    max_per_day: 3
  - name: security-anywhere
    profiles: ["*"]
    users: [erin]
`

func TestBreakglassRuleFor(t *testing.T) {
	p := mustParse(t, breakglassPolicy)
	const erinARN = "arn:aws:iam::111122223333:user/erin"
	tests := []struct {
		profile, user, arn string
		rule               string // "" for none
	}{
		{"prod", "alice", aliceARN, "prod-oncall"},
		{"prod-eu", "alice", aliceARN, "prod-oncall"},
		{"prod", "alice", "", ""}, // a name alone proves nothing
		// The defect: a session named alice on any role in any account.
		{"prod", "alice", "arn:aws:sts::999999999999:assumed-role/Any/alice", ""},
		{"prod", "bob", bobARN, "prod-oncall"},
		{"prod", "bob", "", ""}, // bob is listed by ARN only
		{"dev", "alice", aliceARN, ""},
		{"prod", "erin", erinARN, "security-anywhere"},
		{"anything/with/slashes", "erin", erinARN, "security-anywhere"},
		{"prod", "mallory", "arn:aws:iam::111122223333:user/mallory", ""},
		{"prod", "Alice", "arn:aws:iam::111122223333:user/Alice", ""},
	}
	for _, tt := range tests {
		b, ok := p.BreakglassRuleFor(tt.profile, tt.user, tt.arn)
		switch {
		case tt.rule == "" && ok:
			t.Errorf("BreakglassRuleFor(%q, %q, %q) = %q, want none", tt.profile, tt.user, tt.arn, b.Name)
		case tt.rule != "" && (!ok || b.Name != tt.rule):
			t.Errorf("BreakglassRuleFor(%q, %q, %q) = %v, %v; want %q", tt.profile, tt.user, tt.arn, b, ok, tt.rule)
		}
	}
	var nilPolicy *Policy
	if _, ok := nilPolicy.BreakglassRuleFor("prod", "alice", ""); ok {
		t.Error("nil policy has a break-glass rule")
	}
}

func TestBreakglassRule(t *testing.T) {
	p := mustParse(t, breakglassPolicy)
	b := p.Breakglass[0]
	if b.MaxDuration != 2*time.Hour || b.Cooldown != 30*time.Minute || b.MaxPerDay != 3 {
		t.Errorf("rule = %+v", b)
	}
	for code, want := range map[string]bool{"incident": true, "security": true, "maintenance": false, "other": false, "": false, "Incident": false} {
		if got := b.AllowsReason(code); got != want {
			t.Errorf("AllowsReason(%q) = %v, want %v", code, got, want)
		}
	}
	all := p.Breakglass[1]
	if !slices.Equal(all.ReasonCodes, reasonCodes) || all.MaxDuration != time.Hour || all.Cooldown != 0 || all.MaxPerDay != 0 {
		t.Errorf("defaults = %+v", all)
	}
	for _, code := range reasonCodes {
		if !all.AllowsReason(code) {
			t.Errorf("default rule refuses %q", code)
		}
	}
}
