package broker_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/internal/fakests"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/store/local"
)

// serverIssue runs one server-mode refresh for profile.
func (f *fixture) serverIssue(b *broker.Broker, s *broker.ServerSession, profile string) (*broker.Grant, error) {
	return b.Issue(context.Background(), broker.Input{Profile: profile, Mode: policy.ModeServer, Server: s})
}

func (f *fixture) session(id string) *session.Session {
	f.t.Helper()
	st := f.openStore()
	defer st.Close()
	s, err := st.Sessions().Get(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func TestServerSessionLifecycle(t *testing.T) {
	f := newFixture(t, basePolicy)
	var mu sync.Mutex
	var assumes []fakests.Call
	f.sts.SetCallHook(func(c fakests.Call) {
		if c.Action == "AssumeRole" {
			mu.Lock()
			assumes = append(assumes, c)
			mu.Unlock()
		}
	})
	b := f.broker()
	s := &broker.ServerSession{Host: "laptop", PID: 42}

	g1, err := f.serverIssue(b, s, "data") // require_server: allowed here, and only here
	if err != nil {
		t.Fatalf("first refresh: %v", err)
	}
	if g1.SessionID == "" || g1.SessionID != s.ID() {
		t.Fatalf("grant session %q, server session %q", g1.SessionID, s.ID())
	}
	if got := g1.Credentials.Expires.Sub(f.now); got != time.Hour {
		t.Errorf("server-mode credentials last %s, want the 1h default", got)
	}
	if len(assumes) != 1 {
		t.Fatalf("AssumeRole calls %d", len(assumes))
	}
	tagged := false
	for k, v := range assumes[0].Params {
		if v[0] == "sentinel-session-id" {
			val := assumes[0].Params.Get(k[:len(k)-len("Key")] + "Value")
			tagged = val == g1.SessionID
		}
	}
	if !tagged {
		t.Errorf("AssumeRole not tagged with sentinel-session-id=%s: %v", g1.SessionID, assumes[0].Params)
	}

	// Within the reuse margin the server hands out what it has, but still
	// decides and counts.
	f.now = f.now.Add(10 * time.Minute)
	g2, err := f.serverIssue(b, s, "data")
	if err != nil {
		t.Fatalf("second refresh: %v", err)
	}
	if !g2.Cached || g2.Credentials.AccessKeyID != g1.Credentials.AccessKeyID || len(assumes) != 1 {
		t.Errorf("second refresh: cached %v, STS calls %d", g2.Cached, len(assumes))
	}
	// With 20 minutes or less left, new credentials are issued.
	f.now = f.now.Add(31 * time.Minute)
	g3, err := f.serverIssue(b, s, "data")
	if err != nil {
		t.Fatalf("third refresh: %v", err)
	}
	if g3.Cached || len(assumes) != 2 {
		t.Errorf("third refresh should fetch anew: cached %v, STS calls %d", g3.Cached, len(assumes))
	}
	if got := f.session(s.ID()); got.RequestCount != 3 || got.Status != session.StatusActive || got.Host != "laptop" || got.PID != 42 {
		t.Errorf("session after 3 refreshes: count %d status %s host %q pid %d", got.RequestCount, got.Status, got.Host, got.PID)
	}

	// A revocation from another process bites on the very next request,
	// even though the server still holds unexpired credentials.
	st := f.openStore()
	if _, err := st.Sessions().Change(context.Background(), s.ID(), func(s *session.Session) error { return s.Revoke("bob", bobARN, "laptop stolen", f.now) }); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, err = f.serverIssue(b, s, "data")
	var rev *broker.RevokedError
	if !errors.As(err, &rev) || !errors.Is(err, broker.ErrDenied) || !errors.Is(err, broker.ErrRevoked) || rev.Reason != "laptop stolen" {
		t.Fatalf("after revoke: %v", err)
	}
	if _, err := f.serverIssue(b, s, "data"); !errors.Is(err, broker.ErrRevoked) {
		t.Fatalf("a revoked session must stay refused: %v", err)
	}
	if err := b.EndServerSession(context.Background(), s); err != nil {
		t.Fatal(err)
	}
}

func TestServerSessionPolicyChangeAndExit(t *testing.T) {
	f := newFixture(t, basePolicy)
	b := f.broker()
	s := &broker.ServerSession{}
	if _, err := f.serverIssue(b, s, "dev"); err != nil {
		t.Fatal(err)
	}
	id := s.ID()
	// The policy is re-read by the next request's broker; here, swapped.
	f.setPolicy(`version: "1"
rules:
  - name: nothing
    effect: deny
    conditions: {profiles: [dev]}
`)
	b.Policy = f.policy
	if _, err := f.serverIssue(b, s, "dev"); !errors.Is(err, broker.ErrDenied) {
		t.Fatalf("after the policy denies dev: %v", err)
	}
	if err := b.EndServerSession(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	if got := f.session(id); got.Status != session.StatusExpired {
		t.Errorf("after the child exits the session is %s, want expired", got.Status)
	}
}

func TestServerSessionBlockedUserAndDeadStore(t *testing.T) {
	f := newFixture(t, basePolicy)
	b := f.broker()
	st := f.openStore()
	blk, err := session.NewBlock(session.Block{UserARN: aliceARN, Until: f.now.Add(time.Hour), By: "bob", ByARN: bobARN, Reason: "laptop stolen", At: f.now})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Sessions().Block(context.Background(), *blk); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := f.serverIssue(b, &broker.ServerSession{}, "dev"); !errors.Is(err, broker.ErrRevoked) {
		t.Fatalf("blocked user got: %v", err)
	}

	dead := f.broker()
	dead.OpenStores = func(context.Context, broker.Signer) (broker.Stores, error) {
		return nil, errors.New("connection refused")
	}
	if _, err := f.serverIssue(dead, &broker.ServerSession{}, "dev"); !errors.Is(err, broker.ErrUnavailable) {
		t.Fatalf("dead store: %v, want ErrUnavailable (no fail-open)", err)
	}
}

func TestServerSessionConcurrentRefreshes(t *testing.T) {
	f := newFixture(t, basePolicy)
	b := f.broker()
	shared, err := local.Open(f.store, local.Options{PerOperation: true})
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	b.OpenStores = func(context.Context, broker.Signer) (broker.Stores, error) { return nopClose{shared}, nil }
	s := &broker.ServerSession{}
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.serverIssue(b, s, "dev")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := f.session(s.ID()); got.RequestCount != n {
		t.Errorf("request count %d, want %d", got.RequestCount, n)
	}
}

// nopClose keeps one store open across requests, as a server does.
type nopClose struct{ *local.Store }

func (nopClose) Close() error { return nil }
