package e2e

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// relay is a look-alike service: it listens on its own port, forwards
// every call to the real service (so /v1/info answers with the real
// server_id) and keeps the proofs it sees, to replay them.
type relay struct {
	url string
	mu  sync.Mutex
	// seen are the proof-carrying calls it relayed, and the status the
	// real service answered each with.
	seen []relayedCall
}

type relayedCall struct {
	method, path, proof string
	body                []byte
	status              int
}

func startRelay(t *testing.T, target string) *relay {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if p := resp.Request.Header.Get("X-Sentinel-Proof"); p != "" {
			body, _ := resp.Request.Context().Value(relayBodyKey{}).([]byte)
			r.mu.Lock()
			r.seen = append(r.seen, relayedCall{method: resp.Request.Method, path: resp.Request.URL.RequestURI(), proof: p, body: body, status: resp.StatusCode})
			r.mu.Unlock()
		}
		return nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		req = req.WithContext(contextWithBody(req, body))
		proxy.ServeHTTP(w, req)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	r.url = "http://" + ln.Addr().String()
	return r
}

func (r *relay) calls() []relayedCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]relayedCall(nil), r.seen...)
}

// A look-alike service on another port, to which the laptop is pointed,
// relays the proofs to the real service: the proofs were signed for the
// look-alike's URL, so the real service answers 401 and no credentials
// are issued; replaying a captured proof straight to the real service
// fails the same way.
func TestTeamRelayedProofIsRefused(t *testing.T) {
	w := newWorld(t)
	real := startTeamService(t, w)
	rl := startRelay(t, real)
	alice := w.newTeamPerson("alice", rl.url)
	w.sts.Reset()

	r := alice.run("credentials", "dev")
	if r.code == 0 {
		t.Fatalf("credentials through the relay were issued: %s", r.stdout)
	}
	if !strings.Contains(r.stderr, "proof") {
		t.Errorf("stderr does not say the proof was refused: %s", r.stderr)
	}
	if n := len(w.assumeCalls()); n != 0 {
		t.Fatalf("the service assumed %d roles for relayed proofs", n)
	}
	calls := rl.calls()
	if len(calls) == 0 {
		t.Fatal("the relay saw no proof")
	}
	for _, c := range calls {
		if c.status != http.StatusUnauthorized {
			t.Errorf("the real service answered %s %s with %d, want 401", c.method, c.path, c.status)
		}
		// Replayed straight to the real service, within its 5 minutes.
		req, err := http.NewRequest(c.method, real+c.path, bytes.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Sentinel-Proof", c.proof)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("replayed %s %s: %d, want 401", c.method, c.path, resp.StatusCode)
		}
	}
	if n := len(w.assumeCalls()); n != 0 {
		t.Fatalf("the service assumed %d roles for replayed proofs", n)
	}

	// The same laptop pointed at the real service is served: the service
	// implies its loopback URLs.
	alice.writeFile(".config/sentinel/config.yaml", "server:\n  url: "+real+"\n  server_id: team-e2e\n")
	if doc := alice.credentialsDoc("dev"); doc["AccessKeyId"] == "" {
		t.Fatalf("credentials from the real service: %v", doc)
	}
	// And localhost names the same listener.
	alice.writeFile(".config/sentinel/config.yaml", "server:\n  url: "+strings.Replace(real, "127.0.0.1", "localhost", 1)+"/\n  server_id: team-e2e\n")
	if doc := alice.credentialsDoc("dev"); doc["AccessKeyId"] == "" {
		t.Fatalf("credentials from the real service as localhost: %v", doc)
	}
}

type relayBodyKey struct{}

func contextWithBody(req *http.Request, body []byte) context.Context {
	return context.WithValue(req.Context(), relayBodyKey{}, body)
}
