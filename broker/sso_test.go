package broker_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/internal/fakesso"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/vault"
)

const ssoAWSConfig = `[default]
region = eu-west-1
[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = eu-west-1
[profile sso-dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = AdministratorAccess
[profile sso-adm]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = AdministratorAccess
[profile deploy]
source_profile = sso-dev
role_arn = arn:aws:iam::111122223333:role/deploy
`

const ssoPolicy = `version: "1"
accounts: ["111122223333"]
rules:
  - {name: dev, effect: allow, conditions: {profiles: [sso-dev]}}
  - {name: deploy, effect: allow, conditions: {profiles: [deploy]}, max_duration: 30m}
  - {name: adm, effect: require_approval, conditions: {profiles: [sso-adm]}}
approvals:
  - {name: adm, profiles: [sso-adm], approvers: [bob]}
`

// ssoUser is who signs in to the SSO stand-in; ssoARN the session ARN STS
// reports for the role credentials.
const ssoUser = "alice@example.com"

type ssoFixture struct {
	*fixture
	sso   *fakesso.Server
	tok   vault.SSOTokenCache
	creds []fakesso.RoleCredentials
}

// newSSOFixture is the broker fixture with an IAM Identity Center
// stand-in whose role credentials the STS stand-in accepts, and alice
// signed in already.
func newSSOFixture(t *testing.T, policyYAML string) *ssoFixture {
	f := &ssoFixture{fixture: newFixture(t, policyYAML), sso: fakesso.New()}
	t.Cleanup(f.sso.Close)
	f.sso.SetUser(ssoUser)
	f.sso.AssignRole("111122223333", "AdministratorAccess")
	f.sso.SetCredentialsLifetime(2 * time.Hour)
	f.sso.OnRoleCredentials(func(rc fakesso.RoleCredentials) {
		f.creds = append(f.creds, rc)
		f.sts.AddSession(rc.AccessKeyID, rc.SessionToken, rc.ARN, rc.RoleARN, rc.AccountID, rc.Expiration)
	})
	f.tok = vault.SSOTokenCache{Dir: filepath.Join(f.dir, ".aws", "sso", "cache")}
	return f
}

func (f *ssoFixture) engine(signIn func(vault.DeviceAuthorization) error) *vault.SSO {
	return &vault.SSO{
		Options: vault.SSOOptions{OIDCEndpoint: f.sso.URL(), PortalEndpoint: f.sso.URL(), MaxAttempts: 1},
		Tokens:  f.tok,
		Sleep:   func(context.Context, time.Duration) error { return nil },
		SignIn:  signIn,
	}
}

func (f *ssoFixture) signIn() {
	f.t.Helper()
	if _, err := f.engine(nil).Login(context.Background(), mustSession(f.t), func(vault.DeviceAuthorization) error { return nil }); err != nil {
		f.t.Fatal(err)
	}
}

func mustSession(t testing.TB) vault.SSOSessionConfig {
	c, err := vault.ParseConfig([]byte(ssoAWSConfig), "config")
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := c.SSOSession("corp")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *ssoFixture) broker() *broker.Broker {
	b := f.fixture.broker()
	profiles, err := vault.ParseConfig([]byte(ssoAWSConfig), "config")
	if err != nil {
		f.t.Fatal(err)
	}
	b.Profiles = profiles
	b.SSO = f.engine(nil)
	return b
}

func (f *ssoFixture) issue(profile string) (*broker.Grant, error) {
	return f.broker().Issue(context.Background(), broker.Input{Profile: profile, Mode: policy.ModeCLI})
}

func TestSSOProfileUsedDirectly(t *testing.T) {
	f := newSSOFixture(t, ssoPolicy)
	f.signIn()
	g, err := f.issue("sso-dev")
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	if len(f.creds) != 1 || g.Credentials.AccessKeyID != f.creds[0].AccessKeyID {
		t.Fatalf("grant %v, want the portal's credentials", g.Credentials)
	}
	if g.Caller.Name != ssoUser || g.Caller.ARN != f.creds[0].ARN || g.SourceIdentity != "" || g.Cached {
		t.Fatalf("grant %+v", g)
	}
	// The lifetime is the permission set's (no rule limits it): the log
	// says so.
	if !g.Credentials.Expires.Equal(f.creds[0].Expiration) {
		t.Errorf("expires %v, want %v", g.Credentials.Expires, f.creds[0].Expiration)
	}
	e := f.lastDecision()
	if e.Effect != "allow" || e.User != ssoUser || e.Note == "" || e.SourceIdentity != "" {
		t.Errorf("decision %+v, want an allow with a note", e)
	}
	if n := len(f.sts.CallsOf("GetCallerIdentity")); n != 1 {
		t.Errorf("GetCallerIdentity called %d times, want 1", n)
	}

	// Warm: no call to the portal or STS.
	portal, sts := f.sso.TotalCalls(), len(f.sts.Calls())
	g2, err := f.issue("sso-dev")
	if err != nil || !g2.Cached || g2.Credentials.AccessKeyID != g.Credentials.AccessKeyID {
		t.Fatalf("warm Issue: %+v %v", g2, err)
	}
	if f.sso.TotalCalls() != portal || len(f.sts.Calls()) != sts {
		t.Errorf("the warm path made network calls")
	}
}

