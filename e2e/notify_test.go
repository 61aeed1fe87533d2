package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// hookReceiver is a loopback webhook receiver that records every delivery.
type hookReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	got   []delivery
	reply func(n int, w http.ResponseWriter)
}

type delivery struct {
	body   []byte
	header http.Header
}

func newHookReceiver(t *testing.T, reply func(n int, w http.ResponseWriter)) *hookReceiver {
	t.Helper()
	h := &hookReceiver{reply: reply}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, delivery{body: body, header: r.Header.Clone()})
		n := len(h.got)
		h.mu.Unlock()
		if h.reply != nil {
			h.reply(n, w)
		}
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) deliveries() []delivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]delivery(nil), h.got...)
}

// events decodes the JSON deliveries.
func (h *hookReceiver) events(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, d := range h.deliveries() {
		out = append(out, decodeObject(t, string(d.body)))
	}
	return out
}

// withNotify gives p a config whose notify: section is hooks (YAML).
func (p *person) withNotify(hooks string) {
	p.writeFile(".config/sentinel/config.yaml", "policy: "+p.w.policy+"\n"+p.w.storeYAML+"notify:\n"+hooks)
}

// testHookSecret is a made-up signing key for the tests.
const testHookSecret = "e2e-webhook-signing-key-not-real"

func verifySignature(t *testing.T, d delivery) {
	t.Helper()
	ts := d.header.Get("X-Sentinel-Timestamp")
	m := hmac.New(sha256.New, []byte(testHookSecret))
	m.Write([]byte(ts + "." + string(d.body)))
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	if got := d.header.Get("X-Sentinel-Signature"); !hmac.Equal([]byte(got), []byte(want)) {
		t.Errorf("signature %q, want %q", got, want)
	}
	var sec int64
	if _, err := fmt.Sscan(ts, &sec); err != nil || time.Since(time.Unix(sec, 0)).Abs() > time.Minute {
		t.Errorf("timestamp %q is not now", ts)
	}
}

func TestNotifySignedJSONAndSlack(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, bob := w.newPerson("alice"), w.newPerson("bob")
	plain, slack := newHookReceiver(t, nil), newHookReceiver(t, nil)
	hooks := func(p *person) string {
		secret := filepath.Join(p.home, "hook.key")
		p.writeFile("hook.key", testHookSecret+"\n")
		return fmt.Sprintf("  - url: %s/hooks/json\n    events: [request.created, request.approved, breakglass.opened]\n    secret_file: %s\n"+
			"  - url: %s/services/T0/B0/x\n    format: slack\n    events: [request.created]\n", plain.URL, secret, slack.URL)
	}
	alice.withNotify(hooks(alice))
	bob.withNotify(hooks(bob))

	sneaky := "fix prod <!channel> <https://evil.example|approve here> & then"
	r := alice.mustRun("request", "prod", "--justification", sneaky)
	id := firstLine(r.stdout)
	if strings.Contains(r.stderr, "warning") {
		t.Errorf("warning on a delivered notification: %s", r.stderr)
	}
	b := bob.mustRun("approve", id, "--comment", "ok")
	if strings.Contains(b.stderr, "warning") {
		t.Errorf("warning: %s", b.stderr)
	}
	alice.mustRun("breakglass", "prod", "--reason-code", "incident", "--justification", justification)

	evs := plain.events(t)
	if len(evs) != 3 {
		t.Fatalf("json receiver got %d deliveries, want 3: %v", len(evs), evs)
	}
	wantFields(t, "request.created", evs[0], map[string]any{
		"event": "request.created", "id": id, "actor": "alice", "subject": "alice", "subject_account": account,
		"profile": "prod", "role_arn": "arn:aws:iam::" + account + ":role/prod", "status": "pending",
		"justification": sneaky, "duration_seconds": float64(3600), "required": float64(1),
	})
	wantFields(t, "request.approved", evs[1], map[string]any{
		"event": "request.approved", "id": id, "actor": "bob", "actor_arn": bob.arn, "subject": "alice", "status": "approved", "comment": "ok", "approvals": float64(1),
	})
	wantFields(t, "breakglass.opened", evs[2], map[string]any{"event": "breakglass.opened", "actor": "alice", "reason_code": "incident", "status": "active"})
	for _, d := range plain.deliveries() {
		verifySignature(t, d)
		if d.header.Get("Content-Type") != "application/json" {
			t.Errorf("content type %q", d.header.Get("Content-Type"))
		}
	}

	sd := slack.deliveries()
	if len(sd) != 1 || sd[0].header.Get("X-Sentinel-Signature") != "" {
		t.Fatalf("slack receiver: %d deliveries (want 1, unsigned)", len(sd))
	}
	var msg struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(sd[0].body, &msg); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"*alice* (account " + account + ") requests access to profile *prod* (role `arn:aws:iam::" + account + ":role/prod`) for 1h.",
		"Why: fix prod &lt;!channel&gt; &lt;https://evil.example|approve here&gt; &amp; then",
		"Approve: `sentinel approve " + id + "`",
	} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("slack text lacks %q:\n%s", want, msg.Text)
		}
	}
	if strings.Contains(msg.Text, "<!channel>") {
		t.Errorf("slack text not escaped:\n%s", msg.Text)
	}
	for _, e := range append(alice.logEntries(), bob.logEntries()...) {
		if e["event"] == "notify.failed" {
			t.Errorf("notify.failed logged: %v", e)
		}
	}
}

