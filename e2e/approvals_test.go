package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/request"
)

func TestApprovalRoundTrip(t *testing.T) {
	w := newWorld(t)
	approvalRoundTrip(t, w, w.newPerson)
}

// approvalRoundTrip is the whole approval story on whatever store w's
// people share (newPerson makes them): denied, request, approve, allowed
// with the approval's SourceIdentity, and every step in the right person's
// log.
func approvalRoundTrip(t *testing.T, w *world, newPerson func(name string) *person) {
	w.setPolicy(approvalsPolicy)
	alice, bob := newPerson("alice"), newPerson("bob")

	alice.mustFail(`access to profile prod denied for alice: production needs a second person.*\n.*hint: ask for approval: sentinel request prod`, "exec", "prod", "--", "env")

	id := alice.newRequest("prod")
	alice.wantStatus(id, "pending")
	r := bob.mustRun("approve", id, "--comment", "ok")
	if !strings.Contains(r.stdout, "Request "+id+" approved: alice may use prod until ") {
		t.Errorf("approve output: %s", r.stdout)
	}
	v := alice.wantStatus(id, "approved")
	windowEnd := mustParseTime(t, v["window_end"].(string))

	r = alice.mustRun("exec", "prod", "--", "env")
	if !strings.HasPrefix(envOf(r.stdout)["AWS_ACCESS_KEY_ID"], "ASIA") {
		t.Errorf("no credentials in the environment: %s", r.stdout)
	}
	if exp := credentialExpiration(t, r.stdout); exp.After(windowEnd) {
		t.Errorf("credentials expire at %s, after the approval window ends at %s", exp, windowEnd)
	}
	call := w.lastAssume()
	if call.Params.Get("RoleArn") != "arn:aws:iam::111122223333:role/prod" {
		t.Errorf("RoleArn %q", call.Params.Get("RoleArn"))
	}
	si := w.wantSourceIdentity("alice", "apr-"+id)

	wantFields(t, "alice's decision", alice.lastDecision(), map[string]any{
		"effect": "allow", "policy_effect": "require_approval", "rule": "prod-needs-approval",
		"profile": "prod", "user": "alice", "approval_id": id, "source_identity": si,
	})
	wantFields(t, "request.created", alice.lifecycleEntry("request.created", id), map[string]any{
		"actor": "alice", "actor_arn": alice.arn, "profile": "prod", "status": "pending", "justification": justification,
	})
	wantFields(t, "request.approved", bob.lifecycleEntry("request.approved", id), map[string]any{
		"actor": "bob", "actor_arn": bob.arn, "profile": "prod", "status": "approved", "comment": "ok",
	})

	// credential_process is lifted by the same approval, from the cache
	// that exec filled: the same credentials, no new STS call.
	before := len(w.sts.Calls())
	doc := decodeObject(t, alice.mustRun("credentials", "prod").stdout)
	if doc["AccessKeyId"] != envOf(r.stdout)["AWS_ACCESS_KEY_ID"] {
		t.Errorf("credentials prod returned other credentials than exec: %v", doc)
	}
	if n := len(w.sts.Calls()) - before; n != 0 {
		t.Errorf("credentials made %d STS calls, want the cached set", n)
	}
	wantFields(t, "credential_process decision", alice.lastDecision(), map[string]any{
		"effect": "allow", "mode": "credential_process", "approval_id": id, "source_identity": si, "cached": true,
	})

	alice.mustRun("log", "verify")
	bob.mustRun("log", "verify")
}

