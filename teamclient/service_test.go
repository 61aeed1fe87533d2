package teamclient_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/internal/fakests"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/proof"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/server"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/store/local"
	"github.com/sentinel-cli/sentinel/teamclient"
	"github.com/sentinel-cli/sentinel/vault"
)

// These tests run the client against the real team API handler, whose
// proof check forwards every proof to the STS stand-in, which checks the
// SigV4 signature as STS does: what the client signs is what the service
// accepts, and what the service answers is what the client decodes.

const (
	svcAccount = "111122223333"
	svcKey     = "AKIASERVICETEST00009"
	svcARN     = "arn:aws:iam::111122223333:user/sentinel-service"
	devRole    = "arn:aws:iam::111122223333:role/dev"
	prodRole   = "arn:aws:iam::111122223333:role/prod"
)

const svcPolicy = `version: "1"
accounts: ["111122223333"]
profiles:
  dev: {role_arn: "arn:aws:iam::111122223333:role/dev", max_duration: 2h}
  prod: {role_arn: "arn:aws:iam::111122223333:role/prod", max_duration: 1h}
rules:
  - name: dev
    effect: allow
    conditions: {profiles: [dev]}
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

type nopClose struct{ broker.Stores }

func (nopClose) Close() error { return nil }

type service struct {
	sts *fakests.Server
	srv *httptest.Server
}

func startService(t *testing.T, prefix string) *service {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CA_BUNDLE", "")
	sts := fakests.New()
	t.Cleanup(sts.Close)
	sts.AddUser(svcKey, svcARN, svcAccount)
	sts.AllowRole(devRole, svcARN)
	sts.AllowRole(prodRole, svcARN)
	pol, err := policy.Parse([]byte(svcPolicy), "policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	log, err := logging.Open(filepath.Join(dir, "log", "decisions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = log.Close() })
	st, err := local.Open(filepath.Join(dir, "state.db"), local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	b := &broker.Broker{
		Policy:     pol,
		Log:        log,
		OpenStores: func(context.Context, broker.Signer) (broker.Stores, error) { return nopClose{st}, nil },
		STS:        vault.NewSTSFactory(vault.STSOptions{Endpoint: sts.URL(), MaxAttempts: 1, Timeout: 5 * time.Second}),
		Catalogue:  true,
		Region:     "us-east-1",
		BaseCredentials: func(context.Context) (vault.Credentials, error) {
			return vault.Credentials{AccessKeyID: svcKey, SecretAccessKey: "service-test-secret-not-real"}, nil
		},
	}
	verifier := &proof.Verifier{ServerID: "team-test", STSEndpoint: sts.URL(), Region: "us-east-1", Accounts: []string{svcAccount}}
	h := server.NewTeamHandler(&broker.Service{Broker: b, ServerID: "team-test", Anchors: st}, server.ProofAuthenticator(verifier),
		server.TeamOptions{ServerID: "team-test", STSEndpoint: sts.URL(), STSRegion: "us-east-1", Version: "test", PathPrefix: prefix,
			OnError: func(status int, err error) { t.Logf("service answered %d: %v", status, err) }})
	s := &service{sts: sts, srv: httptest.NewServer(h)}
	t.Cleanup(s.srv.Close)
	// The service is reached at its listener's URL and prefix only; set
	// before the first call.
	verifier.Audiences = []string{s.srv.URL + prefix}
	return s
}

// aliceAndBob starts a service at prefix and returns the clients of alice
// (who may ask and break the glass) and bob (who approves).
func aliceAndBob(t *testing.T, prefix string) (alice, bob *teamclient.Client) {
	t.Helper()
	s := startService(t, prefix)
	return s.person(t, "alice", "AKIATESTALICE0000001", prefix), s.person(t, "bob", "AKIATESTBOB000000002", prefix)
}

// person adds a user to STS and returns their client.
func (s *service) person(t *testing.T, name, key, prefix string) *teamclient.Client {
	t.Helper()
	secret := "test-only-secret-" + name
	s.sts.AddUserWithSecret(key, secret, "arn:aws:iam::111122223333:user/"+name, svcAccount)
	c, err := teamclient.New(teamclient.Options{
		URL: s.srv.URL + prefix, ServerID: "team-test", STSEndpointOverride: s.sts.URL(),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTwoPeopleThroughTheService(t *testing.T) {
	for _, prefix := range []string{"", "/prod-stage"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			alice, bob := aliceAndBob(t, prefix)
			ctx := context.Background()

			id, err := alice.Whoami(ctx)
			if err != nil || id.Name != "alice" || id.Account != svcAccount {
				t.Fatalf("whoami %+v, %v", id, err)
			}
			g, err := alice.Issue(ctx, broker.Input{Profile: "dev", Mode: policy.ModeCLI})
			if err != nil || g.Credentials.AccessKeyID == "" || !strings.HasPrefix(g.SourceIdentity, "sentinel.alice.") {
				t.Fatalf("dev: %+v, %v", g, err)
			}
			if _, err := alice.Issue(ctx, broker.Input{Profile: "prod"}); !errors.Is(err, broker.ErrDenied) {
				t.Fatalf("prod before approval: %v", err)
			}
			if _, err := alice.Issue(ctx, broker.Input{Profile: "staging"}); !errors.Is(err, vault.ErrUnknownProfile) {
				t.Fatalf("profile outside the catalogue: %v", err)
			}
			r, err := alice.CreateRequest(ctx, broker.RequestInput{Profile: "prod", Justification: "deploy the fix"})
			if err != nil || r.Status != request.StatusPending {
				t.Fatalf("request %+v, %v", r, err)
			}
			if _, err := alice.Review(ctx, r.ID, request.ActionApprove, ""); !errors.Is(err, broker.ErrForbidden) {
				t.Fatalf("self-approval: %v", err)
			}
			if r, err = bob.Review(ctx, r.ID, request.ActionApprove, "go"); err != nil || r.Status != request.StatusApproved {
				t.Fatalf("bob's approval: %+v, %v", r, err)
			}
			if _, err := bob.Review(ctx, r.ID, request.ActionDeny, ""); !errors.Is(err, request.ErrTransition) {
				t.Fatalf("deny after approval: %v", err)
			}
			if _, err := alice.GetRequest(ctx, "00000000000000ff"); !errors.Is(err, request.ErrNotFound) {
				t.Fatalf("unknown request: %v", err)
			}
			list, err := alice.ListRequests(ctx, request.Query{Profile: "prod"})
			if err != nil || len(list) != 1 {
				t.Fatalf("list %d, %v", len(list), err)
			}
			g, err = alice.Issue(ctx, broker.Input{Profile: "prod"})
			if err != nil || !strings.HasPrefix(g.SourceIdentity, "sentinel.alice.apr-"+r.ID+".") {
				t.Fatalf("prod after approval: %+v, %v", g, err)
			}

			// exec --server: every refresh passes the session of the first
			// answer; once bob revokes it, alice gets ErrRevoked.
			in := broker.Input{Profile: "dev", Mode: policy.ModeServer, Server: &broker.ServerSession{Duration: time.Hour}}
			g1, err := alice.Issue(ctx, in)
			if err != nil || g1.SessionID == "" {
				t.Fatalf("server mode: %+v, %v", g1, err)
			}
			g2, err := alice.Issue(ctx, in)
			if err != nil || g2.SessionID != g1.SessionID {
				t.Fatalf("refresh: %+v, %v", g2, err)
			}
			sessions, err := alice.ListSessions(ctx, session.Query{})
			if err != nil || len(sessions) == 0 {
				t.Fatalf("sessions %d, %v", len(sessions), err)
			}
			if _, err := bob.RevokeSession(ctx, g1.SessionID, "not bob's"); !errors.Is(err, broker.ErrForbidden) {
				t.Fatalf("bob revoking alice's dev session: %v", err)
			}
			if sess, err := alice.RevokeSession(ctx, g1.SessionID, "done"); err != nil || sess.Status != session.StatusRevoked {
				t.Fatalf("revoke: %+v, %v", sess, err)
			}
			if _, err := alice.Issue(ctx, in); !errors.Is(err, broker.ErrRevoked) || !errors.Is(err, broker.ErrDenied) {
				t.Fatalf("refresh after revocation: %v", err)
			}
			if _, err := bob.GetSession(ctx, "00000000000000ff"); !errors.Is(err, session.ErrNotFound) {
				t.Fatalf("unknown session: %v", err)
			}

			e, err := alice.OpenBreakglass(ctx, broker.BreakglassInput{Profile: "prod", ReasonCode: "incident", Justification: "the database is down for every customer"})
			if err != nil || e.Status != breakglass.StatusActive {
				t.Fatalf("break-glass %+v, %v", e, err)
			}
			if _, err := bob.OpenBreakglass(ctx, broker.BreakglassInput{Profile: "prod", ReasonCode: "incident", Justification: "the database is down for every customer"}); !errors.Is(err, broker.ErrDenied) && !errors.Is(err, broker.ErrForbidden) {
				t.Fatalf("bob's break-glass: %v", err)
			}
			if events, err := alice.ListBreakglass(ctx, breakglass.Query{}); err != nil || len(events) != 1 {
				t.Fatalf("events %d, %v", len(events), err)
			}
			if e, err = alice.CloseBreakglass(ctx, e.ID, "fixed it"); err != nil || e.Status != breakglass.StatusClosed {
				t.Fatalf("close %+v, %v", e, err)
			}
			if _, err := alice.GetBreakglass(ctx, e.ID); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestServiceRefusesUnknownKeys(t *testing.T) {
	s := startService(t, "")
	c, err := teamclient.New(teamclient.Options{
		URL: s.srv.URL, ServerID: "team-test", STSEndpointOverride: s.sts.URL(),
		Credentials: credentials.NewStaticCredentialsProvider("AKIATESTNOBODY000003", "wrong", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Whoami(context.Background()); !errors.Is(err, teamclient.ErrInvalidProof) {
		t.Fatalf("unknown keys: %v", err)
	}
}

func TestClientRefusesTheServiceWithoutTheOverride(t *testing.T) {
	// The service asks for proofs signed for a loopback STS: a laptop not
	// configured with that endpoint sends none.
	s := startService(t, "")
	c, err := teamclient.New(teamclient.Options{
		URL: s.srv.URL, ServerID: "team-test",
		Credentials: credentials.NewStaticCredentialsProvider("AKIATESTALICE0000001", "x", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	s.sts.Reset()
	if _, err := c.Whoami(context.Background()); !errors.Is(err, teamclient.ErrWrongServer) {
		t.Fatalf("err %v", err)
	}
	if n := len(s.sts.CallsOf("GetCallerIdentity")); n != 0 {
		t.Fatalf("%d proofs reached STS", n)
	}
	// And one configured for another server_id refuses it too.
	c, _ = teamclient.New(teamclient.Options{
		URL: s.srv.URL, ServerID: "team-prod", STSEndpointOverride: s.sts.URL(),
		Credentials: credentials.NewStaticCredentialsProvider("AKIATESTALICE0000001", "x", ""),
	})
	if _, err := c.Whoami(context.Background()); !errors.Is(err, teamclient.ErrWrongServer) {
		t.Fatalf("err %v", err)
	}
}
