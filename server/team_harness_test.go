package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/internal/fakests"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/server"
	"github.com/sentinel-cli/sentinel/store/local"
	"github.com/sentinel-cli/sentinel/vault"
)

const (
	teamAccount = "111122223333"
	serviceKey  = "AKIASERVICETEST00001"
	serviceARN  = "arn:aws:iam::111122223333:user/sentinel-service"
	devRole     = "arn:aws:iam::111122223333:role/dev"
	prodRole    = "arn:aws:iam::111122223333:role/prod"
	dataRole    = "arn:aws:iam::111122223333:role/data"
	viaRole     = "arn:aws:iam::111122223333:role/hop"
)

// teamPolicy is the catalogue and rules of the service under test: dev is
// allowed, data needs server mode (which the service is), prod needs an
// approval by bob or a break-glass by alice.
const teamPolicy = `version: "1"
accounts: ["111122223333"]
profiles:
  dev: {role_arn: "arn:aws:iam::111122223333:role/dev", max_duration: 2h}
  data: {role_arn: "arn:aws:iam::111122223333:role/data", via: ["arn:aws:iam::111122223333:role/hop"]}
  prod: {role_arn: "arn:aws:iam::111122223333:role/prod", max_duration: 1h}
  nobody: {role_arn: "arn:aws:iam::111122223333:role/nobody"}
rules:
  - name: dev
    effect: allow
    conditions: {profiles: [dev]}
  - name: data-via-server
    effect: require_server
    conditions: {profiles: [data]}
  - name: prod
    effect: require_approval
    conditions: {profiles: [prod]}
    reason: prod needs a second person
approvals:
  - name: prod-approvers
    profiles: [prod]
    approvers: [bob]
breakglass:
  - name: prod-oncall
    profiles: [prod]
    users: [alice]
`

// testOnlyCallerHeader names the header of testOnlyHeaderAuthenticator.
const testOnlyCallerHeader = "X-Test-Only-Caller-Arn"

// testOnlyHeaderAuthenticator is NOT an authentication: it believes the
// ARN a test puts in a header. It stands in for the proof verifier in the
// handler tests of this file set, which are about the API and the flow
// behind it; the proof itself is tested with the real verifier and the
// STS stand-in elsewhere. A missing or unparsable header is refused like a
// bad proof.
func testOnlyHeaderAuthenticator() server.Authenticator {
	return server.AuthenticatorFunc(func(_ context.Context, r *http.Request, _ string, _ []byte) (vault.Identity, error) {
		arn := r.Header.Get(testOnlyCallerHeader)
		if arn == "" {
			return vault.Identity{}, errors.New("no caller header")
		}
		return vault.ParseIdentity(arn, "", "")
	})
}

// nopCloseStores keeps the store open across calls: the service opens it
// once.
type nopCloseStores struct{ broker.Stores }

func (nopCloseStores) Close() error { return nil }

// team is a service under test on loopback.
type team struct {
	t       testing.TB
	sts     *fakests.Server
	srv     *httptest.Server
	handler *server.TeamHandler
	svc     *broker.Service
	logPath string
	log     *logging.Logger
	stores  broker.Stores
	// paths seen by the authenticator, for the prefix test
	mu    sync.Mutex
	paths []string
}

// teamOptions tune newTeam.
type teamOptions struct {
	// stores is the state; nil means an embedded store in a temp dir.
	stores broker.Stores
	prefix string
	auth   server.Authenticator
	// quiet drops the handler's error reports (the load tests).
	quiet bool
	// now is the handler's clock; maxProofChecks its bound (0: default).
	now            func() time.Time
	maxProofChecks int
}

func setTestEnv(t testing.TB) string {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"HOME": dir, "AWS_CONFIG_FILE": filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "", "AWS_REGION": "",
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_CA_BUNDLE": "",
	} {
		t.Setenv(k, v)
	}
	return dir
}

