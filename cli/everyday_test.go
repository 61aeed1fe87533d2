package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/sentinel-cli/sentinel/logging"
)

func TestEditDistanceAndNearest(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"exec", "exec", 0}, {"exce", "exec", 2}, {"kitten", "sitting", 3}, {"", "abc", 3}, {"é", "e", 1}} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	cmds := []string{"exec", "credentials", "request", "requests", "whoami", "doctor", "policy"}
	for word, want := range map[string]string{
		"exce": "exec", "ex": "exec", "requets": "requests", "docter": "doctor", "whoamii": "whoami",
		"xyzzy": "", "credentails": "credentials", "": "",
	} {
		if got := nearest(word, cmds); got != want {
			t.Errorf("nearest(%q) = %q, want %q", word, got, want)
		}
	}
}

func TestSuggest(t *testing.T) {
	app := kingpin.New("sentinel", "test")
	app.Terminate(nil)
	Configure(app, &bytes.Buffer{}, &bytes.Buffer{})
	cases := []struct {
		args []string
		hint string
	}{
		{[]string{"exce", "dev"}, "did you mean exec?"},
		{[]string{"policy", "tets"}, "did you mean test?"},
		{[]string{"sessions", "revok", "x"}, "did you mean revoke?"},
		{[]string{"doctor", "--outptu", "json"}, "did you mean --output?"},
		{[]string{"frobnicate"}, "see sentinel --help"},
		{[]string{"--config", "x.yaml", "plicy", "check"}, "did you mean policy?"},
		{[]string{"--debug", "sesions"}, "did you mean sessions?"},
	}
	for _, c := range cases {
		_, err := app.Parse(c.args)
		if err == nil {
			t.Fatalf("%v parsed", c.args)
		}
		var stderr bytes.Buffer
		Report(&stderr, Suggest(app, c.args, err))
		if !strings.Contains(stderr.String(), "sentinel: hint: "+c.hint) {
			t.Errorf("%v: %q, want hint %q", c.args, stderr.String(), c.hint)
		}
	}
	other := errors.New("required argument 'profile' not provided")
	if got := Suggest(app, nil, other); got != other {
		t.Errorf("Suggest changed an unrelated error: %v", got)
	}
}

func TestHumanDurations(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 42 * time.Second: "42s", 42*time.Minute + 59*time.Second: "42m", time.Hour: "1h",
		90 * time.Minute: "1h30m", 24 * time.Hour: "1d", 51 * time.Hour: "2d3h", -5 * time.Minute: "5m",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%s) = %q, want %q", d, got, want)
		}
	}
	now := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	for t2, want := range map[time.Time]string{
		now.Add(42 * time.Minute): "in 42m", now.Add(-3 * time.Minute): "3m ago", now: "now", {}: "-",
	} {
		if got := relativeTime(t2, now); got != want {
			t.Errorf("relativeTime(%s) = %q, want %q", t2, got, want)
		}
	}
}

func TestColour(t *testing.T) {
	if !colourDisabled(func(k string) string { return map[string]string{"NO_COLOR": "1"}[k] }) ||
		!colourDisabled(func(k string) string { return map[string]string{"TERM": "dumb"}[k] }) ||
		colourDisabled(func(string) string { return "" }) {
		t.Error("colourDisabled ignores NO_COLOR or TERM=dumb")
	}
	g := &Globals{Stdout: &bytes.Buffer{}}
	if got := g.colours().red("FAIL"); got != "FAIL" {
		t.Errorf("colour on a buffer: %q", got)
	}
	if got := (palette{on: true}).red("FAIL"); got != "\x1b[31mFAIL\x1b[0m" {
		t.Errorf("red = %q", got)
	}
}

