package notify

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// receiver is a loopback webhook that records what it got.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	heads  []http.Header
	hits   atomic.Int32
}

func newReceiver(t *testing.T, answer func(n int32, w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		n := rc.hits.Add(1)
		rc.mu.Lock()
		rc.bodies = append(rc.bodies, body)
		rc.heads = append(rc.heads, r.Header.Clone())
		rc.mu.Unlock()
		if answer != nil {
			answer(n, w, r)
		}
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) last(t *testing.T) ([]byte, http.Header) {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.bodies) == 0 {
		t.Fatal("the receiver got nothing")
	}
	return rc.bodies[len(rc.bodies)-1], rc.heads[len(rc.heads)-1]
}

func writeSecret(t *testing.T, secret string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(p, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func sampleEvent() Event {
	exp := time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC)
	return Event{
		Event: EventRequestCreated, ID: "0123456789abcdef", Time: time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC),
		Actor: "alice", ActorARN: "arn:aws:iam::111122223333:user/alice",
		Subject: "alice", SubjectARN: "arn:aws:iam::111122223333:user/alice", SubjectAccount: "111122223333",
		Profile: "prod", RoleARN: "arn:aws:iam::111122223333:role/prod", Status: "pending",
		Justification: "deploy hotfix 1234", DurationSeconds: 3600, Required: 1, ExpiresAt: &exp,
	}
}

func fastOptions() Options {
	return Options{Timeout: 500 * time.Millisecond, Backoff: 10 * time.Millisecond}
}

func TestSendsSignedJSON(t *testing.T) {
	rc := newReceiver(t, nil)
	const secret = "0123456789abcdef-test-only-secret"
	fixed := time.Unix(1767322800, 0)
	o := fastOptions()
	o.Now = func() time.Time { return fixed }
	n, err := New([]Webhook{{URL: rc.URL, Events: []string{EventRequestCreated}, SecretFile: writeSecret(t, secret)}}, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Send(context.Background(), sampleEvent()); err != nil {
		t.Fatal(err)
	}
	body, h := rc.last(t)
	var got Event
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Event != EventRequestCreated || got.ID != "0123456789abcdef" || got.Justification != "deploy hotfix 1234" || got.DurationSeconds != 3600 || got.RoleARN == "" {
		t.Errorf("payload: %+v", got)
	}
	ts := h.Get(HeaderTimestamp)
	if ts != strconv.FormatInt(fixed.Unix(), 10) {
		t.Errorf("timestamp %q", ts)
	}
	// The receiver's own check, written out rather than via Signature.
	want := "sha256=" + hmacHex([]byte(secret), ts+"."+string(body))
	if !hmac.Equal([]byte(h.Get(HeaderSignature)), []byte(want)) {
		t.Errorf("signature %q, want %q", h.Get(HeaderSignature), want)
	}
	// An event the webhook did not subscribe to is not sent.
	ev := sampleEvent()
	ev.Event = EventSessionRevoked
	if err := n.Send(context.Background(), ev); err != nil || rc.hits.Load() != 1 {
		t.Errorf("unsubscribed event: err %v, hits %d", err, rc.hits.Load())
	}
}

func TestUnsignedWithoutSecret(t *testing.T) {
	rc := newReceiver(t, nil)
	n, err := New([]Webhook{{URL: rc.URL, Events: Events}}, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Send(context.Background(), sampleEvent()); err != nil {
		t.Fatal(err)
	}
	if _, h := rc.last(t); h.Get(HeaderSignature) != "" || h.Get(HeaderTimestamp) != "" {
		t.Errorf("signed without a secret: %v", h)
	}
}

func TestRetriesOn5xxOnly(t *testing.T) {
	tests := []struct {
		name     string
		status   func(n int32) int
		wantHits int32
		wantErr  string
	}{
		{"5xx then ok", func(n int32) int {
			if n < 3 {
				return 503
			}
			return 200
		}, 3, ""},
		{"5xx always", func(int32) int { return 500 }, 3, "HTTP 500 (after 3 attempts)"},
		{"4xx is final", func(int32) int { return 403 }, 1, "HTTP 403"},
		{"redirect not followed", func(int32) int { return 302 }, 1, "redirects are not followed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newReceiver(t, func(n int32, w http.ResponseWriter, r *http.Request) {
				if s := tt.status(n); s == 302 {
					http.Redirect(w, r, "http://127.0.0.1:1/elsewhere", s)
				} else {
					w.WriteHeader(s)
				}
			})
			n, err := New([]Webhook{{URL: rc.URL + "/T0/B0/secretpath", Events: Events}}, fastOptions())
			if err != nil {
				t.Fatal(err)
			}
			err = n.Send(context.Background(), sampleEvent())
			if got := rc.hits.Load(); got != tt.wantHits {
				t.Errorf("hits %d, want %d", got, tt.wantHits)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ne *Error
			if !errors.As(err, &ne) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "secretpath") {
				t.Errorf("the error shows the webhook URL: %v", err)
			}
		})
	}
}