func newTeam(t testing.TB, o teamOptions) *team {
	t.Helper()
	dir := setTestEnv(t)
	sts := fakests.New()
	t.Cleanup(sts.Close)
	sts.AddUser(serviceKey, serviceARN, teamAccount)
	for _, role := range []string{devRole, prodRole, viaRole} {
		sts.AllowRole(role, serviceARN)
	}
	// data is reached through the hop role (the pin's via): only that role
	// may assume it, not the service.
	sts.AllowRole(dataRole, viaRole)

	pol, err := policy.Parse([]byte(teamPolicy), "policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "log", "decisions.jsonl")
	log, err := logging.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = log.Close() })
	stores := o.stores
	if stores == nil {
		st, err := local.Open(filepath.Join(dir, "state.db"), local.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		stores = st
	}
	b := &broker.Broker{
		Policy:     pol,
		Log:        log,
		OpenStores: func(context.Context, broker.Signer) (broker.Stores, error) { return nopCloseStores{stores}, nil },
		STS:        vault.NewSTSFactory(vault.STSOptions{Endpoint: sts.URL(), MaxAttempts: 1, Timeout: 5 * time.Second}),
		Catalogue:  true,
		Region:     "us-east-1",
		BaseCredentials: func(context.Context) (vault.Credentials, error) {
			return vault.Credentials{AccessKeyID: serviceKey, SecretAccessKey: "service-test-secret-not-real"}, nil
		},
	}
	tm := &team{t: t, sts: sts, svc: &broker.Service{Broker: b, ServerID: "team-test"}, logPath: logPath, log: log, stores: stores}
	if anchors, ok := stores.(broker.TeamAnchors); ok {
		tm.svc.Anchors = anchors
	}
	auth := o.auth
	if auth == nil {
		inner := testOnlyHeaderAuthenticator()
		auth = server.AuthenticatorFunc(func(ctx context.Context, r *http.Request, p string, body []byte) (vault.Identity, error) {
			tm.mu.Lock()
			tm.paths = append(tm.paths, p)
			tm.mu.Unlock()
			return inner.Authenticate(ctx, r, p, body)
		})
	}
	opts := server.TeamOptions{ServerID: "team-test", STSEndpoint: sts.URL(), STSRegion: "us-east-1", Version: "test", PathPrefix: o.prefix,
		Now: o.now, MaxProofChecks: o.maxProofChecks}
	if !o.quiet {
		opts.OnError = func(status int, err error) { t.Logf("service answered %d: %v", status, err) }
	}
	tm.handler = server.NewTeamHandler(tm.svc, auth, opts)
	tm.srv = httptest.NewServer(tm.handler)
	t.Cleanup(tm.srv.Close)
	return tm
}

// callerOf is arnOf(user), or "" (no caller) for "".
func callerOf(user string) string {
	if user == "" {
		return ""
	}
	return arnOf(user)
}

func arnOf(user string) string { return "arn:aws:iam::111122223333:user/" + user }

// answer is one API answer.
type answer struct {
	status int
	body   []byte
}

func (a answer) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decode %s: %v", a.body, err)
	}
}

func (a answer) code() string {
	var e struct{ Code string }
	_ = json.Unmarshal(a.body, &e)
	return e.Code
}

// call sends one API call as user ("" sends no caller); body is JSON
// encoded unless it is already a string or []byte.
func (tm *team) call(user, method, path string, body any) answer {
	tm.t.Helper()
	return tm.callAs(callerOf(user), method, path, body)
}

// callAs sends one API call as the caller with ARN arn ("" sends no
// caller); body is as for call.
func (tm *team) callAs(arn, method, path string, body any) answer {
	tm.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			tm.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, tm.srv.URL+path, bytes.NewReader(raw))
	if err != nil {
		tm.t.Fatal(err)
	}
	if arn != "" {
		req.Header.Set(testOnlyCallerHeader, arn)
	}
	resp, err := tm.srv.Client().Do(req)
	if err != nil {
		tm.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tm.t.Fatal(err)
	}
	return answer{status: resp.StatusCode, body: data}
}

// want fails the test unless the answer has status (and code, if given).
func (tm *team) want(a answer, status int, code string) answer {
	tm.t.Helper()
	if a.status != status || (code != "" && a.code() != code) {
		tm.t.Fatalf("got %d %s, want %d %s", a.status, strings.TrimSpace(string(a.body)), status, code)
	}
	return a
}

// creds is the answer of POST /v1/credentials.
type creds struct {
	AccessKeyId, SecretAccessKey, SessionToken, Expiration string
	SourceIdentity, SessionID, RequestID                   string
}

// credentials is POST /v1/credentials by user ("" sends no caller).
func (tm *team) credentials(user string, body map[string]any) (creds, answer) {
	tm.t.Helper()
	return tm.credentialsAs(callerOf(user), body)
}

// credentialsAs is POST /v1/credentials by the caller with ARN arn.
func (tm *team) credentialsAs(arn string, body map[string]any) (creds, answer) {
	tm.t.Helper()
	a := tm.callAs(arn, http.MethodPost, "/v1/credentials", body)
	var c creds
	if a.status == http.StatusOK {
		a.decode(tm.t, &c)
	}
	return c, a
}

// entries reads the decision log.
func (tm *team) entries() []logging.Entry {
	tm.t.Helper()
	f, err := os.Open(tm.logPath)
	if err != nil {
		tm.t.Fatal(err)
	}
	defer f.Close()
	var out []logging.Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e logging.Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			tm.t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		tm.t.Fatal(err)
	}
	return out
}

func countEvents(es []logging.Entry, event string) int {
	n := 0
	for _, e := range es {
		if e.Event == event {
			n++
		}
	}
	return n
}

func mustIdentity(t testing.TB, user string) vault.Identity {
	t.Helper()
	id, err := vault.ParseIdentity(arnOf(user), "", "")
	if err != nil {
		t.Fatal(err)
	}
	return id
}