func TestReplaySince(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "36h": 36 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := replaySince(in); err != nil || got != want {
			t.Errorf("replaySince(%q) = %s, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "0d", "-1h", "7days", "d", "99999d", "0s"} {
		if _, err := replaySince(bad); err == nil {
			t.Errorf("replaySince(%q) accepted", bad)
		}
	}
}

const replayOld = `version: "1"
accounts: ["111122223333"]
rules:
  - name: dev
    effect: allow
    conditions: {profiles: [dev]}
  - name: prod
    effect: require_approval
    conditions: {profiles: [prod]}
tests:
  - {name: dev open, user: alice, profile: dev, effect: allow, rule: dev}
  - {name: prod gated, user: alice, profile: prod, effect: require_approval, rule: prod}
`

// writeLog writes a real chained log with a decision per profile and
// returns its path.
func writeLog(t *testing.T, dir string, at time.Time, decisions [][2]string) string {
	t.Helper()
	path := filepath.Join(dir, "decisions.jsonl")
	l, err := logging.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i, d := range decisions {
		e := &logging.Entry{Time: at.Add(time.Duration(i) * time.Minute), Event: logging.EventDecision, RequestID: fmt.Sprintf("req%d", i),
			User: "alice", PrincipalARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333", Profile: d[0], Mode: "cli",
			PolicyEffect: d[1], Effect: "deny", Rule: d[0]}
		if err := l.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Append(&logging.Entry{Time: at, Event: logging.EventRequestCreated, Actor: "alice", Subject: "x"}); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPolicyReplayCommand(t *testing.T) {
	dir := policyEnv(t)
	logPath := writeLog(t, dir, time.Now().Add(-time.Hour), [][2]string{{"dev", "allow"}, {"prod", "require_approval"}, {"dev", "allow"}})
	// An old decision, outside --since.
	same := writePolicy(t, dir, "same.yaml", replayOld)
	out, stderr, code := runPolicyCLI(t, "policy", "replay", same, "--log", logPath)
	if code != 0 || !strings.Contains(out, "0 of 3 decisions in the last 7d would change") {
		t.Fatalf("replay of the same policy: %d\n%s%s", code, out, stderr)
	}
	closed := writePolicy(t, dir, "closed.yaml", strings.Replace(replayOld, "    effect: allow\n    conditions: {profiles: [dev]}", "    effect: deny\n    conditions: {profiles: [dev]}", 1))
	out, stderr, code = runPolicyCLI(t, "policy", "replay", closed, "--log", logPath)
	if code != 2 || !strings.Contains(out, "2 of 3 decisions") || !strings.Contains(out, "allow (dev)") || !strings.Contains(out, "deny (dev)") {
		t.Fatalf("replay of a policy closing dev: %d\n%s%s", code, out, stderr)
	}
	out, _, code = runPolicyCLI(t, "policy", "replay", closed, "--log", logPath, "--output", "json")
	var views []policyReplayView
	if err := json.Unmarshal([]byte(out), &views); err != nil || code != 2 || len(views) != 2 {
		t.Fatalf("replay JSON: %v %d\n%s", err, code, out)
	}
	if v := views[0]; v.RequestID != "req0" || v.OldEffect != "allow" || v.NewEffect != "deny" || v.Profile != "dev" || v.PrincipalARN == "" {
		t.Errorf("replay JSON view: %+v", v)
	}
	_, _, code = runPolicyCLI(t, "policy", "replay", closed, "--log", logPath, "--since", "1m")
	if code != 0 {
		t.Errorf("decisions older than --since were replayed")
	}
	_, stderr, code = runPolicyCLI(t, "policy", "replay", closed, "--log", filepath.Join(dir, "none.jsonl"))
	if code != 1 || !strings.Contains(stderr, "no such file") {
		t.Errorf("missing log: %d %s", code, stderr)
	}
	// A line that is not an entry is counted, not fatal.
	f, _ := os.OpenFile(logPath, os.O_APPEND|os.O_WRONLY, 0o600)
	f.WriteString("not json\n")
	f.Close()
	_, stderr, _ = runPolicyCLI(t, "policy", "replay", same, "--log", logPath)
	if !strings.Contains(stderr, "skipped 1 line(s)") {
		t.Errorf("stderr = %q", stderr)
	}
}

func TestPolicyTestCommand(t *testing.T) {
	dir := policyEnv(t)
	good := writePolicy(t, dir, "good.yaml", replayOld)
	out, _, code := runPolicyCLI(t, "policy", "test", good)
	if code != 0 || !strings.HasSuffix(out, ": 2 passed, 0 failed\n") {
		t.Fatalf("policy test: %d %q", code, out)
	}
	bad := writePolicy(t, dir, "bad.yaml", strings.Replace(replayOld, "profile: prod, effect: require_approval, rule: prod", "profile: prod, effect: allow, rule: dev", 1))
	out, _, code = runPolicyCLI(t, "policy", "test", bad)
	for _, want := range []string{
		"FAIL " + bad + ":12: prod gated: effect is require_approval, want allow; rule is \"prod\", want \"dev\"",
		"decided by rule \"prod\" (index 1): require_approval",
		"rule \"dev\" (index 0) did not match: profile \"prod\" not in [dev]",
		": 1 passed, 1 failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	out, _, _ = runPolicyCLI(t, "policy", "test", bad, "--output", "json")
	var views []policyTestView
	if err := json.Unmarshal([]byte(out), &views); err != nil || len(views) != 2 || !views[0].Passed || views[1].Passed || len(views[1].Misses) != 1 {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	none := writePolicy(t, dir, "none.yaml", "version: \"1\"\nrules: [{name: a, effect: allow}]\n")
	_, stderr, code := runPolicyCLI(t, "policy", "test", none)
	if code != 1 || !strings.Contains(stderr, "has no tests: section") {
		t.Errorf("no tests: %d %q", code, stderr)
	}
	invalid := writePolicy(t, dir, "invalid.yaml", replayOld+"  - {name: x, user: alice, profile: dev, effect: allow, rule: nope}\n")
	_, stderr, code = runPolicyCLI(t, "policy", "test", invalid)
	if code != 1 || !strings.Contains(stderr, `no rule is named "nope"`) {
		t.Errorf("invalid test: %d %q", code, stderr)
	}
}