func TestNotifyRetriesOn5xx(t *testing.T) {
	_, alice := newWorldWithAlice(t, approvalsPolicy)
	rc := newHookReceiver(t, func(n int, w http.ResponseWriter) {
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	alice.withNotify(fmt.Sprintf("  - url: %s\n    events: [request.created]\n", rc.URL))
	r := alice.mustRun("request", "prod", "--justification", justification)
	if n := len(rc.deliveries()); n != 3 {
		t.Errorf("%d attempts, want 3 (two 503s, then taken)", n)
	}
	if strings.Contains(r.stderr, "warning") {
		t.Errorf("warning after a successful retry: %s", r.stderr)
	}
}

// notifyFailureIsOnlyAWarning checks that the request was filed and
// stored, the warning printed, and notify.failed logged.
func notifyFailureIsOnlyAWarning(t *testing.T, alice *person, why string) {
	t.Helper()
	start := time.Now()
	r := alice.mustRun("request", "prod", "--justification", justification)
	took := time.Since(start)
	id := firstLine(r.stdout)
	alice.wantStatus(id, "pending")
	checkOneLineError(t, r.stderr, `^sentinel: warning: notification request.created `+id+` not delivered: webhook 1 \(127\.0\.0\.1:[0-9]+\): `+why)
	if strings.Contains(r.stderr, "/secret-path") {
		t.Errorf("the warning shows the webhook URL: %s", r.stderr)
	}
	e := alice.lifecycleEntry("notify.failed", id)
	wantFields(t, "notify.failed", e, map[string]any{"actor": "alice", "note": "request.created", "profile": "prod"})
	if !strings.Contains(e["reason"].(string), "webhook 1") || strings.Contains(e["reason"].(string), "secret-path") {
		t.Errorf("reason: %v", e["reason"])
	}
	if took > 8*time.Second {
		t.Errorf("the request took %s with a dead receiver", took)
	}
	alice.mustRun("log", "verify")
}

func TestNotifyHangingReceiverCostsOnlyAWarning(t *testing.T) {
	_, alice := newWorldWithAlice(t, approvalsPolicy)
	release := make(chan struct{})
	rc := newHookReceiver(t, func(int, http.ResponseWriter) { <-release })
	t.Cleanup(func() { close(release) })
	alice.withNotify(fmt.Sprintf("  - url: %s/secret-path\n    events: [request.created]\n", rc.URL))
	notifyFailureIsOnlyAWarning(t, alice, `no answer within 3s`)
	if n := len(rc.deliveries()); n != 1 {
		t.Errorf("a timed-out delivery was retried: %d attempts", n)
	}
}

func TestNotifyRefusingReceiverCostsOnlyAWarning(t *testing.T) {
	_, alice := newWorldWithAlice(t, approvalsPolicy)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	alice.withNotify(fmt.Sprintf("  - url: http://%s/secret-path\n    events: [request.created]\n", addr))
	notifyFailureIsOnlyAWarning(t, alice, `connection failed: .*connection refused \(after 3 attempts\)`)
}

func TestNotifyConfigIsStrict(t *testing.T) {
	_, alice := newWorldWithAlice(t, approvalsPolicy)
	for _, tt := range []struct{ hooks, want string }{
		{"  - url: http://hooks.example.com/x\n    events: [request.created]\n", `notify webhook 1: url uses plain http to hooks.example.com`},
		{"  - url: https://hooks.example.com/x\n    events: [request.exploded]\n", `notify webhook 1: event "request.exploded" is not one of`},
		{"  - url: https://hooks.example.com/x\n    events: [request.created]\n    secret: inline\n", `name a secret by reference`},
		{"  - url: https://hooks.example.com/x\n    events: [request.created]\n    secret_file: /nonexistent/key\n", `notify webhook 1: secret_file`},
	} {
		alice.withNotify(tt.hooks)
		alice.mustFail(tt.want, "request", "prod", "--justification", justification)
	}
	if entries := alice.logEntries(); len(entries) != 0 {
		t.Errorf("a bad notify config still acted: %v", entries)
	}
}

// In team mode the service acts, so the service sends the notifications,
// with the signing key only it holds; a dead receiver costs a warning on
// its stderr and a notify.failed entry in its log.
func TestNotifyFromTheTeamService(t *testing.T) {
	w := newServeWorld(t)
	good := newHookReceiver(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	keyPath := filepath.Join(w.dir, "hook.key")
	writeFile0600(t, keyPath, testHookSecret)
	data, err := os.ReadFile(w.config)
	if err != nil {
		t.Fatal(err)
	}
	w.writeConfig(string(data) + fmt.Sprintf("notify:\n  - url: %s\n    events: [request.created, request.approved]\n    secret_file: %s\n"+
		"  - url: http://%s/x\n    events: [request.approved]\n", good.URL, keyPath, dead))
	w.start()

	code, req := w.call("alice", http.MethodPost, "/v1/requests", `{"profile":"prod","justification":"deploy the fix now"}`)
	if code != 200 {
		t.Fatalf("create: %d %v", code, req)
	}
	id, _ := req["id"].(string)
	if code, doc := w.call("bob", http.MethodPost, "/v1/requests/"+id+"/approve", `{"comment":"go"}`); code != 200 {
		t.Fatalf("approve despite a dead webhook: %d %v", code, doc)
	}
	evs := good.events(t)
	if len(evs) != 2 || evs[0]["event"] != "request.created" || evs[0]["actor"] != "alice" || evs[1]["event"] != "request.approved" || evs[1]["actor"] != "bob" {
		t.Fatalf("service deliveries: %v", evs)
	}
	for _, d := range good.deliveries() {
		verifySignature(t, d)
	}
	// Stop the service before reading what it wrote (os/exec copies its
	// stderr into the buffer until it exits).
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = w.cmd.Wait()
	if !strings.Contains(w.stderr.String(), "sentinel: serve: warning: notification request.approved "+id+" not delivered: webhook 2 (") {
		t.Errorf("service stderr: %s", w.stderr)
	}
	logData, err := os.ReadFile(filepath.Join(w.dir, "decisions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logData), `"event":"notify.failed"`) {
		t.Errorf("no notify.failed in the service's log")
	}
}

func writeFile0600(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// In team mode, --wait polls the service through the team API.
func TestTeamRequestWaitThroughTheService(t *testing.T) {
	w := newWorld(t)
	url := startTeamService(t, w)
	alice, bob := w.newTeamPerson("alice", url), w.newTeamPerson("bob", url)
	waiting := alice.start("request", "prod", "--justification", justification, "--wait", fastPoll)
	id := bob.pendingOf(t, "alice")
	bob.mustFail(`or a prefix of at least 6`, "approve", id[:5])
	bob.mustRun("approve", id[:7])
	if r := waiting.wait(t, 20*time.Second); r.code != 0 || !strings.Contains(r.stdout, "approved by bob") {
		t.Fatalf("team wait: %s", r)
	}
	// The service refuses a duplicate; --force goes through it.
	first := alice.newRequest("prod")
	alice.mustFail(`request `+first+` for profile prod, created .*, is still pending`, "request", "prod", "--justification", justification)
	alice.newRequest("prod", "--force")
}
