package vault

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/fakests"
)

const (
	testAccount = "111122223333"
	testKeyID   = "AKIAALICEEXAMPLE"
	testSecret  = "alice-secret-access-key"
	testSerial  = "arn:aws:iam::111122223333:mfa/alice"
	testRole    = "arn:aws:iam::222233334444:role/dev"
)

var testKeys = Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}

// startSTS isolates the environment, starts the STS stand-in with user
// alice and points the SDK at it with a single attempt per call.
func startSTS(t *testing.T) *fakests.Server {
	t.Helper()
	isolate(t)
	srv := fakests.New()
	t.Cleanup(srv.Close)
	srv.AddUser(testKeyID, "arn:aws:iam::"+testAccount+":user/alice", testAccount)
	t.Setenv("AWS_ENDPOINT_URL_STS", srv.URL())
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	return srv
}

func newTestSTS(t *testing.T, creds Credentials) *STS {
	t.Helper()
	opts, err := STSOptionsFromEnv(os.Getenv)
	if err != nil {
		t.Fatalf("STSOptionsFromEnv: %v", err)
	}
	s, err := NewSTS(context.Background(), "eu-west-1", creds, opts)
	if err != nil {
		t.Fatalf("NewSTS: %v", err)
	}
	return s
}

func TestGetCallerIdentity(t *testing.T) {
	startSTS(t)
	id, err := newTestSTS(t, testKeys).GetCallerIdentity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id.Name != "alice" || id.Account != testAccount || id.ARN != "arn:aws:iam::111122223333:user/alice" || id.UserID == "" {
		t.Errorf("identity = %+v", id)
	}
}

func TestNewSTSIgnoresUserAWSConfig(t *testing.T) {
	srv := startSTS(t)
	// A profile that does not exist, and config files that would recurse
	// into sentinel or point elsewhere: none of it may matter.
	t.Setenv("AWS_PROFILE", "nonexistent")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	mustNoErr(t, os.WriteFile(cfg, []byte("[default]\ncredential_process = /bin/false\nregion = nowhere-1\n[profile nonexistent-not]\n"), 0o600))
	creds := filepath.Join(dir, "credentials")
	mustNoErr(t, os.WriteFile(creds, []byte("[default]\naws_access_key_id = AKIAWRONG\naws_secret_access_key = wrong\n"), 0o600))
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "from-env")

	id, err := newTestSTS(t, testKeys).GetCallerIdentity(context.Background())
	if err != nil {
		t.Fatalf("GetCallerIdentity with AWS_PROFILE=nonexistent: %v", err)
	}
	if id.Name != "alice" {
		t.Errorf("identity = %+v", id)
	}
	calls := srv.CallsOf("GetCallerIdentity")
	if len(calls) != 1 || calls[0].AccessKeyID != testKeyID {
		t.Errorf("calls = %+v, want one signed by %s", calls, testKeyID)
	}
}

