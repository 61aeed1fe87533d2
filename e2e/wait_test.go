package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/store/local"
)

// background is a sentinel process running while the test does other
// things (a requester waiting while an approver acts).
type background struct {
	cmd         *exec.Cmd
	out, errOut bytes.Buffer
	done        chan struct{}
	res         result
}

// start runs sentinel as p without waiting for it.
func (p *person) start(args ...string) *background {
	p.t.Helper()
	b := &background{cmd: exec.Command(sentinelBin, args...), done: make(chan struct{})}
	b.cmd.Env = p.env()
	b.cmd.Stdout, b.cmd.Stderr = &b.out, &b.errOut
	if err := b.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	go func() {
		err := b.cmd.Wait()
		b.res = result{stdout: b.out.String(), stderr: b.errOut.String()}
		if ee, ok := err.(*exec.ExitError); ok {
			b.res.code = ee.ExitCode()
		} else if err != nil {
			b.res.code = -1
		}
		close(b.done)
	}()
	p.t.Cleanup(func() {
		select {
		case <-b.done:
		default:
			_ = b.cmd.Process.Kill()
			<-b.done
		}
	})
	return b
}

// wait returns the process's result, failing the test after limit.
func (b *background) wait(t *testing.T, limit time.Duration) result {
	t.Helper()
	select {
	case <-b.done:
		return b.res
	case <-time.After(limit):
		t.Fatalf("sentinel %v still running after %s", b.cmd.Args[1:], limit)
	}
	return result{}
}

