package vault

import (
	"errors"
	"testing"
)

const ssoConfig = `
[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile sso-dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = AdministratorAccess
region = eu-central-1

[profile legacy]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = ReadOnly

[profile deploy]
source_profile = sso-dev
role_arn = arn:aws:iam::111122223333:role/deploy

[profile no-session]
sso_session = missing
sso_account_id = 111122223333
sso_role_name = ReadOnly

[profile bad-account]
sso_session = corp
sso_account_id = 1111
sso_role_name = ReadOnly

[profile no-role]
sso_session = corp
sso_account_id = 111122223333

[profile disagree]
sso_session = corp
sso_start_url = https://other.awsapps.com/start
sso_account_id = 111122223333
sso_role_name = ReadOnly

[profile http]
sso_start_url = http://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = ReadOnly
`

func TestResolveChainSSO(t *testing.T) {
	c, err := ParseConfig([]byte(ssoConfig), "config")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		profile   string
		wantErr   error
		session   string
		startURL  string
		region    string
		role      string
		roles     int
		ssoDirect bool
	}{
		{profile: "sso-dev", session: "corp", startURL: "https://example.awsapps.com/start", region: "eu-west-1", role: "AdministratorAccess", ssoDirect: true},
		{profile: "legacy", session: "", startURL: "https://example.awsapps.com/start", region: "us-east-1", role: "ReadOnly", ssoDirect: true},
		{profile: "deploy", session: "corp", startURL: "https://example.awsapps.com/start", region: "eu-west-1", role: "AdministratorAccess", roles: 1},
		{profile: "no-session", wantErr: ErrInvalidProfile},
		{profile: "bad-account", wantErr: ErrInvalidProfile},
		{profile: "no-role", wantErr: ErrInvalidProfile},
		{profile: "disagree", wantErr: ErrInvalidProfile},
		{profile: "http", wantErr: ErrInvalidProfile},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			ch, err := ResolveChain(c, tt.profile, nil)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ResolveChain: %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ch.SSO == nil {
				t.Fatal("chain has no SSO base")
			}
			s := ch.SSO
			if s.Session.Name != tt.session || s.Session.StartURL != tt.startURL || s.Session.Region != tt.region || s.RoleName != tt.role || s.AccountID != "111122223333" {
				t.Errorf("SSO base %+v", s)
			}
			if len(ch.Roles) != tt.roles || ch.SSODirect() != tt.ssoDirect {
				t.Errorf("roles %d direct %t, want %d %t", len(ch.Roles), ch.SSODirect(), tt.roles, tt.ssoDirect)
			}
		})
	}
	if sess, ok, err := c.SSOSession("corp"); !ok || err != nil || len(sess.Scopes) != 1 {
		t.Errorf("SSOSession(corp) = %+v %t %v", sess, ok, err)
	}
	if _, ok, _ := c.SSOSession("nope"); ok {
		t.Error("SSOSession(nope) found")
	}
	if _, ok := c.Profile("sso-session corp"); ok {
		t.Error("an sso-session section became a profile")
	}
}

func FuzzParseSSOToken(f *testing.F) {
	f.Add([]byte(`{"startUrl":"https://x.awsapps.com/start","region":"us-east-1","accessToken":"a","expiresAt":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"accessToken":"a","expiresAt":"2026-01-01T00:00:00+00:00","registrationExpiresAt":"bad"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, ok := parseSSOToken(data)
		if ok && tok.ExpiresAt.Location() != tok.ExpiresAt.UTC().Location() {
			t.Fatalf("expiry not in UTC: %v", tok.ExpiresAt)
		}
	})
}
