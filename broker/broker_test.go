package broker_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/byteness/keyring"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/internal/fakests"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/store/local"
	"github.com/sentinel-cli/sentinel/vault"
)

// These tests run the decision flow in-process against the real pieces:
// the STS stand-in on loopback, a file keyring, the embedded store and the
// decision log, all in temporary directories.

const (
	aliceKey = "AKIAFAKEALICE001"
	aliceARN = "arn:aws:iam::111122223333:user/alice"
	bobARN   = "arn:aws:iam::111122223333:user/bob"
)

const awsConfig = `[default]
region = eu-west-1
[profile dev]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/dev
[profile prod]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/prod
[profile dev2]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/dev2
[profile data]
source_profile = default
role_arn = arn:aws:iam::111122223333:role/data
`

const basePolicy = `version: "1"
accounts: ["111122223333"]
rules:
  - name: dev
    effect: allow
    conditions: {profiles: [dev, dev2]}
    max_duration: 2h
  - name: data-via-server
    effect: require_server
    conditions: {profiles: [data]}
  - name: prod
    effect: require_approval
    conditions: {profiles: [prod]}
    reason: prod needs a second person
approvals:
  - name: prod-approvers
    profiles: [prod, data]
    approvers: [bob]
breakglass:
  - name: prod-oncall
    profiles: [prod, data]
    users: [alice]
`

type fixture struct {
	t       testing.TB
	dir     string
	sts     *fakests.Server
	kr      keyring.Keyring
	store   string
	logPath string
	now     time.Time
	policy  *policy.Policy
}

func newFixture(t testing.TB, policyYAML string) *fixture {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"HOME": dir, "AWS_CONFIG_FILE": filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1", "AWS_PROFILE": "", "AWS_REGION": "",
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "SENTINEL_STS_TIMEOUT": "5s",
	} {
		t.Setenv(k, v)
	}
	s := fakests.New()
	t.Cleanup(s.Close)
	s.AddUser(aliceKey, aliceARN, "111122223333")
	t.Setenv("AWS_ENDPOINT_URL_STS", s.URL())
	now := time.Now().UTC().Truncate(time.Second)
	s.SetNow(func() time.Time { return now })
	f := &fixture{t: t, dir: dir, sts: s, store: filepath.Join(dir, "state.db"), logPath: filepath.Join(dir, "log", "decisions.jsonl"), now: now}
	f.kr = f.keyring()
	if err := vault.NewKeyStore(f.kr).Set("default", vault.Credentials{AccessKeyID: aliceKey, SecretAccessKey: "not-a-real-secret"}); err != nil {
		t.Fatal(err)
	}
	f.setPolicy(policyYAML)
	return f
}

func (f *fixture) keyring() keyring.Keyring {
	kr, err := vault.OpenKeyring(vault.KeyringConfig{Backend: "file", FileDir: filepath.Join(f.dir, "keyring"), Passphrase: "test-only"})
	if err != nil {
		f.t.Fatal(err)
	}
	return kr
}

func (f *fixture) setPolicy(y string) {
	p, err := policy.Parse([]byte(y), "policy.yaml")
	if err != nil {
		f.t.Fatal(err)
	}
	f.policy = p
}

// broker wires a Broker the way the CLI does, with its own keyring handle
// and log descriptor, as a separate sentinel process would have.
func (f *fixture) broker() *broker.Broker {
	f.t.Helper()
	profiles, err := vault.ParseConfig([]byte(awsConfig), "config")
	if err != nil {
		f.t.Fatal(err)
	}
	log, err := logging.Open(f.logPath)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { log.Close() })
	kr := f.keyring()
	return &broker.Broker{
		Policy:   f.policy,
		Profiles: profiles,
		Keys:     vault.NewKeyStore(kr),
		Cache:    vault.NewCache(kr, func() time.Time { return f.now }),
		Log:      log,
		OpenStores: func(context.Context, broker.Signer) (broker.Stores, error) {
			return local.Open(f.store, local.Options{})
		},
		Now: func() time.Time { return f.now },
		STS: vault.NewSTSFactory(vault.STSOptions{Endpoint: f.sts.URL(), MaxAttempts: 1, Timeout: 5 * time.Second}),
	}
}

func (f *fixture) issue(profile string, d time.Duration) (*broker.Grant, error) {
	return f.broker().Issue(context.Background(), broker.Input{Profile: profile, Mode: policy.ModeCLI, Duration: d})
}

