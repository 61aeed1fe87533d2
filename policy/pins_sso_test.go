package policy

import (
	"errors"
	"strings"
	"testing"
)

const ssoPinsPolicy = `version: "1"
profiles:
  sso-dev:
    sso_account: "111122223333"
    sso_role_name: AdministratorAccess
  deploy:
    role_arn: arn:aws:iam::111122223333:role/deploy
  keys:
    account: "111122223333"
rules:
  - {name: all, effect: allow}
`

func TestSSOPinDecode(t *testing.T) {
	p := mustParse(t, ssoPinsPolicy)
	pin, ok := p.Pin("sso-dev")
	if !ok || pin.SSOAccount != "111122223333" || pin.SSORoleName != "AdministratorAccess" || pin.Account != "111122223333" || pin.RoleARN != "" {
		t.Fatalf("Pin(sso-dev) = %+v", pin)
	}
	bad := []struct{ pin, want string }{
		{`{sso_account: "111122223333"}`, "sso_role_name: missing"},
		{`{sso_role_name: Admin}`, "sso_account: missing"},
		{`{sso_account: "1111", sso_role_name: Admin}`, "bad account ID"},
		{`{sso_account: "111122223333", sso_role_name: "a b"}`, "bad role name"},
		{`{sso_account: "111122223333", sso_role_name: Admin, role_arn: "arn:aws:iam::111122223333:role/x"}`, "role_arn with sso_account"},
		{`{sso_account: "111122223333", sso_role_name: Admin, account: "444455556666"}`, "differs from sso_account"},
	}
	for _, tt := range bad {
		_, err := Parse([]byte("version: \"1\"\nprofiles:\n  x: "+tt.pin+"\nrules:\n  - {name: all, effect: allow}\n"), "p.yaml")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("pin %s: error %v, want %q", tt.pin, err, tt.want)
		}
	}
}

func TestCheckChainFromSSO(t *testing.T) {
	p := mustParse(t, ssoPinsPolicy)
	admin := &SSOBase{Account: "111122223333", RoleName: "AdministratorAccess"}
	tests := []struct {
		name    string
		profile string
		roles   []string
		account string
		sso     *SSOBase
		want    PinErrorKind // 0 = allowed
	}{
		{"sso pin, that account and role", "sso-dev", nil, "111122223333", admin, 0},
		{"sso pin, another permission set", "sso-dev", nil, "111122223333", &SSOBase{Account: "111122223333", RoleName: "ReadOnly"}, PinSSOMismatch},
		{"sso pin, another account in config", "sso-dev", nil, "111122223333", &SSOBase{Account: "444455556666", RoleName: "AdministratorAccess"}, PinSSOMismatch},
		{"sso pin, STS says another account", "sso-dev", nil, "444455556666", admin, PinAccountMismatch},
		{"sso pin, stored keys", "sso-dev", nil, "111122223333", nil, PinSSOMismatch},
		{"sso pin, a role assumed", "sso-dev", []string{"arn:aws:iam::111122223333:role/deploy"}, "111122223333", admin, PinUnexpectedRole},
		{"role pin, chained from sso", "deploy", []string{"arn:aws:iam::111122223333:role/deploy"}, "111122223333", admin, 0},
		{"account pin, sso used directly", "keys", nil, "111122223333", admin, PinSSOUnpinned},
		{"account pin, stored keys", "keys", nil, "111122223333", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.CheckChainFrom(tt.profile, tt.roles, tt.account, tt.sso)
			if tt.want == 0 {
				if err != nil {
					t.Fatalf("CheckChainFrom: %v", err)
				}
				return
			}
			var pe *PinError
			if !errors.As(err, &pe) || pe.Kind != tt.want || !errors.Is(err, ErrPin) {
				t.Fatalf("CheckChainFrom: %v, want kind %v", err, tt.want)
			}
			if pe.Error() == "" || pe.Kind.String() == "" {
				t.Fatal("empty message")
			}
		})
	}
}
