package server_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/proof"
	"github.com/sentinel-cli/sentinel/server"
	"github.com/sentinel-cli/sentinel/vault"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func logSize(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// Unauthenticated calls cost the log a few lines, not one each: 3 x 200
// refused credentials calls (no proof, a key ID AWS never issues, a
// well-formed proof of a key STS does not know) add one auth.refused
// line per reason; a minute later one more line per reason carries the
// count; Close writes what is left. The keys of the wrong shape never
// reach STS.
func TestTeamUnauthenticatedTrafficIsSummarised(t *testing.T) {
	clock := &fakeClock{t: time.Now().UTC()}
	verifier := &proof.Verifier{ServerID: "team-test", Region: "us-east-1", Accounts: []string{teamAccount}, Now: clock.now}
	tm := newTeam(t, teamOptions{auth: server.ProofAuthenticator(verifier), now: clock.now, quiet: true})
	verifier.STSEndpoint = tm.sts.URL()
	verifier.Audiences = []string{tm.srv.URL}

	body := `{"profile":"dev"}`
	signed := func(keyID string) string {
		h, err := proof.Sign(context.Background(), aws.Credentials{AccessKeyID: keyID, SecretAccessKey: "made-up-secret-for-tests"}, proof.SignParams{
			STSEndpoint: tm.sts.URL(), Region: "us-east-1", ServerID: "team-test", Audience: tm.srv.URL,
			RequestHash: proof.RequestHash(http.MethodPost, "/v1/credentials", []byte(body)), Now: clock.now(),
		})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	kinds := map[string]string{
		string(proof.ReasonMissing):       "",
		string(proof.ReasonAuthorization): signed("AKIAMADEUPKEY"),        // not ^A[KS]IA[A-Z0-9]{16}$
		string(proof.ReasonSTSRefused):    signed("AKIAMADEUPKEY0000001"), // well formed, unknown to STS
	}
	send := func(hdr string) int {
		req, err := http.NewRequest(http.MethodPost, tm.srv.URL+"/v1/credentials", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if hdr != "" {
			req.Header.Set(proof.Header, hdr)
		}
		resp, err := tm.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	const perKind = 200
	before := logSize(t, tm.logPath)
	for i := 0; i < perKind; i++ {
		for _, hdr := range kinds {
			if status := send(hdr); status != http.StatusUnauthorized {
				t.Fatalf("status %d", status)
			}
		}
	}
	grown := logSize(t, tm.logPath) - before
	t.Logf("%d refused calls appended %d bytes to the log", perKind*len(kinds), grown)
	if grown > int64(len(kinds))*400 {
		t.Fatalf("%d refused calls appended %d bytes to the log: more than one line per reason", perKind*len(kinds), grown)
	}
	for _, c := range tm.sts.Calls() {
		if c.AccessKeyID == "AKIAMADEUPKEY" {
			t.Fatalf("a key ID of the wrong shape reached STS: %+v", c)
		}
	}

	// A minute later, one more call of a reason writes its count.
	clock.add(server.RefusalSummaryInterval)
	send("")
	tm.handler.Close()
	got := map[string]int64{}
	lines := map[string]int{}
	for _, e := range tm.entries() {
		if e.Event != logging.EventAuthRefused {
			t.Errorf("unexpected entry %+v", e)
			continue
		}
		if e.Since == nil || e.Since.After(e.Time) || e.Count < 1 {
			t.Errorf("summary %+v", e)
		}
		got[e.Reason] += e.Count
		lines[e.Reason]++
	}
	for reason := range kinds {
		want := int64(perKind)
		if reason == string(proof.ReasonMissing) {
			want++
		}
		if got[reason] != want || lines[reason] > 3 {
			t.Errorf("%s: %d calls in %d lines, want %d calls in at most 3", reason, got[reason], lines[reason], want)
		}
	}
	if _, err := logging.VerifyFile(tm.logPath); err != nil {
		t.Fatalf("the chain: %v", err)
	}
}

// At most MaxProofChecks proof checks run at once; past that, 503 with
// Retry-After: 1, without waiting.
func TestTeamProofChecksAreBounded(t *testing.T) {
	var running atomic.Int32
	entered := make(chan struct{}, 128)
	release := make(chan struct{})
	auth := server.AuthenticatorFunc(func(ctx context.Context, r *http.Request, p string, body []byte) (vault.Identity, error) {
		running.Add(1)
		defer running.Add(-1)
		entered <- struct{}{}
		<-release
		return vault.Identity{}, fmt.Errorf("refused")
	})
	tm := newTeam(t, teamOptions{auth: auth, quiet: true})
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: 100}}
	var wg sync.WaitGroup
	for i := 0; i < server.DefaultMaxProofChecks; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Get(tm.srv.URL + "/v1/whoami")
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	for i := 0; i < server.DefaultMaxProofChecks; i++ {
		<-entered
	}
	resp, err := client.Get(tm.srv.URL + "/v1/whoami")
	if err != nil {
		close(release)
		t.Fatalf("call past the bound: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("call past the bound: %d, Retry-After %q; want 503 and 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if n := running.Load(); n != server.DefaultMaxProofChecks {
		t.Errorf("%d checks running", n)
	}
	close(release)
	wg.Wait()
	// Once they are done, calls are checked again.
	resp, err = client.Get(tm.srv.URL + "/v1/whoami")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after the checks ended: %d", resp.StatusCode)
	}
}

// A call is refused on its headers, before its body is read: a declared
// body over the limit, and a call without a plausible proof. The client
// sends the headers only; the answer must come without the body, and the
// authenticator is never asked.
func TestTeamLimitsApplyBeforeTheBody(t *testing.T) {
	var asked atomic.Int32
	verifier := &proof.Verifier{ServerID: "team-test", Region: "us-east-1", Accounts: []string{teamAccount}}
	real := server.ProofAuthenticator(verifier)
	counting := struct {
		server.AuthenticatorFunc
		server.Prechecker
	}{
		AuthenticatorFunc: func(ctx context.Context, r *http.Request, p string, body []byte) (vault.Identity, error) {
			asked.Add(1)
			return real.Authenticate(ctx, r, p, body)
		},
		Prechecker: real.(server.Prechecker),
	}
	tm := newTeam(t, teamOptions{auth: counting, quiet: true})
	verifier.STSEndpoint = tm.sts.URL()
	verifier.Audiences = []string{tm.srv.URL}
	host := strings.TrimPrefix(tm.srv.URL, "http://")
	for _, c := range []struct {
		name, headers string
		status        string
	}{
		{"declared body over the limit", "Content-Length: 10485760\r\nX-Sentinel-Proof: eyJ9\r\n", "400"},
		{"no proof", "Content-Length: 1000\r\n", "401"},
		{"garbage proof", "Content-Length: 1000\r\nX-Sentinel-Proof: bm90IGEgcHJvb2Y\r\n", "401"},
		{"chunked, no proof", "Transfer-Encoding: chunked\r\n", "401"},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", host)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			fmt.Fprintf(conn, "POST /v1/credentials HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%s\r\n", host, c.headers)
			line, err := bufio.NewReader(conn).ReadString('\n')
			if err != nil {
				t.Fatalf("no answer before the body was sent: %v", err)
			}
			if !strings.Contains(line, " "+c.status+" ") {
				t.Fatalf("answer %q, want %s", line, c.status)
			}
		})
	}
	if n := asked.Load(); n != 0 {
		t.Fatalf("the authenticator was asked %d times", n)
	}
}

// A caller anchors at most logging.MaxTeamAnchorLogs logs: the next new
// one is 409, an anchored one still moves forward, and another caller is
// not affected.
func TestTeamAnchorsAreBounded(t *testing.T) {
	tm := newTeam(t, teamOptions{quiet: true})
	head := func(i int, seq int64) map[string]any {
		log := fmt.Sprintf("laptop-%03d:/home/alice/decisions.jsonl", i)
		return map[string]any{"log": log, "file": "decisions.jsonl", "seq": seq, "hash": sha(fmt.Sprint(log, seq)), "time": "2026-01-02T03:04:05Z"}
	}
	for i := 0; i < logging.MaxTeamAnchorLogs; i++ {
		tm.want(tm.call("alice", http.MethodPost, "/v1/anchors", head(i, 1)), http.StatusOK, "")
	}
	tm.want(tm.call("alice", http.MethodPost, "/v1/anchors", head(logging.MaxTeamAnchorLogs, 1)), http.StatusConflict, "Conflict")
	tm.want(tm.call("alice", http.MethodPost, "/v1/anchors", head(7, 2)), http.StatusOK, "")
	tm.want(tm.call("bob", http.MethodPost, "/v1/anchors", head(logging.MaxTeamAnchorLogs, 1)), http.StatusOK, "")
}