func TestSSOBaseOfARoleChain(t *testing.T) {
	f := newSSOFixture(t, ssoPolicy)
	f.signIn()
	g, err := f.issue("deploy")
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	calls := f.sts.CallsOf("AssumeRole")
	if len(calls) != 1 {
		t.Fatalf("AssumeRole calls: %d", len(calls))
	}
	c := calls[0]
	if c.AccessKeyID != f.creds[0].AccessKeyID || c.CallerARN != f.creds[0].ARN {
		t.Errorf("AssumeRole signed by %s (%s), want the SSO role credentials", c.AccessKeyID, c.CallerARN)
	}
	if c.Params.Get("SourceIdentity") == "" || c.Params.Get("SourceIdentity") != g.SourceIdentity || c.Params.Get("DurationSeconds") != "1800" {
		t.Errorf("AssumeRole params %v: want the SourceIdentity and the rule's 30m cap", c.Params)
	}
	if g.Caller.Name != ssoUser || g.RoleARN != "arn:aws:iam::111122223333:role/deploy" {
		t.Errorf("grant %+v", g)
	}
	if e := f.lastDecision(); e.Note != "" || e.SourceIdentity == "" {
		t.Errorf("decision %+v: a chained role is stamped, with no note", e)
	}
}

func TestSSOUncappableIsRefused(t *testing.T) {
	t.Run("server mode", func(t *testing.T) {
		f := newSSOFixture(t, ssoPolicy)
		f.signIn()
		b := f.broker()
		_, err := b.Issue(context.Background(), broker.Input{Profile: "sso-dev", Mode: policy.ModeServer, Server: &broker.ServerSession{}})
		var unc *broker.SSOUncappableError
		if !errors.As(err, &unc) || !unc.Server || !errors.Is(err, broker.ErrDenied) {
			t.Fatalf("Issue: %v, want *SSOUncappableError (server)", err)
		}
		if e := f.lastDecision(); e.Effect != "deny" {
			t.Errorf("decision %+v, want deny", e)
		}
	})
	t.Run("approval window shorter than the credentials", func(t *testing.T) {
		f := newSSOFixture(t, ssoPolicy)
		f.signIn()
		// Learn the caller's ARN first: that is who the approval is for.
		if _, err := f.issue("sso-dev"); err != nil {
			t.Fatal(err)
		}
		f.approveSSO(f.now.Add(-35*time.Minute), time.Hour)
		_, err := f.issue("sso-adm")
		var unc *broker.SSOUncappableError
		if !errors.As(err, &unc) || unc.Server || unc.Grant == "" {
			t.Fatalf("Issue: %v, want *SSOUncappableError (window)", err)
		}
	})
	t.Run("approval window longer than the credentials", func(t *testing.T) {
		f := newSSOFixture(t, ssoPolicy)
		f.sso.SetCredentialsLifetime(30 * time.Minute)
		f.signIn()
		if _, err := f.issue("sso-dev"); err != nil {
			t.Fatal(err)
		}
		f.approveSSO(f.now.Add(-time.Minute), 2*time.Hour)
		if g, err := f.issue("sso-adm"); err != nil || g.ApprovalID == "" {
			t.Fatalf("Issue: %+v %v", g, err)
		}
	})
}

func TestSSOPins(t *testing.T) {
	pinned := ssoPolicy + `profiles:
  sso-dev: {sso_account: "111122223333", sso_role_name: AdministratorAccess}
  sso-adm: {sso_account: "111122223333", sso_role_name: ReadOnly}
  deploy: {role_arn: "arn:aws:iam::111122223333:role/deploy"}
`
	f := newSSOFixture(t, pinned)
	f.signIn()
	if _, err := f.issue("sso-dev"); err != nil {
		t.Errorf("pinned sso-dev: %v", err)
	}
	if _, err := f.issue("deploy"); err != nil {
		t.Errorf("pinned deploy: %v", err)
	}
	_, err := f.issue("sso-adm")
	var pe *policy.PinError
	if !errors.As(err, &pe) || pe.Kind != policy.PinSSOMismatch {
		t.Fatalf("sso-adm pinned to another permission set: %v", err)
	}
}

func TestSSONotSignedInFailsCleanly(t *testing.T) {
	f := newSSOFixture(t, ssoPolicy)
	_, err := f.issue("sso-dev")
	var need *vault.SSOLoginRequiredError
	if !errors.As(err, &need) || need.Session != "corp" || need.Profile != "sso-dev" {
		t.Fatalf("Issue: %v, want *vault.SSOLoginRequiredError", err)
	}
	if n := f.sso.TotalCalls(); n != 0 {
		t.Errorf("%d calls to the stand-in", n)
	}
	// A terminal: the sign-in runs, then the credentials come.
	b := f.broker()
	shown := 0
	b.SSO = f.engine(func(vault.DeviceAuthorization) error { shown++; return nil })
	if _, err := b.Issue(context.Background(), broker.Input{Profile: "sso-dev", Mode: policy.ModeCLI}); err != nil || shown != 1 {
		t.Fatalf("Issue on a terminal: %v (sign-ins shown: %d)", err, shown)
	}
}

