package e2e

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
)

func TestBreakglassRefusedOutsideItsRule(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, carol := w.newPerson("alice"), w.newPerson("carol")

	tests := []struct {
		name string
		who  *person
		args []string
		want string
	}{
		{"user not in users", carol, []string{"prod", "--reason-code", "incident"},
			`no break-glass rule in the policy lets carol break the glass on profile prod`},
		{"reason code not allowed", alice, []string{"prod", "--reason-code", "maintenance"},
			`reason code "maintenance" is not allowed by break-glass rule prod-oncall`},
		{"profile not covered", alice, []string{"audit", "--reason-code", "incident"},
			`no break-glass rule in the policy lets alice break the glass on profile audit`},
		{"unknown reason code", alice, []string{"prod", "--reason-code", "boredom"},
			`enum value must be one of incident,maintenance,security,recovery,other`},
		{"justification too short", alice, []string{"prod", "--reason-code", "incident", "--justification", "help"},
			`justification must be at least 20 characters`},
		{"duration above the rule's", alice, []string{"prod", "--reason-code", "incident", "--duration", "2h"},
			`duration 2h0m0s must be between 15m0s and 1h0m0s`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"breakglass"}, tt.args...)
			if !strings.Contains(strings.Join(tt.args, " "), "--justification") {
				args = append(args, "--justification", justification)
			}
			tt.who.mustFail(tt.want, args...)
		})
	}
	if out := alice.mustRun("breakglass-list", "--output", "json").stdout; len(decodeList(t, out)) != 0 {
		t.Errorf("refused attempts left events behind: %s", out)
	}
	alice.mustFail(`access to profile prod denied for alice`, "exec", "prod", "--", "true")
}

func TestBreakglassLifecycle(t *testing.T) {
	w := newWorld(t)
	breakglassLifecycle(t, w, w.newPerson, true)
}

// breakglassLifecycle opens break-glass on prod as alice, uses it, closes
// it, and checks the cooldown, on whatever store w's people share (newPerson
// makes them). The full version also checks listing, refusals and an
// approver's close.
func breakglassLifecycle(t *testing.T, w *world, newPerson func(name string) *person, full bool) {
	w.setPolicy(approvalsPolicy)
	alice, bob, carol := newPerson("alice"), newPerson("bob"), newPerson("carol")

	// The hint names break-glass only where it is an option; here the
	// approval hint comes first.
	alice.mustFail(`denied for alice`, "exec", "prod", "--", "true")

	r := alice.mustRun("breakglass", "prod", "--reason-code", "incident", "--justification", justification, "--duration", "30m")
	id := firstLine(r.stdout)
	if !idRE.MatchString(id) {
		t.Fatalf("breakglass printed %q on its first line, want the ID:\n%s", id, r.stdout)
	}
	ev := decodeObject(t, alice.mustRun("breakglass-show", id, "--output", "json").stdout)
	wantFields(t, "breakglass-show", ev, map[string]any{
		"id": id, "status": "active", "profile": "prod", "invoker": "alice", "invoker_arn": alice.arn,
		"reason_code": "incident", "justification": justification, "duration_seconds": float64(1800),
	})
	expiresAt := mustParseTime(t, ev["expires_at"].(string))

	r = alice.mustRun("exec", "--duration", "2h", "prod", "--", "env")
	if got := durationSeconds(t, w.lastAssume()); got > 1800 || got < 1700 {
		t.Errorf("DurationSeconds %d, want what is left of the 30m event (<= 1800)", got)
	}
	if exp := credentialExpiration(t, r.stdout); exp.After(expiresAt) {
		t.Errorf("credentials expire at %s, after the event ends at %s", exp, expiresAt)
	}
	si := w.wantSourceIdentity("alice", "bg-"+id)
	wantFields(t, "decision under break-glass", alice.lastDecision(), map[string]any{
		"effect": "allow", "policy_effect": "require_approval", "profile": "prod", "breakglass_id": id, "source_identity": si,
	})
	if d := alice.lastDecision(); d["approval_id"] != nil {
		t.Errorf("approval_id under break-glass: %v", d)
	}
	wantFields(t, "breakglass.opened", alice.lifecycleEntry("breakglass.opened", id), map[string]any{
		"actor": "alice", "profile": "prod", "reason_code": "incident", "status": "active", "justification": justification,
	})

	alice.mustFail(`an active break-glass event already exists for this user and profile: event `+id, "breakglass", "prod", "--reason-code", "security", "--justification", justification)

	if full {
		list := decodeList(t, alice.mustRun("breakglass-list", "--output", "json").stdout)
		if len(list) != 1 || list[0]["id"] != id || list[0]["status"] != "active" {
			t.Errorf("breakglass-list: %v", list)
		}
		if list := decodeList(t, bob.mustRun("breakglass-list", "--output", "json").stdout); len(list) != 0 {
			t.Errorf("bob's own list holds alice's event: %v", list)
		}
		if list := decodeList(t, bob.mustRun("breakglass-list", "--profile", "prod", "--output", "json").stdout); len(list) != 1 {
			t.Errorf("bob's list of prod: %v", list)
		}
		r = alice.mustRun("breakglass-show", id)
		for _, want := range []string{"ID:            " + id, "Status:        active", "Invoker:       alice (" + alice.arn + ", account 111122223333)", "Role:          arn:aws:iam::111122223333:role/prod", "Reason code:   incident", " left)"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("breakglass-show lacks %q:\n%s", want, r.stdout)
			}
		}
		// carol is neither the invoker nor an approver of prod.
		carol.mustFail(`carol may not close break-glass `+id+`: only its invoker or an approver of profile prod may`, "breakglass-close", id, "--reason", "tidying up")
		alice.mustRun("exec", "prod", "--", "true")
	}

	r = alice.mustRun("breakglass-close", id, "--reason", "failover done")
	if !strings.Contains(r.stdout, "Break-glass "+id+" on prod closed.") {
		t.Errorf("breakglass-close output: %s", r.stdout)
	}
	ev = decodeObject(t, alice.mustRun("breakglass-show", id, "--output", "json").stdout)
	wantFields(t, "closed event", ev, map[string]any{"status": "closed", "closed_by": "alice", "close_reason": "failover done"})
	wantFields(t, "breakglass.closed", alice.lifecycleEntry("breakglass.closed", id), map[string]any{
		"actor": "alice", "status": "closed", "comment": "failover done",
	})
	alice.mustFail(`access to profile prod denied for alice`, "exec", "prod", "--", "true")
	if d := alice.lastDecision(); d["effect"] != "deny" || d["breakglass_id"] != nil {
		t.Errorf("decision after close: %v", d)
	}
	alice.mustFail(`cooldown of 30m0s after the last event on role arn:aws:iam::111122223333:role/prod; next break-glass possible at `,
		"breakglass", "prod", "--reason-code", "incident", "--justification", justification)
	alice.mustFail(`cannot close break-glass event `+id+`: it is closed`, "breakglass-close", id, "--reason", "again")
	alice.mustFail(`break-glass event not found: "x`+id+`" is not a break-glass ID`, "breakglass-close", "x"+id, "--reason", "typo")
	alice.mustFail(`no break-glass event with ID 0123456789abcdef\n.*hint: check the ID`, "breakglass-show", "0123456789abcdef")

	if full {
		// An approver of prod may close someone else's event.
		r = bob.mustRun("breakglass", "prod", "--reason-code", "security", "--justification", justification)
		other := firstLine(r.stdout)
		bob.mustRun("exec", "prod", "--", "true")
		w.wantSourceIdentity("bob", "bg-"+other)
		carol.mustFail(`carol may not close`, "breakglass-close", other, "--reason", "not mine")
		alice.mustRun("breakglass-close", other, "--reason", "security review says stop")
		wantFields(t, "closed by an approver", decodeObject(t, bob.mustRun("breakglass-show", other, "--output", "json").stdout),
			map[string]any{"status": "closed", "closed_by": "alice"})
		wantFields(t, "alice's breakglass.closed", alice.lifecycleEntry("breakglass.closed", other), map[string]any{"actor": "alice", "profile": "prod"})
		bob.mustFail(`access to profile prod denied for bob`, "exec", "prod", "--", "true")
	}
	alice.mustRun("log", "verify")
}

