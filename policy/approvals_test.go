package policy

import (
	"testing"
	"time"
)

const approvalsPolicy = `version: "1"
accounts: ["111122223333"]
rules:
  - {name: prod, effect: require_approval, conditions: {profiles: ["prod*", billing, data]}}
approvals:
  - name: prod
    profiles: [prod, "prod-*"]
    approvers: [bob, "arn:aws:iam::111122223333:user/carol"]
    max_duration: 4h
    auto_approve:
      users: [lead, "arn:aws:iam::111122223333:user/ops/dmitri"]
      time: {days: [monday, tuesday, wednesday, thursday, friday], hours: {start: "09:00", end: "17:00"}, timezone: UTC}
      max_duration: 1h
  - name: prod-catch-all
    profiles: ["prod*"]
    approvers: [erin]
  - name: billing
    profiles: [billing]
    approvers: [carol, dave, erin]
    required: 2
    request_ttl: 2h
  - name: data-in-the-night
    profiles: [data]
    approvers: [erin]
    auto_approve:
      time: {hours: {start: "22:00", end: "06:00"}}
`

func TestApprovalRuleFor(t *testing.T) {
	p := mustParse(t, approvalsPolicy)
	tests := []struct {
		profile string
		rule    string // "" for none
	}{
		{"prod", "prod"},
		{"prod-eu", "prod"},
		{"production", "prod-catch-all"},
		{"billing", "billing"},
		{"dev", ""},
		{"", ""},
	}
	for _, tt := range tests {
		a, ok := p.ApprovalRuleFor(tt.profile)
		switch {
		case tt.rule == "" && ok:
			t.Errorf("ApprovalRuleFor(%q) = %q, want none", tt.profile, a.Name)
		case tt.rule != "" && (!ok || a.Name != tt.rule):
			t.Errorf("ApprovalRuleFor(%q) = %v, %v; want %q", tt.profile, a, ok, tt.rule)
		}
	}
	a, _ := p.ApprovalRuleFor("billing")
	if a.Required != 2 || a.RequestTTL != 2*time.Hour || a.MaxDuration != 8*time.Hour {
		t.Errorf("billing = %+v", a)
	}
	var nilPolicy *Policy
	if _, ok := nilPolicy.ApprovalRuleFor("prod"); ok {
		t.Error("nil policy has an approval rule")
	}
}

func TestIsApprover(t *testing.T) {
	p := mustParse(t, approvalsPolicy)
	a, _ := p.ApprovalRuleFor("prod")
	tests := []struct {
		user, arn string
		want      bool
	}{
		{"bob", "arn:aws:iam::111122223333:user/bob", true},
		{"bob", "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_1a2b3c/bob", true},
		// The defect: anyone who could assume a role chose the session
		// name "bob" and approved as bob.
		{"bob", "arn:aws:sts::111122223333:assumed-role/Admin/bob", false},
		{"bob", "arn:aws:iam::999999999999:user/bob", false},
		{"bob", "", false}, // a name alone proves nothing
		{"carol", "arn:aws:iam::111122223333:user/carol", true},
		{"carol", "", false}, // carol is listed by ARN only
		{"Bob", "arn:aws:iam::111122223333:user/Bob", false},
		{"erin", "arn:aws:iam::111122223333:user/erin", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := a.IsApprover(tt.user, tt.arn); got != tt.want {
			t.Errorf("IsApprover(%q, %q) = %v, want %v", tt.user, tt.arn, got, tt.want)
		}
	}
}

const leadARN = "arn:aws:iam::111122223333:user/lead"

func TestAutoApproves(t *testing.T) {
	p := mustParse(t, approvalsPolicy)
	prod, _ := p.ApprovalRuleFor("prod")
	billing, _ := p.ApprovalRuleFor("billing")
	data, _ := p.ApprovalRuleFor("data")
	tuesday10 := time.Date(2025, 6, 3, 10, 0, 0, 0, time.UTC)
	tuesday18 := time.Date(2025, 6, 3, 18, 0, 0, 0, time.UTC)
	saturday10 := time.Date(2025, 6, 7, 10, 0, 0, 0, time.UTC)
	tuesday23 := time.Date(2025, 6, 3, 23, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		rule      *ApprovalRule
		user, arn string
		at        time.Time
		d         time.Duration
		want      bool
	}{
		{"listed user in window", prod, "lead", leadARN, tuesday10, time.Hour, true},
		{"defect: listed name as a chosen session name", prod, "lead", "arn:aws:sts::111122223333:assumed-role/Dev/lead", tuesday10, time.Hour, false},
		{"listed name without an ARN", prod, "lead", "", tuesday10, time.Hour, false},
		{"listed ARN in window", prod, "dmitri", "arn:aws:iam::111122223333:user/ops/dmitri", tuesday10, 30 * time.Minute, true},
		{"ARN entry needs the ARN", prod, "dmitri", "", tuesday10, 30 * time.Minute, false},
		{"user not listed", prod, "mallory", "", tuesday10, time.Hour, false},
		{"after hours", prod, "lead", leadARN, tuesday18, time.Hour, false},
		{"weekend", prod, "lead", leadARN, saturday10, time.Hour, false},
		{"longer than the cap", prod, "lead", leadARN, tuesday10, time.Hour + time.Second, false},
		{"zero duration", prod, "lead", leadARN, tuesday10, 0, false},
		{"negative duration", prod, "lead", leadARN, tuesday10, -time.Hour, false},
		{"no auto_approve", billing, "carol", "", tuesday10, time.Hour, false},
		{"time only: anyone at night", data, "mallory", "", tuesday23, time.Hour, true},
		{"time only: cap defaults to the rule's 8h", data, "mallory", "", tuesday23, 8 * time.Hour, true},
		{"time only: above the default cap", data, "mallory", "", tuesday23, 9 * time.Hour, false},
		{"time only: not in the day", data, "mallory", "", tuesday10, time.Hour, false},
	}
	for _, tt := range tests {
		if got := tt.rule.AutoApproves(tt.user, tt.arn, tt.at, tt.d); got != tt.want {
			t.Errorf("%s: AutoApproves = %v, want %v", tt.name, got, tt.want)
		}
	}
}