func TestGetSessionToken(t *testing.T) {
	srv := startSTS(t)
	ctx := context.Background()
	before := time.Now()
	sess, err := newTestSTS(t, testKeys).GetSessionToken(ctx, 2*time.Hour, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if sess.AccessKeyID == "" || sess.SecretAccessKey == "" || sess.SessionToken == "" {
		t.Fatalf("incomplete credentials: %v", sess)
	}
	if d := sess.Expires.Sub(before); d < 2*time.Hour-time.Minute || d > 2*time.Hour+time.Minute {
		t.Errorf("expires in %v, want about 2h", d)
	}
	if got := srv.CallsOf("GetSessionToken")[0].Params.Get("DurationSeconds"); got != "7200" {
		t.Errorf("DurationSeconds = %q, want 7200", got)
	}
	// The session credentials work, and are the same person.
	id, err := newTestSTS(t, sess).GetCallerIdentity(ctx)
	if err != nil || id.Name != "alice" {
		t.Errorf("identity of the session: %+v, %v", id, err)
	}
	// Duration 0 leaves the STS default.
	if _, err := newTestSTS(t, testKeys).GetSessionToken(ctx, 0, "", ""); err != nil {
		t.Fatal(err)
	}
	if calls := srv.CallsOf("GetSessionToken"); calls[1].Params.Has("DurationSeconds") {
		t.Errorf("DurationSeconds sent for duration 0: %v", calls[1].Params)
	}
}

func TestMFA(t *testing.T) {
	srv := startSTS(t)
	srv.AddMFA(testKeyID, testSerial, "123456")
	ctx := context.Background()
	s := newTestSTS(t, testKeys)

	// Without a code the account's MFA requirement denies the call.
	_, err := s.GetSessionToken(ctx, time.Hour, "", "")
	if !errors.Is(err, ErrAccessDenied) || !errors.Is(err, ErrMFANeeded) || !strings.Contains(err.Error(), "MFA is required") {
		t.Errorf("no MFA: err = %v", err)
	}
	// A wrong code.
	_, err = s.GetSessionToken(ctx, time.Hour, testSerial, "654321")
	if !errors.Is(err, ErrAccessDenied) || !errors.Is(err, ErrWrongMFACode) || !strings.HasSuffix(err.Error(), "wrong or expired MFA code") {
		t.Errorf("wrong code: err = %v", err)
	}
	// A serial without a code fails before any call.
	n := len(srv.Calls())
	if _, err = s.GetSessionToken(ctx, time.Hour, testSerial, ""); !errors.Is(err, ErrMFARequired) {
		t.Errorf("serial without code: err = %v", err)
	}
	if len(srv.Calls()) != n {
		t.Error("a call was made without an MFA code")
	}
	// The right code.
	sess, err := s.GetSessionToken(ctx, time.Hour, testSerial, "123456")
	if err != nil {
		t.Fatal(err)
	}
	last := srv.CallsOf("GetSessionToken")
	p := last[len(last)-1].Params
	if p.Get("SerialNumber") != testSerial || p.Get("TokenCode") != "123456" {
		t.Errorf("params = %v", p)
	}
	// An MFA session may assume a role without another code.
	if _, err := newTestSTS(t, sess).AssumeRole(ctx, AssumeRoleInput{RoleARN: testRole, SessionName: "alice"}); err != nil {
		t.Errorf("AssumeRole from the MFA session: %v", err)
	}
	// AssumeRole straight from the keys with MFA.
	if _, err := s.AssumeRole(ctx, AssumeRoleInput{RoleARN: testRole, SessionName: "alice", MFASerial: testSerial, TokenCode: "123456"}); err != nil {
		t.Errorf("AssumeRole with MFA: %v", err)
	}
	_, err = s.AssumeRole(ctx, AssumeRoleInput{RoleARN: testRole, SessionName: "alice", MFASerial: testSerial, TokenCode: "000000"})
	if !errors.Is(err, ErrAccessDenied) || !strings.Contains(err.Error(), "wrong or expired MFA code") {
		t.Errorf("AssumeRole with a wrong code: err = %v", err)
	}
}

func TestAssumeRole(t *testing.T) {
	srv := startSTS(t)
	ctx := context.Background()
	r, err := newTestSTS(t, testKeys).AssumeRoleDetails(ctx, AssumeRoleInput{
		RoleARN:        testRole,
		SessionName:    "alice",
		ExternalID:     "ext-123",
		SourceIdentity: "alice.policy.r-1",
		Duration:       30 * time.Minute,
		Tags:           map[string]string{"sentinel:request": "r-1", "b": "2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.ARN != "arn:aws:sts::222233334444:assumed-role/dev/alice" || r.SourceIdentity != "alice.policy.r-1" || r.RequestID == "" || r.AssumedRoleID == "" {
		t.Errorf("result = ARN %q SI %q request %q role ID %q", r.ARN, r.SourceIdentity, r.RequestID, r.AssumedRoleID)
	}
	p := srv.CallsOf("AssumeRole")[0].Params
	want := map[string]string{
		"RoleArn": testRole, "RoleSessionName": "alice", "ExternalId": "ext-123",
		"SourceIdentity": "alice.policy.r-1", "DurationSeconds": "1800",
		// Tags are sent sorted by key.
		"Tags.member.1.Key": "b", "Tags.member.1.Value": "2",
		"Tags.member.2.Key": "sentinel:request", "Tags.member.2.Value": "r-1",
	}
	for k, v := range want {
		if p.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, p.Get(k), v)
		}
	}
	// The role credentials are the role session.
	id, err := newTestSTS(t, r.Credentials).GetCallerIdentity(ctx)
	if err != nil || id.Name != "alice" || id.ARN != r.ARN {
		t.Errorf("identity of the role session: %+v, %v", id, err)
	}
	if _, err := newTestSTS(t, testKeys).AssumeRole(ctx, AssumeRoleInput{RoleARN: testRole}); err == nil {
		t.Error("AssumeRole without a session name succeeded")
	}
}

func TestSTSErrorMapping(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(srv *fakests.Server)
		creds   Credentials
		call    func(s *STS) error
		errIs   error
		message string
	}{
		{
			name:    "denied role",
			setup:   func(srv *fakests.Server) { srv.DenyRole(testRole) },
			call:    assumeDev,
			errIs:   ErrAccessDenied,
			message: "STS AssumeRole: access denied: User: arn:aws:iam::111122223333:user/alice is not authorized to perform: sts:AssumeRole on resource: " + testRole,
		},
		{
			name:    "unknown keys",
			creds:   Credentials{AccessKeyID: "AKIAUNKNOWN", SecretAccessKey: "whatever-secret"},
			call:    callerIdentity,
			errIs:   ErrExpiredToken,
			message: "STS GetCallerIdentity: the stored keys are invalid or expired (InvalidClientTokenId)",
		},
		{
			name: "expired token",
			setup: func(srv *fakests.Server) {
				srv.SetFault("GetCallerIdentity", 400, "ExpiredToken", "The security token included in the request is expired")
			},
			call:    callerIdentity,
			errIs:   ErrExpiredToken,
			message: "STS GetCallerIdentity: the stored keys are invalid or expired (ExpiredToken)",
		},
		{
			name:    "throttling",
			setup:   func(srv *fakests.Server) { srv.SetFault("GetSessionToken", 400, "Throttling", "Rate exceeded") },
			call:    sessionToken,
			errIs:   ErrThrottled,
			message: "STS GetSessionToken: STS is throttling requests",
		},
		{
			name:    "request limit",
			setup:   func(srv *fakests.Server) { srv.SetFault("AssumeRole", 400, "RequestLimitExceeded", "slow down") },
			call:    assumeDev,
			errIs:   ErrThrottled,
			message: "STS AssumeRole: STS is throttling requests",
		},
		{
			name:    "server error",
			setup:   func(srv *fakests.Server) { srv.SetFault("GetCallerIdentity", 500, "InternalFailure", "boom") },
			call:    callerIdentity,
			errIs:   ErrSTS,
			message: "STS GetCallerIdentity failed: InternalFailure: boom",
		},
		{
			name: "validation",
			call: func(s *STS) error {
				_, err := s.AssumeRole(context.Background(), AssumeRoleInput{RoleARN: testRole, SessionName: "alice", SourceIdentity: "has:colon"})
				return err
			},
			errIs:   ErrSTS,
			message: "STS AssumeRole failed: ValidationError: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSTS(t)
			if tt.setup != nil {
				tt.setup(srv)
			}
			creds := tt.creds
			if creds.AccessKeyID == "" {
				creds = testKeys
			}
			s := newTestSTS(t, creds)
			err := tt.call(s)
			if !errors.Is(err, tt.errIs) {
				t.Fatalf("err = %v, want %v", err, tt.errIs)
			}
			if !strings.HasPrefix(err.Error(), tt.message) {
				t.Errorf("message = %q\nwant prefix %q", err, tt.message)
			}
			checkNoSecret(t, err, creds)
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message has several lines: %q", err)
			}
			// One attempt only (AWS_MAX_ATTEMPTS=1), whatever the error.
			if n := len(srv.Calls()); n != 1 {
				t.Errorf("%d calls, want 1", n)
			}
		})
	}
}

