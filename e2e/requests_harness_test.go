package e2e

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/internal/fakests"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/store/local"
)

// approvalsPolicy puts prod behind an approval by bob (or alice, so that
// self-approval is refused by the requester check and not by the approver
// list), audit behind two approvals, and staging behind the credential
// server even though an approval rule covers it. carol's short prod
// requests are approved without a human. Break-glass on prod is
// open to alice and bob, for incidents and security only, with a cooldown.
const approvalsPolicy = `version: "1"
accounts: ["111122223333"]
rules:
  - name: dev-anytime
    effect: allow
    conditions:
      profiles: [dev]
    max_duration: 2h
    reason: development access
  - name: prod-needs-approval
    effect: require_approval
    conditions:
      profiles: [prod]
    max_duration: 2h
    reason: production needs a second person
  - name: audit-needs-two
    effect: require_approval
    conditions:
      profiles: [audit]
    reason: audit needs two people
  - name: staging-server-only
    effect: require_server
    conditions:
      profiles: [staging]
    reason: staging is served by the credential server
approvals:
  - name: prod-second-person
    profiles: [prod, staging]
    approvers: [alice, bob]
    max_duration: 4h
    auto_approve:
      users: [carol]
      max_duration: 30m
  - name: audit-two-people
    profiles: [audit]
    approvers: [bob, carol]
    required: 2
    max_duration: 1h
breakglass:
  - name: prod-oncall
    profiles: [prod]
    users: [alice, bob]
    reason_codes: [incident, security]
    max_duration: 1h
    cooldown: 30m
`

// justification is long enough for a request (10+) and a break-glass (20+).
const justification = "deploy hotfix 1234 to production, ticket OPS-42"

// firstLine is the first line of out: request and breakglass print the new
// ID there, so that scripts can take it with `head -1`.
func firstLine(out string) string {
	line, _, _ := strings.Cut(out, "\n")
	return line
}

// idRE is what request and break-glass IDs look like: they become part of
// a SourceIdentity (apr-<id>, bg-<id>), which allows only a few characters.
var idRE = regexp.MustCompile(`^[0-9a-f]{8,}$`)

// newRequest runs `sentinel request` as p and returns the new request's ID.
func (p *person) newRequest(profile string, extra ...string) string {
	p.t.Helper()
	r := p.mustRun(append([]string{"request", profile, "--justification", justification}, extra...)...)
	id := firstLine(r.stdout)
	if !idRE.MatchString(id) || !request.ValidID(id) {
		p.t.Fatalf("request printed %q on its first line, want the ID:\n%s", id, r.stdout)
	}
	return id
}

// requestView is `sentinel requests show ID --output json` as p.
func (p *person) requestView(id string) map[string]any {
	p.t.Helper()
	return decodeObject(p.t, p.mustRun("requests", "show", id, "--output", "json").stdout)
}

// wantStatus fails the test unless the request's status, as p reads it,
// is want.
func (p *person) wantStatus(id, want string) map[string]any {
	p.t.Helper()
	v := p.requestView(id)
	if v["status"] != want {
		p.t.Fatalf("request %s is %v, want %s: %v", id, v["status"], want, v)
	}
	return v
}

func decodeObject(t testing.TB, s string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, s)
	}
	return v
}

func decodeList(t *testing.T, s string) []map[string]any {
	t.Helper()
	var v []map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not a JSON list: %v\n%s", err, s)
	}
	return v
}

// ids lists the "id" of each object, in order.
func ids(list []map[string]any) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		s, _ := v["id"].(string)
		out = append(out, s)
	}
	return out
}

// lifecycleEntry returns the newest entry of p's log with the given event
// and subject, failing the test when there is none.
func (p *person) lifecycleEntry(event, subject string) map[string]any {
	p.t.Helper()
	entries := p.logEntries()
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i]["event"] == event && entries[i]["subject"] == subject {
			return entries[i]
		}
	}
	p.t.Fatalf("no %s entry for %s in %s's log", event, subject, p.name)
	return nil
}

// wantFields fails the test for each key of want whose value in got differs.
func wantFields(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s = %v, want %v (entry %v)", what, k, got[k], v, got)
		}
	}
}

// lastAssume is the newest AssumeRole call the stand-in has seen.
func (w *world) lastAssume() fakests.Call {
	w.t.Helper()
	calls := w.assumeCalls()
	if len(calls) == 0 {
		w.t.Fatal("no AssumeRole call")
	}
	return calls[len(calls)-1]
}

// durationSeconds is the DurationSeconds of an AssumeRole call.
func durationSeconds(t *testing.T, c fakests.Call) int {
	t.Helper()
	n, err := strconv.Atoi(c.Params.Get("DurationSeconds"))
	if err != nil {
		t.Fatalf("DurationSeconds %q: %v", c.Params.Get("DurationSeconds"), err)
	}
	return n
}

// wantSourceIdentity checks that the newest AssumeRole call was stamped
// sentinel.<user>.<basis>.<hex>, and returns the SourceIdentity.
func (w *world) wantSourceIdentity(user, basis string) string {
	w.t.Helper()
	si := w.lastAssume().Params.Get("SourceIdentity")
	want := regexp.MustCompile(`^sentinel\.` + regexp.QuoteMeta(user) + `\.` + regexp.QuoteMeta(basis) + `\.[0-9a-f]{8,}$`)
	if !sourceIdentityRE.MatchString(si) || !want.MatchString(si) {
		w.t.Errorf("SourceIdentity %q, want sentinel.%s.%s.<hex>", si, user, basis)
	}
	return si
}

// credentialExpiration is AWS_CREDENTIAL_EXPIRATION from `exec -- env`
// output.
func credentialExpiration(t *testing.T, envOutput string) time.Time {
	t.Helper()
	return mustParseTime(t, envOf(envOutput)["AWS_CREDENTIAL_EXPIRATION"])
}

// editRequest changes a stored request in the shared bbolt store, as a test
// harness standing in for time passing: nothing in sentinel lets a person
// move a window, and the test should not wait an hour. It uses the store's
// own conditional Change, so the version check still applies.
func (w *world) editRequest(id string, edit func(*request.Request)) {
	w.t.Helper()
	ctx := context.Background()
	s, err := local.Open(w.storePath, local.Options{})
	if err != nil {
		w.t.Fatalf("open the shared store: %v", err)
	}
	defer s.Close()
	if _, err := s.Requests().Change(ctx, id, func(r *request.Request) error { edit(r); return nil }); err != nil {
		w.t.Fatalf("change request %s: %v", id, err)
	}
}

// editEvent changes a stored break-glass event in the shared bbolt store,
// as editRequest does for requests.
func (w *world) editEvent(id string, edit func(*breakglass.Event)) {
	w.t.Helper()
	ctx := context.Background()
	s, err := local.Open(w.storePath, local.Options{})
	if err != nil {
		w.t.Fatalf("open the shared store: %v", err)
	}
	defer s.Close()
	if _, err := s.Breakglass().Change(ctx, id, func(e *breakglass.Event) error { edit(e); return nil }); err != nil {
		w.t.Fatalf("change break-glass event %s: %v", id, err)
	}
}
