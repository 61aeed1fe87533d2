//go:build unix

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/fakesignin"
)

// TestLoginSSOProfile: `sentinel login` of an IAM Identity Center profile
// signs in with the portal's role credentials, as aws-vault does, and the
// console session ends with them.
func TestLoginSSOProfile(t *testing.T) {
	alice, _, issued := ssoPerson(t)
	signin := fakesignin.New(alice.w.sts)
	t.Cleanup(signin.Close)
	alice.extra["AWS_ENDPOINT_URL_SIGNIN"] = signin.URL()
	alice.mustRun("sso", "login", "--no-browser", "sso-dev")

	r := alice.mustRun("login", "--stdout", "sso-dev")
	q := loginURLOf(t, signin, r.stdout)
	s := signin.Signins()
	if len(*issued) != 1 || len(s) != 1 || s[0].ARN != (*issued)[0].ARN || s[0].Kind != "assumed-role" || s[0].Token != q.Get("SigninToken") {
		t.Fatalf("sign-ins %+v, want one with the SSO role credentials %+v", s, *issued)
	}
	if left := time.Until(s[0].CredentialsExpire); s[0].SessionDuration <= 0 || s[0].SessionDuration > left+time.Second {
		t.Errorf("console session %s, want one that ends with the credentials (%s left)", s[0].SessionDuration, left)
	}
	if fed := alice.w.sts.CallsOf("GetFederationToken"); len(fed) != 0 {
		t.Errorf("GetFederationToken called: %+v", fed)
	}
	d := alice.lastDecision()
	if d["effect"] != "allow" || d["profile"] != "sso-dev" || !strings.Contains(d["note"].(string), "IAM Identity Center") || !strings.Contains(d["note"].(string), "console sign-in") {
		t.Errorf("decision entry: %v", d)
	}
}
