package e2e

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/fakesignin"
)

// signinWorld is a world with the console federation stand-in, which
// checks credentials against the world's STS stand-in.
func signinWorld(t *testing.T) (*world, *fakesignin.Server, *person) {
	t.Helper()
	w, alice := newWorldWithAlice(t, devPolicy)
	signin := fakesignin.New(w.sts)
	t.Cleanup(signin.Close)
	alice.extra["AWS_ENDPOINT_URL_SIGNIN"] = signin.URL()
	return w, signin, alice
}

// loginURLOf checks that out is one sign-in URL of the stand-in and
// returns its query.
func loginURLOf(t *testing.T, signin *fakesignin.Server, out string) url.Values {
	t.Helper()
	line := strings.TrimSpace(out)
	if strings.Contains(line, "\n") {
		t.Fatalf("login printed more than the URL: %q", out)
	}
	base, query, ok := strings.Cut(line, "?")
	if !ok || base != signin.URL() {
		t.Fatalf("login URL %q is not on the federation endpoint %s", line, signin.URL())
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatalf("login URL query: %v", err)
	}
	if q.Get("Action") != "login" || q.Get("Issuer") != "sentinel" || q.Get("SigninToken") == "" {
		t.Errorf("login URL query: %v", q)
	}
	return q
}

func TestLoginWithARoleCapsTheConsoleSessionToTheGrant(t *testing.T) {
	w, signin, alice := signinWorld(t)
	// Cached credentials are not reused for a console session.
	alice.mustRun("exec", "dev", "--", "true")
	before := len(w.assumeCalls())

	r := alice.mustRun("login", "--stdout", "--duration", "30m", "dev")
	q := loginURLOf(t, signin, r.stdout)
	if got := q.Get("Destination"); got != "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1" {
		t.Errorf("Destination %q", got)
	}
	if n := len(w.assumeCalls()) - before; n != 1 {
		t.Errorf("login made %d AssumeRole calls, want 1 fresh one", n)
	}
	s := signin.Signins()
	if len(s) != 1 || s[0].Kind != "assumed-role" || s[0].Token != q.Get("SigninToken") {
		t.Fatalf("sign-ins: %+v", s)
	}
	if d := s[0].SessionDuration; d < 29*time.Minute || d > 30*time.Minute {
		t.Errorf("console session %s, want the 30m grant", d)
	}
	if left := time.Until(s[0].CredentialsExpire); s[0].SessionDuration > left+time.Second {
		t.Errorf("console session %s outlives the credentials (%s left)", s[0].SessionDuration, left)
	}
	d := alice.lastDecision()
	if d["effect"] != "allow" || d["profile"] != "dev" || !strings.Contains(d["note"].(string), "console sign-in") || d["cached"] == true {
		t.Errorf("decision entry: %v", d)
	}
	if !sourceIdentityRE.MatchString(d["source_identity"].(string)) {
		t.Errorf("console session not stamped: %v", d)
	}

	r = alice.mustRun("login", "--stdout", "--path", "/s3/home", "--region", "us-gov-west-1", "dev")
	if got := loginURLOf(t, signin, r.stdout).Get("Destination"); got != "https://us-gov-west-1.console.amazonaws-us-gov.com/s3/home?region=us-gov-west-1" {
		t.Errorf("Destination with --path and a GovCloud region: %q", got)
	}
	alice.mustFail(`console path "https://evil.example/" must be a path`, "login", "--stdout", "--path", "https://evil.example/", "dev")
}

func TestLoginWithoutARoleUsesAFederationToken(t *testing.T) {
	w, signin, alice := signinWorld(t)
	r := alice.mustRun("login", "--stdout", "plain")
	loginURLOf(t, signin, r.stdout)
	fed := w.sts.CallsOf("GetFederationToken")
	if len(fed) != 1 || fed[0].AccessKeyID != alice.keyID || fed[0].Params.Get("Name") != "alice" || fed[0].Params.Get("DurationSeconds") != "3600" {
		t.Fatalf("GetFederationToken calls: %+v", fed)
	}
	s := signin.Signins()
	if len(s) != 1 || s[0].Kind != "federated-user" || s[0].SessionDuration != 0 {
		t.Errorf("sign-ins: %+v", s)
	}
	if d := alice.lastDecision(); !strings.Contains(d["note"].(string), "federation-token") || !strings.Contains(d["note"].(string), "console sign-in") {
		t.Errorf("decision entry: %v", d)
	}
	if signin.Refusals() != 0 {
		t.Errorf("the endpoint refused %d calls", signin.Refusals())
	}
}

func TestLoginDeniedOrRefusedSignsNothingIn(t *testing.T) {
	w, signin, alice := signinWorld(t)
	r := alice.mustFail(`access to profile prod denied`, "login", "--stdout", "prod")
	if r.stdout != "" || len(signin.Signins()) != 0 || len(w.assumeCalls()) != 0 {
		t.Errorf("a denied login signed in: %s", r)
	}
	if d := alice.lastDecision(); d["effect"] != "deny" || !strings.Contains(d["note"].(string), "console sign-in") {
		t.Errorf("deny entry: %v", d)
	}
	alice.extra["AWS_ENDPOINT_URL_SIGNIN"] = "http://127.0.0.1:1/federation"
	r = alice.mustFail(`reach the federation endpoint http://127.0.0.1:1/federation`, "login", "--stdout", "dev")
	if strings.Contains(r.stderr, "sessionKey") || strings.Contains(r.stderr, "Session=") {
		t.Errorf("the error shows the credentials: %s", r.stderr)
	}
}

func TestLoginOpensTheBrowser(t *testing.T) {
	_, signin, alice := signinWorld(t)
	bin := t.TempDir()
	opened := filepath.Join(t.TempDir(), "opened")
	stub := "#!/bin/sh\nprintf '%s\\n' \"$#\" \"$1\" > " + opened + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(stub), 0o700); err != nil {
		t.Fatal(err)
	}
	alice.extra["PATH"] = bin + ":" + os.Getenv("PATH")
	r := alice.mustRun("login", "dev")
	if r.stdout != "" {
		t.Errorf("login printed %q with a browser to open", r.stdout)
	}
	got, err := os.ReadFile(opened)
	if err != nil {
		t.Fatalf("xdg-open was not run: %v", err)
	}
	argc, arg, _ := strings.Cut(strings.TrimSpace(string(got)), "\n")
	if argc != "1" {
		t.Errorf("xdg-open got %s arguments, want the URL alone", argc)
	}
	loginURLOf(t, signin, arg)
}