func TestApprovalEndsWhenThePolicyDropsItsRule(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, bob := w.newPerson("alice"), w.newPerson("bob")
	id := alice.newRequest("prod")
	bob.mustRun("approve", id)
	alice.mustRun("exec", "prod", "--", "true")

	// Without an approval rule for prod (and without its break-glass rule),
	// the approved request lifts nothing, even with credentials cached.
	noOverride := approvalsPolicy
	for _, edit := range [][2]string{
		{"profiles: [prod, staging]", "profiles: [staging]"},
		{"profiles: [prod]\n    users: [alice, bob]", "profiles: [dev]\n    users: [alice, bob]"},
	} {
		if !strings.Contains(noOverride, edit[0]) {
			t.Fatalf("policy has no %q to edit", edit[0])
		}
		noOverride = strings.Replace(noOverride, edit[0], edit[1], 1)
	}
	w.setPolicy(noOverride)
	alice.mustFail(`access to profile prod denied for alice.*\n.*hint: no approval rule in the policy covers this profile`, "exec", "prod", "--", "true")
	if d := alice.lastDecision(); d["effect"] != "deny" || d["approval_id"] != nil || d["cached"] != nil {
		t.Errorf("decision: %v", d)
	}
	w.setPolicy(approvalsPolicy)
	alice.mustRun("exec", "prod", "--", "true")
}

func TestActorComesFromTheIdentityProfile(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, carol := w.newPerson("alice"), w.newPerson("carol")
	// carol's machine also holds, under profile "work", keys that STS says
	// belong to bob: whoever those keys are, that is who acts.
	const bobKey = "AKIAFAKEWORKBOB0"
	w.sts.AddUser(bobKey, "arn:aws:iam::"+account+":user/bob", account)
	carol.writeFile(".aws/config", defaultAWSConfig+"\n[profile work]\nregion = eu-west-1\n")
	carol.addKeys("work", bobKey)

	id := alice.newRequest("prod")
	carol.mustFail(`^sentinel: carol is not an approver for profile prod`, "approve", id)
	carol.mustRun("--identity-profile", "work", "approve", id, "--comment", "from the work profile")
	v := alice.wantStatus(id, "approved")
	if rv := v["reviews"].([]any); len(rv) != 1 || rv[0].(map[string]any)["user"] != "bob" {
		t.Errorf("reviews: %v", rv)
	}
	wantFields(t, "request.approved on carol's machine", carol.lifecycleEntry("request.approved", id), map[string]any{
		"actor": "bob", "actor_arn": "arn:aws:iam::" + account + ":user/bob",
	})

	// identity_profile in the config does the same as the flag.
	carol.writeFile(".config/sentinel/config.yaml", "policy: "+w.policy+"\n"+w.storeYAML+"identity_profile: work\n")
	other := alice.newRequest("prod")
	carol.mustRun("deny", other)
	if rv := alice.requestView(other)["reviews"].([]any); len(rv) != 1 || rv[0].(map[string]any)["user"] != "bob" {
		t.Errorf("reviews: %v", rv)
	}
	carol.mustFail(`profile "nosuchprofile" not found`, "--identity-profile", "nosuchprofile", "requests")
}