// pendingOf waits until p sees exactly one pending request of requester's
// and returns its ID.
func (p *person) pendingOf(t *testing.T, requester string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		list := decodeList(t, p.mustRun("requests", "--status", "pending", "--requester", requester, "--output", "json").stdout)
		if len(list) == 1 {
			return list[0]["id"].(string)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no pending request of %s appeared", requester)
	return ""
}

const fastPoll = "--poll-interval=100ms"

func TestRequestWaitApprovedByAnotherProcess(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, bob := w.newPerson("alice"), w.newPerson("bob")

	waiting := alice.start("request", "prod", "--justification", justification, "--wait", "--timeout", "1m", fastPoll)
	id := bob.pendingOf(t, "alice")
	time.Sleep(300 * time.Millisecond) // alice polls a few times first
	bob.mustRun("approve", id, "--comment", "go ahead")
	r := waiting.wait(t, 20*time.Second)
	if r.code != 0 {
		t.Fatalf("wait: %s", r)
	}
	if firstLine(r.stdout) != id || !strings.Contains(r.stdout, "Request "+id+" approved by bob: access to prod until ") {
		t.Errorf("stdout: %s", r.stdout)
	}
	// No terminal: one plain line, no spinner frames.
	if strings.Contains(r.stderr, "\r") || !strings.Contains(r.stderr, "waiting for a decision on request "+id) {
		t.Errorf("stderr: %q", r.stderr)
	}
	alice.mustRun("exec", "prod", "--", "true")
}

func TestRequestWaitDeniedExits2(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, bob := w.newPerson("alice"), w.newPerson("bob")

	waiting := alice.start("request", "prod", "--justification", justification, "--wait", fastPoll, "--output", "json")
	id := bob.pendingOf(t, "alice")
	bob.mustRun("deny", id, "--comment", "not during the freeze")
	r := waiting.wait(t, 20*time.Second)
	if r.code != 2 {
		t.Fatalf("want exit 2: %s", r)
	}
	checkOneLineError(t, lastLines(r.stderr, 1), `^sentinel: request `+id+` was denied by bob: not during the freeze`)
	if v := decodeObject(t, r.stdout); v["status"] != "denied" || v["id"] != id {
		t.Errorf("json: %v", v)
	}

	// A cancellation ends the wait the same way.
	waiting = alice.start("request", "prod", "--justification", justification, "--wait", fastPoll)
	id = bob.pendingOf(t, "alice")
	alice.mustRun("requests", "cancel", id[:8])
	if r := waiting.wait(t, 20*time.Second); r.code != 2 || !strings.Contains(r.stderr, "request "+id+" was cancelled") {
		t.Fatalf("want exit 2 on cancel: %s", r)
	}
}

func TestRequestWaitTimesOutWithExit3(t *testing.T) {
	_, alice := newWorldWithAlice(t, approvalsPolicy)
	r := alice.run("request", "prod", "--justification", justification, "--wait", "--timeout", "400ms", fastPoll)
	if r.code != 3 {
		t.Fatalf("want exit 3: %s", r)
	}
	id := firstLine(r.stdout)
	if !strings.Contains(r.stderr, "gave up waiting after 400ms: request "+id+" is still pending") {
		t.Errorf("stderr: %s", r.stderr)
	}
	alice.wantStatus(id, "pending")
	alice.mustFail(`--timeout 0s: give a positive duration`, "request", "prod", "--justification", justification, "--wait", "--timeout", "0s")
}

func TestExecRequestWaitsThenRuns(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, bob := w.newPerson("alice"), w.newPerson("bob")

	running := alice.start("exec", "prod", "--request", justification, fastPoll, "--", "env")
	id := bob.pendingOf(t, "alice")
	bob.mustRun("approve", id, "--yes")
	r := running.wait(t, 20*time.Second)
	if r.code != 0 {
		t.Fatalf("exec --request: %s", r)
	}
	if !strings.HasPrefix(envOf(r.stdout)["AWS_ACCESS_KEY_ID"], "ASIA") {
		t.Errorf("no credentials in the child's environment: %s", r.stdout)
	}
	if strings.Contains(r.stdout, "sentinel") && strings.Contains(r.stdout, "pending") {
		t.Errorf("sentinel's words went to the child's stdout: %s", r.stdout)
	}
	if d := alice.lastDecision(); d["approval_id"] != id || d["effect"] != "allow" {
		t.Errorf("decision: %v", d)
	}

	// Denied: the command never runs, exit 2.
	running = alice.start("exec", "audit", "--request", justification, fastPoll, "--", "env")
	id = bob.pendingOf(t, "alice")
	bob.mustRun("deny", id)
	if r := running.wait(t, 20*time.Second); r.code != 2 || strings.Contains(r.stdout, "AWS_ACCESS_KEY_ID") {
		t.Fatalf("denied exec --request: %s", r)
	}
}

func TestDuplicatePendingRequest(t *testing.T) {
	_, alice := newWorldWithAlice(t, approvalsPolicy)
	id := alice.newRequest("prod")

	alice.mustFail(`^sentinel: request `+id+` for profile prod, created .*, is still pending\n.*hint: see it: sentinel requests show `+id+`.*--force`,
		"request", "prod", "--justification", justification)
	if list := decodeList(t, alice.mustRun("requests", "--output", "json").stdout); len(list) != 1 {
		t.Fatalf("the refused duplicate was stored: %v", ids(list))
	}
	// Another profile is no duplicate; --force files a second one.
	alice.newRequest("audit")
	second := alice.newRequest("prod", "--force")
	if second == id {
		t.Fatal("same ID")
	}

	// The denial names the pending request instead of inviting another.
	alice.mustFail(`access to profile prod denied for alice.*\n.*hint: your request `+second+` for prod, filed .* ago, is still pending \(0 of 1 approvals\) and can be approved by alice, bob; see it: sentinel requests show `+second,
		"exec", "prod", "--", "true")
	// Without a pending request the hint invites one.
	alice.mustRun("requests", "cancel", id)
	alice.mustRun("requests", "cancel", second)
	alice.mustFail(`denied for alice.*\n.*hint: ask for approval: sentinel request prod`, "exec", "prod", "--", "true")
}

func TestRequestsReviewable(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, bob, carol := w.newPerson("alice"), w.newPerson("bob"), w.newPerson("carol")
	aliceProd := alice.newRequest("prod")
	aliceAudit := alice.newRequest("audit")
	carolProd := carol.newRequest("prod", "--duration", "1h") // too long to auto-approve

	reviewable := func(p *person) []string {
		got := ids(decodeList(t, p.mustRun("requests", "--reviewable", "--output", "json").stdout))
		slices.Sort(got)
		return got
	}
	sorted := func(s ...string) []string { slices.Sort(s); return s }
	if got, want := reviewable(bob), sorted(aliceProd, aliceAudit, carolProd); !slices.Equal(got, want) {
		t.Errorf("bob may review %v, want %v", got, want)
	}
	if got, want := reviewable(carol), sorted(aliceAudit); !slices.Equal(got, want) {
		t.Errorf("carol may review %v, want %v (never her own, not prod)", got, want)
	}
	if got, want := reviewable(alice), sorted(carolProd); !slices.Equal(got, want) {
		t.Errorf("alice may review %v, want %v", got, want)
	}
	// Once bob approved audit (one of two), it is no longer his to review.
	bob.mustRun("approve", aliceAudit)
	if got, want := reviewable(bob), sorted(aliceProd, carolProd); !slices.Equal(got, want) {
		t.Errorf("bob after approving: %v, want %v", got, want)
	}
	table := bob.mustRun("requests", "--reviewable").stdout
	if !strings.Contains(table, aliceProd) || strings.Contains(table, aliceAudit) {
		t.Errorf("table: %s", table)
	}
	bob.mustFail(`--reviewable lists pending requests`, "requests", "--reviewable", "--profile", "prod")
}

// plantRequest stores a pending request with a chosen ID, as a harness
// standing in for two random IDs that happen to share a prefix.
func (w *world) plantRequest(id, requester, profile string) {
	w.t.Helper()
	s, err := local.Open(w.storePath, local.Options{})
	if err != nil {
		w.t.Fatal(err)
	}
	defer s.Close()
	r, err := request.New(request.NewParams{
		ID: id, Requester: requester, RequesterARN: "arn:aws:iam::" + account + ":user/" + requester, Profile: profile,
		RoleARN: "arn:aws:iam::" + account + ":role/" + profile, Justification: justification,
		Duration: time.Hour, MaxDuration: 4 * time.Hour, PendingTTL: 24 * time.Hour, Required: 1, Now: time.Now(),
	})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := s.Requests().Create(context.Background(), r); err != nil {
		w.t.Fatal(err)
	}
}

func TestRequestIDPrefixes(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, bob := w.newPerson("alice"), w.newPerson("bob")
	_ = alice
	w.plantRequest("abcdef0123456789", "alice", "prod")
	w.plantRequest("abcdef9876543210", "alice", "audit")

	bob.mustFail(`^sentinel: request ID prefix abcdef matches 2 requests: abcdef0123456789, abcdef9876543210\n.*hint: give more digits`, "approve", "abcdef")
	bob.mustFail(`is not a request ID \(16 hex digits, as .sentinel request. prints\) or a prefix of at least 6`, "approve", "abcde")
	bob.mustFail(`no request with ID 0000000\.\.\.`, "approve", "0000000")

	r := bob.mustRun("approve", "abcdef01", "--comment", "by prefix")
	// No terminal: the summary is printed, no question is asked.
	for _, want := range []string{
		"Approve request abcdef0123456789:", "Requester:     alice (arn:aws:iam::" + account + ":user/alice)",
		"Account:       " + account, "Profile:       prod", "Role:          arn:aws:iam::" + account + ":role/prod",
		"Duration:      1h0m0s", "Justification: " + justification, "Request abcdef0123456789 approved: alice may use prod",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("approve output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stderr, "[y/N]") {
		t.Errorf("asked without a terminal: %s", r.stderr)
	}
	alice.wantStatus("abcdef0123456789", "approved")
	// Now only one of them is pending, and the prefix is no longer
	// ambiguous for bob (he cannot list alice's approved request), but it
	// is for alice, who can list both.
	bob.mustRun("deny", "abcdef", "--yes")
	alice.wantStatus("abcdef9876543210", "denied")
	alice.mustFail(`matches 2 requests`, "requests", "show", "abcdef")
	if v := decodeObject(t, alice.mustRun("requests", "show", "abcdef98", "--output", "json").stdout); v["id"] != "abcdef9876543210" {
		t.Errorf("show by prefix: %v", v)
	}
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}

// onTerminal runs sentinel as p under script(1), which gives it a
// pseudo-terminal, with input typed on it.
func (p *person) onTerminal(t *testing.T, input string, args ...string) result {
	t.Helper()
	scriptBin, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) is not installed: no pseudo-terminal to test the prompt on")
	}
	cmd := exec.Command(scriptBin, "-qec", sentinelBin+" "+strings.Join(args, " "), "/dev/null")
	cmd.Env = p.env()
	cmd.Stdin = strings.NewReader(input)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	r := result{stdout: out.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestApproveAsksOnATerminal(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(approvalsPolicy)
	alice, bob := w.newPerson("alice"), w.newPerson("bob")
	id := alice.newRequest("prod")

	r := bob.onTerminal(t, "n\n", "approve", id)
	if r.code == 0 || !strings.Contains(r.stdout, "Approve request "+id+"? [y/N]") || !strings.Contains(r.stdout, "nothing done: not confirmed") {
		t.Fatalf("answering no: %s", r)
	}
	if !strings.Contains(r.stdout, "Justification: "+justification) {
		t.Errorf("no summary before the question: %s", r.stdout)
	}
	alice.wantStatus(id, "pending")

	r = bob.onTerminal(t, "y\n", "approve", id[:6])
	if r.code != 0 || !strings.Contains(r.stdout, "Request "+id+" approved") {
		t.Fatalf("answering yes: %s", r)
	}
	alice.wantStatus(id, "approved")

	other := alice.newRequest("audit")
	r = bob.onTerminal(t, "", "deny", other, "--yes")
	if r.code != 0 || strings.Contains(r.stdout, "[y/N]") {
		t.Fatalf("--yes on a terminal: %s", r)
	}
	alice.wantStatus(other, "denied")
}

func TestRequestWaitSpinsOnATerminal(t *testing.T) {
	_, alice := newWorldWithAlice(t, approvalsPolicy)
	r := alice.onTerminal(t, "", "request", "prod", "--justification", "'"+justification+"'", "--wait", "--timeout", "700ms", fastPoll)
	if r.code != 3 {
		t.Fatalf("want exit 3: %s", r)
	}
	if !strings.Contains(r.stdout, "\r| waiting for a decision on request ") || strings.Contains(r.stdout, "(up to 700ms)...") {
		t.Errorf("no spinner on a terminal: %q", r.stdout)
	}
}
