//go:build unix

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/fakesso"
)

// ssoConfig adds IAM Identity Center profiles to the default ones: one
// used directly and a role chained from it.
const ssoConfig = defaultAWSConfig + `
[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile sso-dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = AdministratorAccess
region = eu-west-1

[profile sso-deploy]
source_profile = sso-dev
role_arn = arn:aws:iam::111122223333:role/deploy
`

const ssoPolicyYAML = `version: "1"
accounts: ["111122223333"]
rules:
  - {name: sso, effect: allow, conditions: {profiles: [sso-dev, sso-deploy]}, max_duration: 1h}
profiles:
  sso-dev: {sso_account: "111122223333", sso_role_name: AdministratorAccess}
  sso-deploy: {role_arn: "arn:aws:iam::111122223333:role/deploy"}
`

// ssoTokenFile is sha1("corp"): where the AWS CLI keeps the session's token.
const ssoTokenFile = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"

// ssoPerson is alice with IAM Identity Center profiles, signing in to an
// SSO stand-in whose role credentials the STS stand-in accepts.
func ssoPerson(t *testing.T) (*person, *fakesso.Server, *[]fakesso.RoleCredentials) {
	w := newWorld(t)
	w.setPolicy(ssoPolicyYAML)
	srv := fakesso.New()
	t.Cleanup(srv.Close)
	srv.AssignRole(account, "AdministratorAccess")
	issued := &[]fakesso.RoleCredentials{}
	srv.OnRoleCredentials(func(rc fakesso.RoleCredentials) {
		*issued = append(*issued, rc)
		w.sts.AddSession(rc.AccessKeyID, rc.SessionToken, rc.ARN, rc.RoleARN, rc.AccountID, rc.Expiration)
	})
	alice := w.newPerson("alice")
	alice.writeFile(".aws/config", ssoConfig)
	alice.extra["AWS_ENDPOINT_URL_SSO_OIDC"] = srv.URL()
	alice.extra["AWS_ENDPOINT_URL_SSO"] = srv.URL()
	return alice, srv, issued
}

// runDetached runs sentinel as p without a controlling terminal (a new
// session), as under cron or a CI job.
func (p *person) runDetached(args ...string) result {
	p.t.Helper()
	cmd := exec.Command(sentinelBin, args...)
	cmd.Env = p.env()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	return p.runCommand(cmd, fmt.Sprintf("sentinel %v", args))
}