func TestApprovalReviewRules(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, bob, carol := w.newPerson("alice"), w.newPerson("bob"), w.newPerson("carol")

	// alice is an approver of prod, but never of her own request.
	id := alice.newRequest("prod")
	alice.mustFail(`^sentinel: .*alice cannot approve their own request `+id, "approve", id)
	// carol is no approver of prod.
	carol.mustFail(`^sentinel: carol is not an approver for profile prod \(rule prod-second-person\)`, "approve", id)
	carol.mustFail(`^sentinel: carol is not an approver for profile prod`, "deny", id)
	v := alice.wantStatus(id, "pending")
	if v["approvals"] != float64(0) || len(v["reviews"].([]any)) != 0 {
		t.Errorf("refused reviews changed the request: %v", v)
	}
	// Nobody may cancel a request but its requester.
	bob.mustFail(`may not cancel request `+id+`: only its requester alice may`, "requests", "cancel", id)
	alice.wantStatus(id, "pending")
	r := alice.mustRun("requests", "cancel", id)
	if !strings.Contains(r.stdout, "Request "+id+" cancelled.") {
		t.Errorf("cancel output: %s", r.stdout)
	}
	alice.wantStatus(id, "cancelled")
	wantFields(t, "request.cancelled", alice.lifecycleEntry("request.cancelled", id), map[string]any{"actor": "alice", "status": "cancelled"})
	bob.mustFail(`cannot approve request `+id+`: it is cancelled`, "approve", id)

	// Two approvals are two people: bob counts once.
	two := alice.newRequest("audit")
	r = bob.mustRun("approve", two)
	if !strings.Contains(r.stdout, "Approval recorded: 1 of 2 required") {
		t.Errorf("first of two approvals: %s", r.stdout)
	}
	bob.mustFail(`bob has already reviewed request `+two, "approve", two)
	if v := alice.wantStatus(two, "pending"); v["approvals"] != float64(1) {
		t.Errorf("after bob's repeat: %v", v)
	}
	alice.mustFail(`denied for alice`, "exec", "audit", "--", "true")
	carol.mustRun("approve", two, "--comment", "second pair of eyes")
	if v := alice.wantStatus(two, "approved"); v["approvals"] != float64(2) {
		t.Errorf("after carol: %v", v)
	}
	alice.mustRun("exec", "audit", "--", "true")
	if d := alice.lastDecision(); d["approval_id"] != two || d["effect"] != "allow" {
		t.Errorf("decision after two approvals: %v", d)
	}

	// A denial ends the request; alice is still denied.
	denied := alice.newRequest("prod")
	r = bob.mustRun("deny", denied, "--comment", "not during the freeze")
	if !strings.Contains(r.stdout, "Request "+denied+" denied.") {
		t.Errorf("deny output: %s", r.stdout)
	}
	alice.wantStatus(denied, "denied")
	wantFields(t, "request.denied", bob.lifecycleEntry("request.denied", denied), map[string]any{"actor": "bob", "comment": "not during the freeze"})
	alice.mustFail(`access to profile prod denied for alice`, "exec", "prod", "--", "true")
	if d := alice.lastDecision(); d["effect"] != "deny" || d["approval_id"] != nil {
		t.Errorf("decision after a denial: %v", d)
	}
	bob.mustFail(`cannot approve request `+denied+`: it is denied`, "approve", denied)

	alice.mustFail(`no request with ID 0123456789abcdef\n.*hint: check the ID`, "requests", "show", "0123456789abcdef")
	for _, args := range [][]string{{"approve", "../" + id}, {"deny", ""}, {"requests", "cancel", strings.Repeat("f", 500)}, {"requests", "show", strings.ToUpper(id)}} {
		r := bob.mustFail(`^sentinel: request not found: ".*"(\.\.\.)? is not a request ID \(16 hex digits`, args...)
		if len(r.stderr) > 200 {
			t.Errorf("error echoes the whole argument back: %s", r.stderr)
		}
	}
}

func TestApprovalWindowEnds(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, bob := w.newPerson("alice"), w.newPerson("bob")

	// A window that closed a minute ago lifts nothing.
	past := alice.newRequest("prod")
	bob.mustRun("approve", past)
	w.editRequest(past, func(r *request.Request) { r.DecidedAt = r.DecidedAt.Add(-r.Duration - time.Minute) })
	alice.mustFail(`access to profile prod denied for alice.*\n.*hint: ask for approval`, "exec", "prod", "--", "true")
	if d := alice.lastDecision(); d["effect"] != "deny" || d["approval_id"] != nil {
		t.Errorf("decision with a closed window: %v", d)
	}
	if out := alice.mustRun("requests", "show", past).stdout; !strings.Contains(out, "Status:        approved (ended)") {
		t.Errorf("a closed approval is not shown as ended:\n%s", out)
	}
	if out := alice.mustRun("requests", "show", past, "--output", "json").stdout; !strings.Contains(out, `"access_active": false`) {
		t.Errorf("a closed approval is not marked inactive in JSON:\n%s", out)
	}

	// Ten minutes left is less than the shortest credentials STS issues:
	// refused, saying when the window ends.
	short := alice.newRequest("prod", "--duration", "30m")
	bob.mustRun("approve", short)
	var end time.Time
	w.editRequest(short, func(r *request.Request) {
		r.DecidedAt = r.DecidedAt.Add(-20 * time.Minute)
		end = r.DecidedAt.Add(r.Duration).UTC()
	})
	alice.mustFail(`approval `+short+` ends at `+regexp.QuoteMeta(end.Format(time.RFC3339))+` \(9m5\d+s left\), shorter than the 15m minimum`, "exec", "prod", "--", "true")
	if d := alice.lastDecision(); d["effect"] != "deny" || d["approval_id"] != short {
		t.Errorf("decision with ten minutes left: %v", d)
	}
	if n := len(w.assumeCalls()); n != 0 {
		t.Errorf("%d AssumeRole calls, want none", n)
	}

	// A request nobody reviewed in time expires: the first person to
	// touch it records that, and it lists as expired from then on.
	lapsed := alice.newRequest("prod")
	w.editRequest(lapsed, func(r *request.Request) {
		r.CreatedAt = r.CreatedAt.Add(-25 * time.Hour)
		r.ExpiresAt = r.ExpiresAt.Add(-25 * time.Hour)
	})
	alice.wantStatus(lapsed, "expired")
	if got := ids(decodeList(t, alice.mustRun("requests", "--status", "expired", "--output", "json").stdout)); !slices.Equal(got, []string{lapsed}) {
		t.Errorf("expired before anyone touched it: %v, want [%s]", got, lapsed)
	}
	bob.mustFail(`request `+lapsed+` expired at .*: ask again with `+"`sentinel request prod`", "approve", lapsed)
	wantFields(t, "request.expired", bob.lifecycleEntry("request.expired", lapsed), map[string]any{"actor": "bob", "status": "expired", "profile": "prod"})
	alice.wantStatus(lapsed, "expired")
	if got := ids(decodeList(t, alice.mustRun("requests", "--status", "expired", "--output", "json").stdout)); !slices.Equal(got, []string{lapsed}) {
		t.Errorf("expired after bob touched it: %v, want [%s]", got, lapsed)
	}
	alice.mustFail(`cannot cancel request `+lapsed+`: it is expired`, "requests", "cancel", lapsed)
}