func TestExpiredSessionCredentials(t *testing.T) {
	srv := startSTS(t)
	now := time.Now()
	srv.SetNow(func() time.Time { return now })
	sess, err := newTestSTS(t, testKeys).GetSessionToken(context.Background(), 15*time.Minute, "", "")
	if err != nil {
		t.Fatal(err)
	}
	srv.SetNow(func() time.Time { return now.Add(time.Hour) })
	_, err = newTestSTS(t, sess).GetCallerIdentity(context.Background())
	if !errors.Is(err, ErrExpiredToken) || !strings.Contains(err.Error(), "session credentials are invalid or expired") {
		t.Fatalf("err = %v", err)
	}
	checkNoSecret(t, err, sess)
}

func TestSTSTimeout(t *testing.T) {
	srv := startSTS(t)
	t.Setenv("SENTINEL_STS_TIMEOUT", "300ms")
	srv.SetDelay(5 * time.Second)
	s := newTestSTS(t, testKeys)
	start := time.Now()
	_, err := s.GetCallerIdentity(context.Background())
	elapsed := time.Since(start)
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	want := "could not reach STS at " + srv.URL() + " (no answer within 300ms)"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("message = %q, want it to contain %q", err, want)
	}
	if elapsed > 3*time.Second {
		t.Errorf("call took %v despite a 300ms timeout", elapsed)
	}
}