// approve stores a request by alice for profile, approved by bob at
// decided, for window d.
func (f *fixture) approve(profile string, decided time.Time, d time.Duration, requesterARN string) *request.Request {
	f.t.Helper()
	id, err := request.NewID()
	if err != nil {
		f.t.Fatal(err)
	}
	r, err := request.New(request.NewParams{ID: id, Requester: "alice", RequesterARN: requesterARN, Profile: profile,
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
	return r
}

func (f *fixture) breakGlass(profile string, opened time.Time, d time.Duration) *breakglass.Event {
	f.t.Helper()
	id, err := breakglass.NewID()
	if err != nil {
		f.t.Fatal(err)
	}
	e, err := breakglass.New(breakglass.NewParams{ID: id, Invoker: "alice", InvokerARN: aliceARN, Profile: profile,
		ReasonCode: breakglass.ReasonIncident, Justification: "the database is on fire, paging", Duration: d, MaxDuration: 4 * time.Hour, Now: opened})
	if err != nil {
		f.t.Fatal(err)
	}
	st := f.openStore()
	defer st.Close()
	if err := st.Breakglass().Open(context.Background(), e, breakglass.Limits{}); err != nil {
		f.t.Fatal(err)
	}
	return e
}

func (f *fixture) openStore() *local.Store {
	st, err := local.Open(f.store, local.Options{})
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}

func (f *fixture) lastDecision() logging.Entry {
	f.t.Helper()
	entries := readLog(f.t, f.logPath)
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].Event == logging.EventDecision {
			return entries[i]
		}
	}
	f.t.Fatal("no decision logged")
	return logging.Entry{}
}

func (f *fixture) lastAssumeDuration() int {
	calls := f.sts.CallsOf("AssumeRole")
	if len(calls) == 0 {
		f.t.Fatal("no AssumeRole call")
	}
	n, _ := strconv.Atoi(calls[len(calls)-1].Params.Get("DurationSeconds"))
	return n
}

func TestIssueOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		profile   string
		setup     func(f *fixture)
		wantErr   error
		wantBasis string // "direct", "apr" or "bg"
		maxSecs   int
	}{
		{name: "allowed directly", profile: "dev", wantBasis: "direct", maxSecs: 3600},
		{name: "require_approval without approval", profile: "prod", wantErr: broker.ErrDenied},
		{name: "approved request lifts require_approval", profile: "prod", wantBasis: "apr", maxSecs: 3600,
			setup: func(f *fixture) { f.approve("prod", f.now.Add(-time.Minute), 2*time.Hour, aliceARN) }},
		{name: "approval preferred over break-glass", profile: "prod", wantBasis: "apr", maxSecs: 3600,
			setup: func(f *fixture) {
				f.breakGlass("prod", f.now.Add(-time.Minute), time.Hour)
				f.approve("prod", f.now.Add(-time.Minute), 2*time.Hour, aliceARN)
			}},
		{name: "break-glass lifts require_approval, capped to what is left", profile: "prod", wantBasis: "bg", maxSecs: 40 * 60,
			setup: func(f *fixture) { f.breakGlass("prod", f.now.Add(-20*time.Minute), time.Hour) }},
		{name: "approval window caps the duration", profile: "prod", wantBasis: "apr", maxSecs: 25 * 60,
			setup: func(f *fixture) { f.approve("prod", f.now.Add(-35*time.Minute), time.Hour, aliceARN) }},
		{name: "window shorter than 15 minutes is refused", profile: "prod", wantErr: broker.ErrWindowTooShort,
			setup: func(f *fixture) { f.approve("prod", f.now.Add(-50*time.Minute), time.Hour, aliceARN) }},
		{name: "expired approval does not count", profile: "prod", wantErr: broker.ErrDenied,
			setup: func(f *fixture) { f.approve("prod", f.now.Add(-2*time.Hour), time.Hour, aliceARN) }},
		{name: "approval of another principal with the same name does not count", profile: "prod", wantErr: broker.ErrDenied,
			setup: func(f *fixture) {
				f.approve("prod", f.now.Add(-time.Minute), time.Hour, "arn:aws:iam::999999999999:user/alice")
			}},
		{name: "require_server is never lifted", profile: "data", wantErr: broker.ErrDenied,
			setup: func(f *fixture) {
				f.approve("data", f.now.Add(-time.Minute), time.Hour, aliceARN)
				f.breakGlass("data", f.now.Add(-time.Minute), time.Hour)
			}},
		{name: "an approval no rule covers any more does not count", profile: "prod", wantErr: broker.ErrDenied,
			setup: func(f *fixture) {
				f.approve("prod", f.now.Add(-time.Minute), time.Hour, aliceARN)
				f.setPolicy(strings.SplitN(basePolicy, "approvals:", 2)[0])
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, basePolicy)
			if tt.setup != nil {
				tt.setup(f)
			}
			g, err := f.issue(tt.profile, 0)
			d := f.lastDecision()
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || g != nil {
					t.Fatalf("got %v (grant %v), want %v", err, g != nil, tt.wantErr)
				}
				if d.Effect != "deny" || d.SourceIdentity != "" {
					t.Errorf("logged %+v, want a deny", d)
				}
				if n := len(f.sts.CallsOf("AssumeRole")); n != 0 {
					t.Errorf("%d AssumeRole calls for a refusal", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			si, err := broker.ParseSourceIdentity(g.SourceIdentity)
			if err != nil || si.Label != "alice" || !strings.HasPrefix(si.Basis, tt.wantBasis) || si.RequestID != g.RequestID {
				t.Errorf("source identity %q (%+v, %v)", g.SourceIdentity, si, err)
			}
			if secs := f.lastAssumeDuration(); secs > tt.maxSecs || secs < tt.maxSecs-60 {
				t.Errorf("DurationSeconds %d, want about %d and never more", secs, tt.maxSecs)
			}
			if d.Effect != "allow" || d.SourceIdentity != g.SourceIdentity || d.ApprovalID != g.ApprovalID || d.BreakglassID != g.BreakglassID {
				t.Errorf("logged %+v for grant %+v", d, g)
			}
			if (tt.wantBasis == "apr") != (g.ApprovalID != "") || (tt.wantBasis == "bg") != (g.BreakglassID != "") {
				t.Errorf("approval %q break-glass %q for basis %s", g.ApprovalID, g.BreakglassID, tt.wantBasis)
			}
		})
	}
}

