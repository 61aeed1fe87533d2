package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/fakesso"
	"github.com/sentinel-cli/sentinel/internal/safefile"
)

const (
	testStartURL = "https://example.awsapps.com/start"
	ssoAccount   = "111122223333"
	ssoRole      = "AdministratorAccess"
)

var testSession = SSOSessionConfig{Name: "corp", StartURL: testStartURL, Region: "eu-west-1", Scopes: []string{"sso:account:access"}}

// ssoRig is the stand-in, an SSO engine pointed at it, a fake clock that
// the engine's sleeps move forward, and the sleeps asked for.
type ssoRig struct {
	srv    *fakesso.Server
	sso    *SSO
	now    time.Time
	sleeps []time.Duration
	shown  []DeviceAuthorization
}

func newSSORig(t *testing.T) *ssoRig {
	t.Helper()
	srv := fakesso.New()
	t.Cleanup(srv.Close)
	srv.AssignRole(ssoAccount, ssoRole)
	r := &ssoRig{srv: srv, now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	srv.SetNow(func() time.Time { return r.now })
	r.sso = &SSO{
		Options: SSOOptions{OIDCEndpoint: srv.URL(), PortalEndpoint: srv.URL(), MaxAttempts: 1},
		Tokens:  SSOTokenCache{Dir: filepath.Join(t.TempDir(), ".aws", "sso", "cache")},
		Now:     func() time.Time { return r.now },
		Sleep: func(_ context.Context, d time.Duration) error {
			r.sleeps = append(r.sleeps, d)
			r.now = r.now.Add(d)
			return nil
		},
	}
	return r
}

// newSignedInSSORig is newSSORig after a device sign-in to testSession.
func newSignedInSSORig(t *testing.T) *ssoRig {
	t.Helper()
	r := newSSORig(t)
	if _, err := r.sso.Login(context.Background(), testSession, r.show); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *ssoRig) show(a DeviceAuthorization) error {
	r.shown = append(r.shown, a)
	return nil
}

func TestSSODeviceFlow(t *testing.T) {
	s := time.Second
	tests := []struct {
		name       string
		interval   int32
		answers    []fakesso.Answer
		wantErr    error
		wantSleeps []time.Duration
	}{
		{"approved at once", 1, nil, nil, []time.Duration{s}},
		{"pending then approved", 2, []fakesso.Answer{fakesso.Pending, fakesso.Pending}, nil, []time.Duration{2 * s, 2 * s, 2 * s}},
		{"slow_down adds five seconds for good", 1, []fakesso.Answer{fakesso.Pending, fakesso.SlowDown, fakesso.Pending}, nil, []time.Duration{s, s, 6 * s, 6 * s}},
		{"two slow_downs", 1, []fakesso.Answer{fakesso.SlowDown, fakesso.SlowDown}, nil, []time.Duration{s, 6 * s, 11 * s}},
		{"denied", 1, []fakesso.Answer{fakesso.Pending, fakesso.Deny}, ErrSSODenied, []time.Duration{s, s}},
		{"expired", 1, []fakesso.Answer{fakesso.Pending, fakesso.Expire}, ErrSSOExpired, []time.Duration{s, s}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newSSORig(t)
			r.srv.SetInterval(tt.interval)
			r.srv.SetAnswers(tt.answers...)
			tok, err := r.sso.Login(context.Background(), testSession, r.show)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Login: err %v, want %v", err, tt.wantErr)
			}
			if got := len(r.shown); got != 1 || r.shown[0].UserCode == "" || !strings.HasPrefix(r.shown[0].VerificationURIComplete, r.srv.URL()) {
				t.Fatalf("shown %+v, want one authorization with a code and a URL", r.shown)
			}
			if !equalDurations(r.sleeps, tt.wantSleeps) {
				t.Errorf("sleeps %v, want %v", r.sleeps, tt.wantSleeps)
			}
			if got := r.srv.Calls("CreateToken"); got != len(tt.wantSleeps) {
				t.Errorf("CreateToken called %d times, want %d", got, len(tt.wantSleeps))
			}
			_, found, lerr := r.sso.Tokens.Load(testSession)
			if lerr != nil || found != (tt.wantErr == nil) {
				t.Fatalf("token cached: %t (%v), want %t", found, lerr, tt.wantErr == nil)
			}
			if tt.wantErr != nil {
				return
			}
			if tok.AccessToken == "" || tok.RefreshToken == "" || tok.ClientID == "" || !tok.ExpiresAt.After(r.now) {
				t.Fatalf("token %v incomplete", tok)
			}
		})
	}
}

func TestSSODeviceCodeRunsOut(t *testing.T) {
	r := newSSORig(t)
	r.srv.SetInterval(200) // the 10-minute code runs out after three waits
	r.srv.SetAnswers(fakesso.Pending, fakesso.Pending, fakesso.Pending, fakesso.Pending)
	_, err := r.sso.Login(context.Background(), testSession, r.show)
	if !errors.Is(err, ErrSSOExpired) {
		t.Fatalf("Login: %v, want ErrSSOExpired", err)
	}
	if got := r.srv.Calls("CreateToken"); got != 2 {
		t.Errorf("CreateToken called %d times, want 2 (no poll after the code ran out)", got)
	}
}