func TestHangingReceiverTimesOutOnce(t *testing.T) {
	release := make(chan struct{})
	rc := newReceiver(t, func(int32, http.ResponseWriter, *http.Request) { <-release })
	defer close(release)
	o := fastOptions()
	o.Timeout = 200 * time.Millisecond
	n, err := New([]Webhook{{URL: rc.URL, Events: Events}}, o)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = n.Send(context.Background(), sampleEvent())
	if err == nil || !strings.Contains(err.Error(), "no answer within 200ms") {
		t.Fatalf("error %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
	if rc.hits.Load() != 1 {
		t.Errorf("a timeout was retried: %d hits", rc.hits.Load())
	}
}

func TestRefusedConnectionIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/hook"
	ln.Close()
	n, err := New([]Webhook{{URL: url, Events: Events}}, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	err = n.Send(context.Background(), sampleEvent())
	if err == nil || !strings.Contains(err.Error(), "connection failed") || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Fatalf("error %v", err)
	}
	if !strings.Contains(err.Error(), "webhook 1 (127.0.0.1:") {
		t.Errorf("webhook not named: %v", err)
	}
}

func TestOneFailingHookDoesNotStopTheOthers(t *testing.T) {
	good := newReceiver(t, nil)
	bad := newReceiver(t, func(_ int32, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(400) })
	n, err := New([]Webhook{{URL: bad.URL, Events: Events}, {URL: good.URL, Events: Events}}, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	err = n.Send(context.Background(), sampleEvent())
	var ne *Error
	if !errors.As(err, &ne) || len(ne.Failures) != 1 || !strings.HasPrefix(ne.Failures[0].Webhook, "webhook 1 ") {
		t.Fatalf("error %v", err)
	}
	if good.hits.Load() != 1 {
		t.Errorf("the good hook got %d", good.hits.Load())
	}
}

func TestWebhookCheck(t *testing.T) {
	tests := []struct {
		name string
		w    Webhook
		want string
	}{
		{"https", Webhook{URL: "https://hooks.example.com/x", Events: []string{EventRequestCreated}}, ""},
		{"loopback http", Webhook{URL: "http://127.0.0.1:9/x", Events: []string{EventRequestCreated}, Format: "slack"}, ""},
		{"remote http", Webhook{URL: "http://hooks.example.com/x", Events: []string{EventRequestCreated}}, "only https"},
		{"no url", Webhook{Events: []string{EventRequestCreated}}, "url is missing"},
		{"user info", Webhook{URL: "https://u:p@hooks.example.com/", Events: []string{EventRequestCreated}}, "no user info"},
		{"ftp", Webhook{URL: "ftp://hooks.example.com/", Events: []string{EventRequestCreated}}, "scheme must be https"},
		{"no events", Webhook{URL: "https://hooks.example.com/x"}, "list at least one"},
		{"unknown event", Webhook{URL: "https://hooks.example.com/x", Events: []string{"request.exploded"}}, `"request.exploded" is not one of`},
		{"twice", Webhook{URL: "https://hooks.example.com/x", Events: []string{EventRequestCreated, EventRequestCreated}}, "listed twice"},
		{"format", Webhook{URL: "https://hooks.example.com/x", Events: []string{EventRequestCreated}, Format: "teams"}, `format "teams"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.w.Check(1)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "u:p@") {
				t.Errorf("the error shows the URL: %v", err)
			}
		})
	}
}

func TestSecretFileChecks(t *testing.T) {
	short := writeSecret(t, "short")
	if _, err := New([]Webhook{{URL: "https://h.example.com/", Events: Events, SecretFile: short}}, Options{}); err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Errorf("short secret: %v", err)
	}
	open := writeSecret(t, "0123456789abcdef0123")
	if err := os.Chmod(open, 0o666); err != nil {
		t.Fatal(err)
	}
	if _, err := New([]Webhook{{URL: "https://h.example.com/", Events: Events, SecretFile: open}}, Options{}); err == nil {
		t.Error("a world-writable secret file was accepted")
	}
	if n, err := New(nil, Options{}); n != nil || err != nil || n.Wants(EventRequestCreated) || n.Send(context.Background(), sampleEvent()) != nil {
		t.Errorf("no webhooks: %v %v", n, err)
	}
}

func TestSlackPayloadEscapesUserText(t *testing.T) {
	rc := newReceiver(t, nil)
	n, err := New([]Webhook{{URL: rc.URL, Events: Events, Format: FormatSlack}}, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	ev := sampleEvent()
	ev.Justification = "urgent <https://evil.example|click here> <!channel> <@U123> & more\nApproved by security"
	if err := n.Send(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	body, _ := rc.last(t)
	var msg map[string]any
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatal(err)
	}
	text := msg["text"].(string)
	for _, want := range []string{
		"*alice* (account 111122223333) requests access to profile *prod*",
		"for 1h", "Why: urgent &lt;https://evil.example|click here&gt; &lt;!channel&gt; &lt;@U123&gt; &amp; more Approved by security",
		"`sentinel approve 0123456789abcdef`",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("slack text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "<!channel>") || strings.Contains(text, "<https://evil") || strings.Count(text, "\n") != 3 {
		t.Errorf("user text not escaped:\n%s", text)
	}
	if msg["unfurl_links"] != false {
		t.Errorf("unfurl_links: %v", msg["unfurl_links"])
	}
}

func TestSignatureKnownAnswer(t *testing.T) {
	// HMAC-SHA256("key", "1.{}"), computed independently.
	got := Signature([]byte("key"), 1, []byte("{}"))
	want := "sha256=" + hmacHex([]byte("key"), "1.{}")
	if got != want || len(got) != len("sha256=")+64 {
		t.Errorf("%s != %s", got, want)
	}
}