func TestStoreErrorFailsClosed(t *testing.T) {
	f := newFixture(t, basePolicy)
	b := f.broker()
	b.OpenStores = func(context.Context, broker.Signer) (broker.Stores, error) {
		return nil, errors.New("connection refused")
	}
	_, err := b.Issue(context.Background(), broker.Input{Profile: "prod", Mode: policy.ModeCLI})
	if err == nil || !strings.Contains(err.Error(), "could not be reached") {
		t.Fatalf("got %v, want a store error", err)
	}
	if d := f.lastDecision(); d.Effect != "deny" || !strings.Contains(d.Reason, "connection refused") {
		t.Errorf("logged %+v", d)
	}
}

func TestNoCredentialsWithoutALogLine(t *testing.T) {
	f := newFixture(t, basePolicy)
	b := f.broker()
	b.Log.Close()
	g, err := b.Issue(context.Background(), broker.Input{Profile: "dev", Mode: policy.ModeCLI})
	if err == nil || g != nil || !strings.Contains(err.Error(), "decision log") {
		t.Fatalf("got grant %v, error %v; want no credentials when the log cannot be written", g != nil, err)
	}
}

func TestCachedCredentialsNeverOutliveANewCap(t *testing.T) {
	f := newFixture(t, basePolicy)
	if _, err := f.issue("dev", 90*time.Minute); err != nil {
		t.Fatal(err)
	}
	g, err := f.issue("dev", 90*time.Minute)
	if err != nil || !g.Cached {
		t.Fatalf("second issue not from the cache: %v", err)
	}
	// The policy tightens: the cached 90-minute credentials no longer fit.
	f.setPolicy(strings.Replace(basePolicy, "max_duration: 2h", "max_duration: 30m", 1))
	g, err = f.issue("dev", 0)
	if err != nil {
		t.Fatal(err)
	}
	if g.Cached || g.Credentials.Expires.After(f.now.Add(31*time.Minute)) {
		t.Errorf("cached credentials reused past the new 30m cap (expires %s)", g.Credentials.Expires)
	}
}

// Several sentinel processes at once (an AWS CLI running commands in
// parallel) share the keyring and the log; cold, nothing is cached yet and
// they all write the caches; warm, they all read them.
func TestConcurrentIssuesShareKeyringAndLog(t *testing.T) {
	f := newFixture(t, basePolicy)
	const n = 8
	for round, name := range []string{"cold", "warm"} {
		brokers := make([]*broker.Broker, n)
		for i := range brokers {
			brokers[i] = f.broker()
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for _, b := range brokers {
			wg.Add(1)
			go func(b *broker.Broker) {
				defer wg.Done()
				_, err := b.Issue(context.Background(), broker.Input{Profile: "dev", Mode: policy.ModeCredentialProcess})
				errs <- err
			}(b)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
		rep, err := logging.VerifyFile(f.logPath)
		if want := (round + 1) * n; err != nil || rep.Entries != want {
			t.Fatalf("%s: log %+v, %v; want %d intact entries", name, rep, err, want)
		}
	}
	// The long-lived keys are never rewritten, so they survive it all.
	if _, err := vault.NewKeyStore(f.keyring()).Get("default"); err != nil {
		t.Fatalf("keys damaged: %v", err)
	}
}

func readLog(t testing.TB, path string) []logging.Entry {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var entries []logging.Entry
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var e logging.Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		entries = append(entries, e)
	}
	return entries
}

func TestStaleCachedSessionIsReplaced(t *testing.T) {
	f := newFixture(t, basePolicy)
	if _, err := f.issue("dev", 0); err != nil {
		t.Fatal(err)
	}
	sessions := len(f.sts.CallsOf("GetSessionToken"))
	// STS has moved past the cached session's end (say it was revoked),
	// while the cache still believes in it.
	late := f.now.Add(9 * time.Hour)
	f.sts.SetNow(func() time.Time { return late })
	if _, err := f.issue("dev2", 0); err != nil {
		t.Fatalf("a stale cached session was not replaced: %v", err)
	}
	if n := len(f.sts.CallsOf("GetSessionToken")); n != sessions+1 {
		t.Errorf("%d GetSessionToken calls, want one more than %d", n, sessions)
	}
}