func TestSTSUnreachable(t *testing.T) {
	isolate(t)
	// A port on loopback that nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	t.Setenv("AWS_ENDPOINT_URL_STS", url)
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	_, err = newTestSTS(t, testKeys).GetCallerIdentity(context.Background())
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	if want := "STS GetCallerIdentity: could not reach STS at " + url; err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
	}
}

func TestSTSCancelled(t *testing.T) {
	srv := startSTS(t)
	srv.SetDelay(5 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := newTestSTS(t, testKeys).GetCallerIdentity(ctx)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestNewSTSBadTimeout(t *testing.T) {
	isolate(t)
	for _, v := range []string{"soon", "-1s", "0"} {
		t.Setenv("SENTINEL_STS_TIMEOUT", v)
		if _, err := STSOptionsFromEnv(os.Getenv); err == nil || !strings.Contains(err.Error(), "SENTINEL_STS_TIMEOUT") {
			t.Errorf("SENTINEL_STS_TIMEOUT=%s: err = %v", v, err)
		}
	}
}

func TestSTSValueHoldsNoSecret(t *testing.T) {
	isolate(t)
	sess := Credentials{AccessKeyID: "ASIAX", SecretAccessKey: "sess-secret", SessionToken: "sess-token"}
	s := newTestSTS(t, sess)
	for _, out := range []string{sprintAll(s), sprintAll(*s)} {
		if strings.Contains(out, "sess-secret") || strings.Contains(out, "sess-token") {
			t.Errorf("printing an STS value leaks credentials: %s", out)
		}
	}
}

func callerIdentity(s *STS) error {
	_, err := s.GetCallerIdentity(context.Background())
	return err
}

func sessionToken(s *STS) error {
	_, err := s.GetSessionToken(context.Background(), time.Hour, "", "")
	return err
}

func assumeDev(s *STS) error {
	_, err := s.AssumeRole(context.Background(), AssumeRoleInput{RoleARN: testRole, SessionName: "alice"})
	return err
}

func checkNoSecret(t *testing.T, err error, c Credentials) {
	t.Helper()
	for _, secret := range []string{c.SecretAccessKey, c.SessionToken} {
		if secret != "" && strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains a secret", err)
		}
	}
}
