package broker_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/vault"
)

const pinnedPolicy = `version: "1"
accounts: ["111122223333"]
profiles:
  dev: {role_arn: "arn:aws:iam::111122223333:role/dev"}
  prod: {role_arn: "arn:aws:iam::111122223333:role/prod", max_duration: 30m}
rules:
  - name: dev
    effect: allow
    conditions: {profiles: [dev]}
  - name: prod
    effect: require_approval
    conditions: {profiles: [prod]}
approvals:
  - name: prod-approvers
    profiles: [prod]
    approvers: [bob]
`

// hostileConfig is a person's own ~/.aws/config pointing names at the
// roles they would like.
const hostileConfig = `[default]
region = eu-west-1
[profile dev]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/prod
[profile prodbase]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/prod
[profile dev-inherits]
source_profile = prodbase
[profile prod]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/prod
`

func (f *fixture) brokerWithConfig(cfg string) *broker.Broker {
	f.t.Helper()
	b := f.broker()
	profiles, err := vault.ParseConfig([]byte(cfg), "config")
	if err != nil {
		f.t.Fatal(err)
	}
	b.Profiles = profiles
	return b
}

func TestPinsBindProfilesToRoles(t *testing.T) {
	f := newFixture(t, pinnedPolicy)
	b := f.brokerWithConfig(hostileConfig)
	tests := []struct {
		profile string
		want    string
	}{
		{"dev", "pinned to role arn:aws:iam::111122223333:role/dev"},
		{"dev-inherits", "not"}, // not in profiles: denied
		{"prodbase", "not"},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			_, err := b.Issue(context.Background(), broker.Input{Profile: tt.profile, Mode: policy.ModeCLI})
			if !errors.Is(err, policy.ErrPin) {
				t.Fatalf("Issue(%s) = %v, want a pin refusal", tt.profile, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
	if n := len(f.sts.CallsOf("AssumeRole")); n != 0 {
		t.Errorf("%d AssumeRole calls: a refused pin must assume nothing", n)
	}
}

func TestApprovalBoundToRole(t *testing.T) {
	f := newFixture(t, pinnedPolicy)
	// An approval recorded for another role (written straight into the
	// store) does not lift prod's denial; one for prod's pinned role does,
	// capped by the pin's max_duration.
	other := f.approve("prod", f.now, time.Hour, aliceARN)
	setRole(f, other, "arn:aws:iam::111122223333:role/dev")
	if _, err := f.issue("prod", 0); !errors.Is(err, broker.ErrDenied) {
		t.Fatalf("approval for another role lifted the denial: %v", err)
	}
	good := f.approve("prod", f.now, time.Hour, aliceARN)
	setRole(f, good, "arn:aws:iam::111122223333:role/prod")
	g, err := f.issue("prod", 0)
	if err != nil {
		t.Fatalf("approval for the pinned role: %v", err)
	}
	if got := g.Credentials.Expires.Sub(f.now); got != 30*time.Minute {
		t.Errorf("credentials last %s, want the pin's 30m", got)
	}
}

// setRole rewrites a stored request's role, as a client with write access
// to the store could.
func setRole(f *fixture, r *request.Request, role string) {
	f.t.Helper()
	st := f.openStore()
	defer st.Close()
	if _, err := st.Requests().Change(context.Background(), r.ID, func(cur *request.Request) error {
		cur.RoleARN = role
		return nil
	}); err != nil {
		f.t.Fatal(err)
	}
}

func TestRuleTimeWindowCapsCredentials(t *testing.T) {
	f := newFixture(t, basePolicy)
	// Office hours in UTC, every day; the clock is set relative to 18:00.
	f.setPolicy(`version: "1"
accounts: ["111122223333"]
rules:
  - name: office
    effect: allow
    conditions:
      profiles: [dev]
      time: {days: [mon, tue, wed, thu, fri, sat, sun], hours: {start: "08:00", end: "18:00"}, timezone: UTC}
`)
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	f.now = day.Add(17*time.Hour + 30*time.Minute)
	f.sts.SetNow(func() time.Time { return f.now })
	g, err := f.issue("dev", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Credentials.Expires.Sub(f.now); got != 30*time.Minute {
		t.Errorf("credentials last %s, want 30m: the window closes at 18:00", got)
	}
	f.now = day.Add(17*time.Hour + 50*time.Minute)
	_, err = f.issue("dev", 0)
	var wc *broker.WindowClosingError
	if !errors.As(err, &wc) || !errors.Is(err, broker.ErrDenied) {
		t.Fatalf("10 minutes before the window closes: %v", err)
	}
	if want := day.Add(18 * time.Hour); !wc.Closes.Equal(want) {
		t.Errorf("closes %s, want %s", wc.Closes, want)
	}
	if want := day.Add(32 * time.Hour); !wc.NextOpen.Equal(want) {
		t.Errorf("next opens %s, want %s", wc.NextOpen, want)
	}
}