func TestApprovalAutoApprove(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	carol := w.newPerson("carol")

	// Longer than auto_approve's max_duration: a human must decide.
	carol.wantStatus(carol.newRequest("prod", "--duration", "1h"), "pending")
	carol.mustFail(`denied for carol`, "exec", "prod", "--", "true")

	r := carol.mustRun("request", "prod", "--justification", justification, "--duration", "30m")
	id := firstLine(r.stdout)
	if !strings.Contains(r.stdout, "Request "+id+" for prod was auto-approved by the policy") {
		t.Errorf("request output: %s", r.stdout)
	}
	if v := carol.wantStatus(id, "approved"); v["auto_approved"] != true {
		t.Errorf("not marked auto-approved: %v", v)
	}
	carol.mustRun("exec", "prod", "--", "true")
	w.wantSourceIdentity("carol", "apr-"+id)
	if d := carol.lastDecision(); d["approval_id"] != id || d["effect"] != "allow" {
		t.Errorf("decision: %v", d)
	}
	wantFields(t, "auto request.approved", carol.lifecycleEntry("request.approved", id), map[string]any{
		"actor": "sentinel:auto-approve", "comment": "auto-approved by rule prod-second-person", "status": "approved",
	})
}

func TestApprovalCapsCredentialsToTheWindow(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, bob := w.newPerson("alice"), w.newPerson("bob")

	id := alice.newRequest("prod", "--duration", "30m")
	bob.mustRun("approve", id)
	windowEnd := mustParseTime(t, alice.requestView(id)["window_end"].(string))

	r := alice.mustRun("exec", "--duration", "2h", "prod", "--", "env")
	if got := durationSeconds(t, w.lastAssume()); got > 1800 || got < 1700 {
		t.Errorf("DurationSeconds %d, want the 30m window's remainder (<= 1800)", got)
	}
	if exp := credentialExpiration(t, r.stdout); exp.After(windowEnd) {
		t.Errorf("AWS_CREDENTIAL_EXPIRATION %s is after the window end %s", exp, windowEnd)
	}
	d := alice.lastDecision()
	if d["approval_id"] != id || d["duration_seconds"].(float64) > 1800 {
		t.Errorf("decision: %v", d)
	}
}