func TestBreakglassWindowEnds(t *testing.T) {
	w, alice := newWorldWithAlice(t, approvalsPolicy)
	open := func() string {
		t.Helper()
		return firstLine(alice.mustRun("breakglass", "prod", "--reason-code", "security", "--justification", justification, "--duration", "30m").stdout)
	}
	// back moves an event's times into the past, as if d had gone by.
	back := func(id string, d time.Duration) (end time.Time) {
		t.Helper()
		w.editEvent(id, func(e *breakglass.Event) {
			e.OpenedAt, e.ExpiresAt = e.OpenedAt.Add(-d), e.ExpiresAt.Add(-d)
			end = e.ExpiresAt.UTC()
		})
		return end
	}

	// Ten minutes left: no credentials can be that short.
	id := open()
	end := back(id, 20*time.Minute)
	alice.mustFail(`break-glass `+id+` ends at `+regexp.QuoteMeta(end.Format(time.RFC3339))+` \(9m5\d+s left\), shorter than the 15m minimum`, "exec", "prod", "--", "true")
	if d := alice.lastDecision(); d["effect"] != "deny" || d["breakglass_id"] != id {
		t.Errorf("decision with ten minutes left: %v", d)
	}

	// Run out: nothing is lifted, it reads as expired, and the cooldown
	// counts from its end.
	back(id, 15*time.Minute)
	alice.mustFail(`access to profile prod denied for alice`, "exec", "prod", "--", "true")
	if d := alice.lastDecision(); d["effect"] != "deny" || d["breakglass_id"] != nil {
		t.Errorf("decision after expiry: %v", d)
	}
	if ev := decodeObject(t, alice.mustRun("breakglass-show", id, "--output", "json").stdout); ev["status"] != "expired" {
		t.Errorf("breakglass-show after expiry: %v", ev)
	}
	for status, want := range map[string][]string{"expired": {id}, "active": {}} {
		if got := ids(decodeList(t, alice.mustRun("breakglass-list", "--status", status, "--output", "json").stdout)); !slices.Equal(got, want) {
			t.Errorf("breakglass-list --status %s = %v, want %v", status, got, want)
		}
	}
	alice.mustFail(`cooldown of 30m0s after the last event on role arn:aws:iam::111122223333:role/prod`, "breakglass", "prod", "--reason-code", "incident", "--justification", justification)
	alice.mustFail(`cannot close break-glass event `+id+`: it expired at`, "breakglass-close", id, "--reason", "too late")

	// Once the cooldown has passed, the glass can be broken again.
	back(id, 30*time.Minute)
	next := open()
	alice.mustRun("exec", "prod", "--", "true")
	w.wantSourceIdentity("alice", "bg-"+next)
}