func TestSSOLoginExecAndChainedRole(t *testing.T) {
	alice, srv, issued := ssoPerson(t)
	w := alice.w

	r := alice.mustRun("sso", "login", "--no-browser", "sso-dev")
	if !strings.Contains(r.stderr, "/start/#/device?user_code=") || !strings.Contains(r.stdout, "Profile sso-dev: alice@example.com in account 111122223333") {
		t.Fatalf("sso login output:\n%s", r)
	}
	fi, err := os.Stat(filepath.Join(alice.home, ssoTokenFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v, want the AWS CLI's file, 0600", fi, err)
	}
	if len(*issued) != 1 {
		t.Fatalf("role credentials issued: %d, want 1", len(*issued))
	}
	sso := (*issued)[0]

	// Used directly: the portal's credentials, no new call (sso login
	// cached them), a note in the log.
	r = alice.mustRun("exec", "sso-dev", "--", "env")
	env := envOf(r.stdout)
	if env["AWS_ACCESS_KEY_ID"] != sso.AccessKeyID || env["AWS_SESSION_TOKEN"] == "" || env["SENTINEL_PROFILE"] != "sso-dev" {
		t.Fatalf("child env: %v", env)
	}
	entries := alice.logEntries()
	last := entries[len(entries)-1]
	if last["effect"] != "allow" || last["user"] != "alice@example.com" || !strings.Contains(last["note"].(string), "IAM Identity Center") {
		t.Errorf("decision %v, want an allow for alice@example.com with the note", last)
	}

	// Warm credentials: no call to the portal or STS.
	portal, sts := srv.TotalCalls(), len(w.sts.Calls())
	doc := alice.credentialsDoc("sso-dev")
	if doc["AccessKeyId"] != sso.AccessKeyID || srv.TotalCalls() != portal || len(w.sts.Calls()) != sts {
		t.Errorf("warm credentials: %v; portal calls %d -> %d, STS calls %d -> %d", doc["AccessKeyId"], portal, srv.TotalCalls(), sts, len(w.sts.Calls()))
	}

	// A role chained from the SSO profile: stamped with the SourceIdentity
	// and capped, signed with the SSO role credentials.
	r = alice.mustRun("exec", "sso-deploy", "--", "env")
	env = envOf(r.stdout)
	c := w.lastAssume()
	if c.AccessKeyID != sso.AccessKeyID || c.CallerARN != sso.ARN {
		t.Errorf("AssumeRole signed by %s (%s), want the SSO role credentials", c.AccessKeyID, c.CallerARN)
	}
	si := c.Params.Get("SourceIdentity")
	// The label of SSO user alice@example.com: no dot (see person.Label).
	if !strings.HasPrefix(si, "sentinel.alice@example,com=sso.direct.") || durationSeconds(t, c) != 3600 || env["AWS_ACCESS_KEY_ID"] == sso.AccessKeyID {
		t.Errorf("AssumeRole SourceIdentity %q duration %d; child key %s", si, durationSeconds(t, c), env["AWS_ACCESS_KEY_ID"])
	}

	// Server mode cannot tag or cap the portal's credentials.
	alice.mustFail(`IAM Identity Center role credentials, which cannot carry`, "exec", "--server", "sso-dev", "--", "true")
}

func TestSSOWithoutTokenOrTerminalFailsCleanly(t *testing.T) {
	alice, srv, _ := ssoPerson(t)
	r := alice.runDetached("credentials", "sso-dev")
	if r.code == 0 || r.stdout != "" {
		t.Fatalf("credentials without a token: %s", r)
	}
	checkOneLineError(t, r.stderr, `sign-in required for corp: no token\n.*hint: sign in: sentinel sso login sso-dev`)
	if n := srv.TotalCalls(); n != 0 {
		t.Errorf("%d calls to IAM Identity Center without a terminal", n)
	}

	// An expired token, written by the AWS CLI: the same clean failure.
	alice.writeFile(ssoTokenFile, `{"startUrl": "https://example.awsapps.com/start", "region": "eu-west-1",
	  "accessToken": "old", "expiresAt": "2020-01-01T00:00:00Z"}`)
	r = alice.runDetached("exec", "sso-deploy", "--", "true")
	checkOneLineError(t, r.stderr, `^sentinel: profile sso-dev: IAM Identity Center sign-in required for corp: token expired\n.*hint: sign in: sentinel sso login sso-dev`)
}

func TestSSOTokenFromTheAWSCLIIsUsed(t *testing.T) {
	alice, srv, issued := ssoPerson(t)
	srv.AddToken("token-the-aws-cli-wrote", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC))
	alice.writeFile(ssoTokenFile, `{"startUrl": "https://example.awsapps.com/start", "region": "eu-west-1",
	  "accessToken": "token-the-aws-cli-wrote", "expiresAt": "2099-01-01T00:00:00Z"}`)
	r := alice.runDetached("exec", "sso-dev", "--", "env")
	if r.code != 0 || len(*issued) != 1 || envOf(r.stdout)["AWS_ACCESS_KEY_ID"] != (*issued)[0].AccessKeyID {
		t.Fatalf("exec with the AWS CLI's token: %s", r)
	}
	if srv.Calls("CreateToken") != 0 || srv.Calls("RegisterClient") != 0 {
		t.Error("sentinel signed in again instead of using the AWS CLI's token")
	}
}