func TestRequireServerIsNeverLifted(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, bob := w.newPerson("alice"), w.newPerson("bob")

	// A request for staging cannot be filed: no mode gives alice
	// require_approval there, so no approval could be used.
	alice.mustFail(`^sentinel: staging needs server mode for alice by rule staging-server-only; an approval cannot lift require_server\n$`, "request", "staging", "--justification", justification)
	// One filed and approved while the policy said require_approval still
	// lifts nothing once the policy says require_server again.
	w.setPolicy(strings.Replace(approvalsPolicy, "effect: require_server", "effect: require_approval", 1))
	id := alice.newRequest("staging")
	bob.mustRun("approve", id)
	alice.wantStatus(id, "approved")
	w.setPolicy(approvalsPolicy)
	alice.mustFail(`staging is served by the credential server.*\n.*hint: .*sentinel exec --server staging`, "exec", "staging", "--", "true")
	d := alice.lastDecision()
	if d["effect"] != "deny" || d["policy_effect"] != "require_server" || d["approval_id"] != nil {
		t.Errorf("decision: %v", d)
	}
	if n := len(w.assumeCalls()); n != 0 {
		t.Errorf("%d AssumeRole calls, want none", n)
	}
}

func TestRequestsListing(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, bob := w.newPerson("alice"), w.newPerson("bob")

	prod := alice.newRequest("prod")
	audit := alice.newRequest("audit")
	bobs := bob.newRequest("prod")
	alice.mustRun("approve", bobs)

	list := func(p *person, args ...string) []string {
		t.Helper()
		return ids(decodeList(t, p.mustRun(append([]string{"requests", "list", "--output", "json"}, args...)...).stdout))
	}
	tests := []struct {
		name string
		who  *person
		args []string
		want []string
	}{
		{"own by default, newest first", alice, nil, []string{audit, prod}},
		{"bob's own", bob, nil, []string{bobs}},
		{"everyone's pending", bob, []string{"--status", "pending"}, []string{audit, prod}},
		{"approved", alice, []string{"--status", "approved"}, []string{bobs}},
		{"by profile", alice, []string{"--profile", "prod"}, []string{bobs, prod}},
		{"by requester", alice, []string{"--requester", "bob"}, []string{bobs}},
		{"profile and status", alice, []string{"--profile", "prod", "--status", "pending"}, []string{prod}},
		{"nothing matches", alice, []string{"--status", "denied"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := list(tt.who, tt.args...); !slices.Equal(got, tt.want) {
				t.Errorf("requests list %v as %s = %v, want %v", tt.args, tt.who.name, got, tt.want)
			}
		})
	}

	// The bare command is `requests list`, as a table.
	r := alice.mustRun("requests")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") || !strings.HasPrefix(lines[1], audit) || !strings.Contains(lines[2], "pending") {
		t.Errorf("requests table:\n%s", r.stdout)
	}
	r = alice.mustRun("requests", "show", bobs)
	for _, want := range []string{"ID:            " + bobs, "Status:        approved", "Requester:     bob (" + bob.arn + ", account 111122223333)", "Access until:", "Review:        approve by alice"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("requests show lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestDeadStoreFailsClosed(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	// The store's directory cannot be created: its parent is a file.
	blocker := filepath.Join(w.dir, "not-a-directory")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w.storePath = filepath.Join(blocker, "state", "state.db")
	w.storeYAML = "store:\n  backend: local\n  path: " + w.storePath + "\n"
	alice := w.newPerson("alice")

	alice.mustFail(`^sentinel: the approval store could not be reached: `, "exec", "prod", "--", "true")
	d := alice.lastDecision()
	if d["effect"] != "deny" || d["profile"] != "prod" || !strings.Contains(d["reason"].(string), "could not be reached") {
		t.Errorf("decision: %v", d)
	}
	alice.mustFail(`store request: .*|local store`, "request", "prod", "--justification", justification)
	// A profile the policy allows reads the store too, for a block on the
	// caller, after STS answered: with the store dead that read fails, and
	// nothing is handed out.
	alice.mustFail(`^sentinel: the session store could not be reached: `, "exec", "dev", "--", "true")
	if n := len(w.assumeCalls()); n != 1 {
		t.Errorf("%d AssumeRole calls, want only dev's", n)
	}
}