func TestSSOTokenFileIsTheAWSCLIs(t *testing.T) {
	r := newSignedInSSORig(t)
	// sha1("corp")
	path := filepath.Join(r.sso.Tokens.Dir, "ee0bfd2552fbd840c02cc48b6e823320543c450f.json")
	if r.sso.Tokens.Path(testSession) != path {
		t.Fatalf("path %s, want %s", r.sso.Tokens.Path(testSession), path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", fi.Mode().Perm())
	}
	di, err := os.Stat(r.sso.Tokens.Dir)
	if err != nil || di.Mode().Perm() != 0o700 {
		t.Errorf("cache dir mode %v (%v), want 0700", di.Mode().Perm(), err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"accessToken", "expiresAt", "refreshToken", "clientId", "clientSecret", "registrationExpiresAt", "region", "startUrl"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("token file lacks %s: has %v", k, keysOf(fields))
		}
	}
	if _, err := time.Parse("2006-01-02T15:04:05Z", fields["expiresAt"].(string)); err != nil {
		t.Errorf("expiresAt %q is not in the AWS CLI's format", fields["expiresAt"])
	}
	legacy := SSOSessionConfig{StartURL: testStartURL, Region: "eu-west-1"}
	// sha1("https://example.awsapps.com/start")
	if got := filepath.Base(r.sso.Tokens.Path(legacy)); got != "e8be5486177c5b5392bd9aa76563515b29358e6e.json" {
		t.Errorf("legacy file name %s", got)
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestSSOReusesATokenTheAWSCLIWrote(t *testing.T) {
	r := newSSORig(t)
	if err := os.MkdirAll(r.sso.Tokens.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// As the AWS CLI v2 writes it (its times end in Z, or +00:00 in older
	// versions).
	cli := `{"startUrl": "` + testStartURL + `", "region": "eu-west-1", "accessToken": "token-from-the-aws-cli",
	  "expiresAt": "2026-03-02T18:00:00+00:00", "clientId": "cli-client", "clientSecret": "cli-secret",
	  "registrationExpiresAt": "2026-05-31T10:00:00Z", "refreshToken": "cli-refresh"}`
	if err := os.WriteFile(r.sso.Tokens.Path(testSession), []byte(cli), 0o600); err != nil {
		t.Fatal(err)
	}
	r.srv.AddToken("token-from-the-aws-cli", time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC))
	base := &SSOBase{Profile: "dev", Session: testSession, AccountID: ssoAccount, RoleName: ssoRole}
	creds, err := r.sso.RoleCredentials(context.Background(), base)
	if err != nil {
		t.Fatalf("RoleCredentials: %v", err)
	}
	if creds.SessionToken == "" || !creds.Expires.Equal(r.now.Add(time.Hour)) {
		t.Fatalf("credentials %v", creds)
	}
	for _, op := range []string{"RegisterClient", "StartDeviceAuthorization", "CreateToken"} {
		if n := r.srv.Calls(op); n != 0 {
			t.Errorf("%s called %d times; the AWS CLI's token should have been used", op, n)
		}
	}
}

func TestSSOTokenRefresh(t *testing.T) {
	r := newSSORig(t)
	r.sso.SignIn = r.show
	if _, err := r.sso.Login(context.Background(), testSession, r.show); err != nil {
		t.Fatal(err)
	}
	first, _, _ := r.sso.Tokens.Load(testSession)

	// More than 15 minutes left: used as it is.
	r.now = first.ExpiresAt.Add(-SSORefreshWindow - time.Minute)
	if tok, err := r.sso.Token(context.Background(), testSession, "dev"); err != nil || tok.AccessToken != first.AccessToken {
		t.Fatalf("Token with 16m left: %v %v, want the cached one", tok, err)
	}
	if n := r.srv.Calls("CreateToken"); n != 1 {
		t.Fatalf("CreateToken called %d times, want 1 (the sign-in)", n)
	}

	// Within the window: refreshed with the refresh token, no new sign-in.
	r.now = first.ExpiresAt.Add(-10 * time.Minute)
	tok, err := r.sso.Token(context.Background(), testSession, "dev")
	if err != nil || tok.AccessToken == first.AccessToken || tok.RefreshToken == first.RefreshToken {
		t.Fatalf("Token within the window: %v %v, want a refreshed one", tok, err)
	}
	if n := r.srv.Calls("StartDeviceAuthorization"); n != 1 {
		t.Fatalf("a new sign-in ran for a refresh")
	}
	cached, _, _ := r.sso.Tokens.Load(testSession)
	if cached.AccessToken != tok.AccessToken || cached.ClientID != first.ClientID {
		t.Fatalf("refreshed token not cached with the registration")
	}

	// Expired, and the refresh token revoked: without a terminal, a clean
	// typed error.
	r.sso.SignIn = nil
	r.srv.RevokeTokens()
	r.now = tok.ExpiresAt.Add(time.Minute)
	_, err = r.sso.Token(context.Background(), testSession, "dev")
	var need *SSOLoginRequiredError
	if !errors.As(err, &need) || need.Reason != "token expired" || need.Session != "corp" || need.Profile != "dev" {
		t.Fatalf("Token: %v, want *SSOLoginRequiredError (token expired)", err)
	}
}

func TestSSORefreshFailsWhileValidKeepsTheToken(t *testing.T) {
	r := newSignedInSSORig(t)
	first, _, _ := r.sso.Tokens.Load(testSession)
	r.srv.RevokeTokens()
	r.srv.AddToken(first.AccessToken, first.ExpiresAt)
	r.now = first.ExpiresAt.Add(-5 * time.Minute)
	tok, err := r.sso.Token(context.Background(), testSession, "dev")
	if err != nil || tok.AccessToken != first.AccessToken {
		t.Fatalf("Token: %v %v, want the still valid cached token", tok, err)
	}
}

func TestSSOWithoutTerminal(t *testing.T) {
	base := &SSOBase{Profile: "dev", Session: testSession, AccountID: ssoAccount, RoleName: ssoRole}
	t.Run("no token", func(t *testing.T) {
		r := newSSORig(t)
		_, err := r.sso.RoleCredentials(context.Background(), base)
		var need *SSOLoginRequiredError
		if !errors.As(err, &need) || need.Reason != "no token" || !errors.Is(err, ErrSSOLoginRequired) {
			t.Fatalf("RoleCredentials: %v, want *SSOLoginRequiredError", err)
		}
		if n := r.srv.TotalCalls(); n != 0 {
			t.Errorf("%d calls to the stand-in without a token", n)
		}
	})
	t.Run("token rejected by the portal", func(t *testing.T) {
		r := newSignedInSSORig(t)
		r.srv.RevokeTokens()
		_, err := r.sso.RoleCredentials(context.Background(), base)
		var need *SSOLoginRequiredError
		if !errors.As(err, &need) || need.Reason != "token rejected" {
			t.Fatalf("RoleCredentials: %v, want *SSOLoginRequiredError (token rejected)", err)
		}
	})
	t.Run("expired token signs in again on a terminal", func(t *testing.T) {
		r := newSignedInSSORig(t)
		r.srv.RevokeTokens()
		r.now = r.now.Add(9 * time.Hour)
		r.sso.SignIn = r.show
		if _, err := r.sso.RoleCredentials(context.Background(), base); err != nil {
			t.Fatalf("RoleCredentials: %v", err)
		}
		if len(r.shown) != 2 {
			t.Fatalf("sign-ins shown: %d, want 2", len(r.shown))
		}
	})
}

func TestSSORoleNotAssigned(t *testing.T) {
	r := newSignedInSSORig(t)
	_, err := r.sso.RoleCredentials(context.Background(), &SSOBase{Session: testSession, AccountID: "444455556666", RoleName: ssoRole})
	if !errors.Is(err, ErrSSOForbidden) {
		t.Fatalf("RoleCredentials: %v, want ErrSSOForbidden", err)
	}
}

func TestSSOTokenFileThroughASymlinkIsRefused(t *testing.T) {
	r := newSSORig(t)
	if err := os.MkdirAll(r.sso.Tokens.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "elsewhere.json")
	if err := os.WriteFile(target, []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, r.sso.Tokens.Path(testSession)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.sso.Tokens.Load(testSession); !errors.Is(err, safefile.ErrUnsafe) {
		t.Errorf("Load through a symlink: %v, want safefile.ErrUnsafe", err)
	}
	if err := r.sso.Tokens.Store(testSession, SSOToken{AccessToken: "x", ExpiresAt: r.now}); !errors.Is(err, safefile.ErrUnsafe) {
		t.Errorf("Store through a symlink: %v, want safefile.ErrUnsafe", err)
	}
	if data, _ := os.ReadFile(target); string(data) != "{}" {
		t.Errorf("the link's target was written: %s", data)
	}
}

func TestSSOTokenFromAnotherStartURLIsIgnored(t *testing.T) {
	c := SSOTokenCache{Dir: t.TempDir()}
	other := testSession
	other.StartURL = "https://other.awsapps.com/start"
	if err := c.Store(other, SSOToken{AccessToken: "x", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, found, err := c.Load(testSession); found || err != nil {
		t.Fatalf("Load: found %t err %v, want a miss", found, err)
	}
}

func TestSSOTokenPrintsNoSecret(t *testing.T) {
	tok := SSOToken{AccessToken: "bearer-secret", RefreshToken: "refresh-secret", ClientSecret: "client-secret"}
	for _, s := range []string{tok.String(), tok.GoString(), fmtAll(tok)} {
		if strings.Contains(s, "secret") {
			t.Errorf("token printed a secret: %s", s)
		}
	}
}

// fmtAll prints v with the verbs a debug line might use.
func fmtAll(v any) string {
	return fmt.Sprintf("%v %+v %#v %s %q", v, v, v, v, v)
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