// approveSSO stores a request by the signed-in person for sso-adm,
// approved by bob at decided, for window d.
func (f *ssoFixture) approveSSO(decided time.Time, d time.Duration) {
	f.t.Helper()
	id, err := request.NewID()
	if err != nil {
		f.t.Fatal(err)
	}
	r, err := request.New(request.NewParams{ID: id, Requester: ssoUser, RequesterARN: f.creds[0].ARN, Profile: "sso-adm",
		Justification: "a test needs it", Duration: d, Now: decided.Add(-time.Minute)})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := r.Approve("bob", bobARN, "", decided); err != nil {
		f.t.Fatal(err)
	}
	st := f.openStore()
	defer st.Close()
	if err := st.Requests().Create(context.Background(), r); err != nil {
		f.t.Fatal(err)
	}
}

func TestSSOChainedRoleInServerMode(t *testing.T) {
	f := newSSOFixture(t, ssoPolicy)
	f.signIn()
	b := f.broker()
	s := &broker.ServerSession{}
	g, err := b.Issue(context.Background(), broker.Input{Profile: "deploy", Mode: policy.ModeServer, Server: s})
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	if g.SessionID == "" || g.SourceIdentity == "" || g.Caller.Name != ssoUser {
		t.Fatalf("grant %+v", g)
	}
	c := f.sts.CallsOf("AssumeRole")[0]
	tagged := false
	for k, v := range c.Params {
		if len(v) == 1 && v[0] == "sentinel-session-id" && len(k) > 4 && k[len(k)-4:] == ".Key" {
			tagged = true
		}
	}
	if !tagged || c.AccessKeyID != f.creds[0].AccessKeyID {
		t.Errorf("AssumeRole %v: want the session tag, signed with the SSO role credentials", c.Params)
	}
}

// A profile used directly gets the portal's credentials, whose lifetime is
// the permission set's: they are refused when the policy limits them to
// less (a rule's max_duration, the pin's, a time window), as for a grant.
func TestSSODirectRefusedWhenThePolicyLimitsItsLifetime(t *testing.T) {
	// The credentials last 2h from now; the window below closes 1h from
	// now, in UTC, whatever day it is (an overnight window when that is
	// past midnight).
	closes := time.Now().UTC().Add(time.Hour).Truncate(time.Minute)
	opens := closes.Add(-3 * time.Hour)
	window := fmt.Sprintf("time: {hours: {start: \"%s\", end: \"%s\"}, timezone: UTC}", opens.Format("15:04"), closes.Format("15:04"))
	for _, tc := range []struct {
		name       string
		conditions string // beside profiles
		extra      string // beside conditions
		pin        string
		lifetime   time.Duration
		wantLimit  string // "" means allowed
	}{
		{name: "no limit", lifetime: 2 * time.Hour},
		{name: "max_duration longer", extra: ", max_duration: 3h", lifetime: 2 * time.Hour},
		{name: "max_duration shorter", extra: ", max_duration: 30m", lifetime: 2 * time.Hour, wantLimit: "max_duration"},
		{name: "pin max_duration shorter", lifetime: 2 * time.Hour, wantLimit: "max_duration",
			pin: "profiles:\n  sso-dev: {sso_account: \"111122223333\", sso_role_name: AdministratorAccess, max_duration: 1h}\n"},
		{name: "window closes first", conditions: ", " + window, lifetime: 2 * time.Hour, wantLimit: "time window"},
		{name: "window closes after", conditions: ", " + window, lifetime: 30 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pol := "version: \"1\"\naccounts: [\"111122223333\"]\nrules:\n  - {name: dev, effect: allow, conditions: {profiles: [sso-dev]" +
				tc.conditions + "}" + tc.extra + "}\n" + tc.pin
			f := newSSOFixture(t, pol)
			f.now = time.Now().UTC().Truncate(time.Second)
			f.sso.SetCredentialsLifetime(tc.lifetime)
			f.signIn()
			g, err := f.issue("sso-dev")
			if tc.wantLimit == "" {
				if err != nil {
					t.Fatalf("Issue: %v", err)
				}
				return
			}
			var unc *broker.SSOUncappableError
			if !errors.As(err, &unc) || !errors.Is(err, broker.ErrDenied) || !strings.Contains(unc.Grant, tc.wantLimit) || g != nil {
				t.Fatalf("Issue: %v (grant %v), want *SSOUncappableError naming the %s", err, g != nil, tc.wantLimit)
			}
			if e := f.lastDecision(); e.Effect != "deny" || e.RequestID == "" {
				t.Errorf("decision %+v, want a deny", e)
			}
		})
	}
}
