package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// loadError parses src and returns the *LoadError it must fail with.
func loadError(t *testing.T, src string) *LoadError {
	t.Helper()
	p, err := Parse([]byte(src), "test.yaml")
	if err == nil {
		t.Fatalf("Parse succeeded, want an error; rules: %+v", p.Rules)
	}
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("error is %T (%v), want *LoadError", err, err)
	}
	if p != nil {
		t.Errorf("Parse returned a policy together with an error")
	}
	return le
}

// mustParse parses src and fails the test on any error.
func mustParse(t testing.TB, src string) *Policy {
	t.Helper()
	p, err := Parse([]byte(src), "test.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

// rule0 wraps a rule body (indented four spaces) in a valid policy.
func rule0(body string) string {
	return "version: \"1\"\nrules:\n  - name: r\n" + body
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		line    int
		field   string
		message string
	}{
		// The document.
		{"empty file", "", 1, "", "empty policy file"},
		{"only comments", "# nothing yet\n", 1, "", "empty policy file"},
		{"syntax error", "version: \"1\"\nrules: [\n  - a\n", 2, "", "YAML syntax"},
		{"not a mapping", "- a\n- b\n", 1, "", "want a mapping, got a list"},
		{"two documents", "version: \"1\"\nrules: [{name: a, effect: allow}]\n---\nversion: \"1\"\n", 3, "", "a second YAML document"},
		{"missing version", "rules: [{name: a, effect: allow}]\n", 1, "version", "missing"},
		{"unsupported version", "version: \"2\"\nrules: [{name: a, effect: allow}]\n", 1, "version", `unsupported version "2"`},
		{"unquoted version", "version: 1\nrules: [{name: a, effect: allow}]\n", 1, "version", "quote it"},
		{"unknown top-level key", "version: \"1\"\nrule: []\nrules: [{name: a, effect: allow}]\n", 2, "rule", "unknown key (want version, accounts, profiles, rules, approvals, breakglass, tests)"},
		{"duplicate top-level key", "version: \"1\"\nversion: \"1\"\nrules: [{name: a, effect: allow}]\n", 2, "version", "duplicate key (first at line 1)"},
		{"missing rules", "version: \"1\"\n", 1, "rules", "missing"},
		{"empty rule list", "version: \"1\"\nrules: []\n", 2, "rules", "empty rule list"},
		{"null rules", "version: \"1\"\nrules:\n", 2, "rules", "want a list of rules, got nothing"},
		{"rule not a mapping", "version: \"1\"\nrules:\n  - allow\n", 3, "rules[0]", "want a mapping"},

		// A rule's own keys.
		{"missing name", "version: \"1\"\nrules:\n  - effect: allow\n", 3, "rules[0].name", "missing"},
		{"empty name", "version: \"1\"\nrules:\n  - name: \"\"\n    effect: allow\n", 3, "rules[0].name", "must not be empty"},
		{"missing effect", rule0("    reason: x\n"), 3, "rules[0].effect", "missing"},
		{"unknown effect", rule0("    effect: alow\n"), 4, "rules[0].effect", `unknown effect "alow" (want allow, deny, require_approval, require_server)`},
		{"effect not a string", rule0("    effect: [allow]\n"), 4, "rules[0].effect", "want a string, got a list"},
		{"unknown rule key", rule0("    effect: allow\n    efect: deny\n"), 5, "rules[0].efect", "unknown key (want name, effect, conditions, max_duration, reason)"},
		{"duplicate rule key", rule0("    effect: allow\n    effect: deny\n"), 5, "rules[0].effect", "duplicate key (first at line 4)"},
		{"duplicate rule name", rule0("    effect: allow\n  - name: r\n    effect: deny\n"), 5, "rules[1].name", `duplicate rule name "r" (first at line 3)`},
		{"reason not a string", rule0("    effect: allow\n    reason: {a: b}\n"), 5, "rules[0].reason", "want a string, got a mapping"},

		// Durations.
		{"bad duration", rule0("    effect: allow\n    max_duration: 1 hour\n"), 5, "rules[0].max_duration", `bad duration "1 hour"`},
		{"duration as a number", rule0("    effect: allow\n    max_duration: 3600\n"), 5, "rules[0].max_duration", "want a string, got the number 3600"},
		{"zero duration", rule0("    effect: allow\n    max_duration: 0s\n"), 5, "rules[0].max_duration", "must be more than 0"},
		{"negative duration", rule0("    effect: allow\n    max_duration: -1h\n"), 5, "rules[0].max_duration", "must be more than 0"},
		{"duration too short", rule0("    effect: allow\n    max_duration: 5m\n"), 5, "rules[0].max_duration", "outside 15m..12h"},
		{"duration too long", rule0("    effect: allow\n    max_duration: 13h\n"), 5, "rules[0].max_duration", "outside 15m..12h"},

		// Conditions.
		{"conditions not a mapping", rule0("    effect: allow\n    conditions: [dev]\n"), 5, "rules[0].conditions", "want a mapping, got a list"},
		{"null conditions", rule0("    effect: allow\n    conditions:\n"), 5, "rules[0].conditions", "want a mapping, got nothing"},
		{"unknown condition", rule0("    effect: allow\n    conditions:\n      profile: [dev]\n"), 6, "rules[0].conditions.profile", "unknown key (want profiles, users, roles, mode, time)"},
		{"empty profiles", rule0("    effect: allow\n    conditions:\n      profiles: []\n"), 6, "rules[0].conditions.profiles", "empty list (leave the key out to match anything)"},
		{"null profiles", rule0("    effect: allow\n    conditions:\n      profiles:\n"), 6, "rules[0].conditions.profiles", "want a list of strings, got nothing"},
		{"profiles not a list", rule0("    effect: allow\n    conditions:\n      profiles: dev\n"), 6, "rules[0].conditions.profiles", `want a list of strings, got the string "dev"`},
		{"numeric profile", rule0("    effect: allow\n    conditions:\n      profiles:\n        - dev\n        - 123\n"), 8, "rules[0].conditions.profiles", "want a string, got the number 123 (quote it)"},
		{"empty profile name", rule0("    effect: allow\n    conditions:\n      profiles: [\"\"]\n"), 6, "rules[0].conditions.profiles", "must not be empty"},
		{"bad glob", rule0("    effect: allow\n    conditions:\n      profiles:\n        - dev\n        - \"[a\"\n"), 8, "rules[0].conditions.profiles", `bad glob "[a"`},
		{"empty users", rule0("    effect: allow\n    conditions:\n      users: []\n"), 6, "rules[0].conditions.users", "empty list"},
		{"unknown mode", rule0("    effect: allow\n    conditions:\n      mode:\n        - cli\n        - clii\n"), 8, "rules[0].conditions.mode", `unknown mode "clii" (want cli, credential_process, server)`},
		{"mode not a list", rule0("    effect: allow\n    conditions:\n      mode: cli\n"), 6, "rules[0].conditions.mode", "want a list of strings"},
		{"alias", "version: \"1\"\nx: &p [dev]\nrules: [{name: a, effect: allow, conditions: {profiles: *p}}]\n", 2, "x", "unknown key"},
		{"alias value", "version: \"1\"\nrules:\n  - name: &n a\n    effect: allow\n    reason: *n\n", 5, "rules[0].reason", "aliases are not supported"},

		// Time windows.
		{"empty time", rule0("    effect: allow\n    conditions:\n      time: {timezone: UTC}\n"), 6, "rules[0].conditions.time", "give days, hours or both"},
		{"unknown time key", rule0("    effect: allow\n    conditions:\n      time: {days: [monday], tz: UTC}\n"), 6, "rules[0].conditions.time.tz", "unknown key (want days, hours, timezone)"},
		{"unknown weekday", rule0("    effect: allow\n    conditions:\n      time:\n        days: [monday, funday]\n"), 7, "rules[0].conditions.time.days", `unknown weekday "funday"`},
		{"empty days", rule0("    effect: allow\n    conditions:\n      time:\n        days: []\n"), 7, "rules[0].conditions.time.days", "empty list"},
		{"one-digit hour", rule0("    effect: allow\n    conditions:\n      time:\n        hours: {start: \"9:00\", end: \"18:00\"}\n"), 7, "rules[0].conditions.time.hours.start", `bad time "9:00" (want HH:MM from 00:00 to 23:59)`},
		{"hour 24", rule0("    effect: allow\n    conditions:\n      time:\n        hours: {start: \"09:00\", end: \"24:00\"}\n"), 7, "rules[0].conditions.time.hours.end", `bad time "24:00"`},
		{"minute 60", rule0("    effect: allow\n    conditions:\n      time:\n        hours: {start: \"09:60\", end: \"18:00\"}\n"), 7, "rules[0].conditions.time.hours.start", `bad time "09:60"`},
		{"time as a number", rule0("    effect: allow\n    conditions:\n      time:\n        hours: {start: 900, end: \"18:00\"}\n"), 7, "rules[0].conditions.time.hours.start", "want a string, got the number 900"},
		{"start equals end", rule0("    effect: allow\n    conditions:\n      time:\n        hours: {start: \"09:00\", end: \"09:00\"}\n"), 7, "rules[0].conditions.time.hours", "start and end are both 09:00"},
		{"missing end", rule0("    effect: allow\n    conditions:\n      time:\n        hours: {start: \"09:00\"}\n"), 7, "rules[0].conditions.time.hours.end", "missing"},
		{"unknown timezone", rule0("    effect: allow\n    conditions:\n      time:\n        days: [monday]\n        timezone: Mars/Olympus\n"), 8, "rules[0].conditions.time.timezone", `unknown timezone "Mars/Olympus"`},
		{"Local timezone", rule0("    effect: allow\n    conditions:\n      time:\n        days: [monday]\n        timezone: Local\n"), 8, "rules[0].conditions.time.timezone", `unknown timezone "Local"`},

		// Approvals.
		{"approvals not a list", rule0("    effect: allow\napprovals: {name: a}\n"), 5, "approvals", "want a list of approval rules"},
		{"approval missing approvers", rule0("    effect: allow\napprovals:\n  - name: a\n    profiles: [prod]\n"), 6, "approvals[0].approvers", "missing"},
		{"approval missing profiles", rule0("    effect: allow\napprovals:\n  - name: a\n    approvers: [bob]\n"), 6, "approvals[0].profiles", "missing"},
		{"approval empty approvers", rule0("    effect: allow\napprovals:\n  - name: a\n    profiles: [prod]\n    approvers: []\n"), 8, "approvals[0].approvers", "empty list"},
		{"approval required zero", rule0("    effect: allow\napprovals:\n  - name: a\n    profiles: [prod]\n    approvers: [bob]\n    required: 0\n"), 9, "approvals[0].required", "must be at least 1"},
		{"approval required too many", rule0("    effect: allow\napprovals:\n  - name: a\n    profiles: [prod]\n    approvers: [bob]\n    required: 2\n"), 9, "approvals[0].required", "2 approvals required but only 1 approver listed"},
		{"approval required not a number", rule0("    effect: allow\napprovals:\n  - name: a\n    profiles: [prod]\n    approvers: [bob]\n    required: one\n"), 9, "approvals[0].required", "want a whole number"},
		{"approval duplicate name", rule0("    effect: allow\napprovals:\n  - {name: a, profiles: [x], approvers: [bob]}\n  - {name: a, profiles: [y], approvers: [bob]}\n"), 7, "approvals[1].name", `duplicate approval rule name "a" (first at line 6)`},
		{"approval max too long", rule0("    effect: allow\napprovals:\n  - {name: a, profiles: [x], approvers: [bob], max_duration: 25h}\n"), 6, "approvals[0].max_duration", "outside 15m..24h"},
		{"request_ttl too short", rule0("    effect: allow\napprovals:\n  - {name: a, profiles: [x], approvers: [bob], request_ttl: 1m}\n"), 6, "approvals[0].request_ttl", "outside 5m..168h"},
		{"auto_approve above rule max", rule0("    effect: allow\napprovals:\n  - name: a\n    profiles: [x]\n    approvers: [bob]\n    auto_approve: {users: [c], max_duration: 2h}\n    max_duration: 1h\n"), 9, "approvals[0].auto_approve.max_duration", "2h is more than the approval rule's max_duration 1h"},
		{"auto_approve empty", rule0("    effect: allow\napprovals:\n  - name: a\n    profiles: [x]\n    approvers: [bob]\n    auto_approve: {max_duration: 1h}\n"), 9, "approvals[0].auto_approve", "give users, time or both"},
		{"auto_approve bad time", rule0("    effect: allow\napprovals:\n  - name: a\n    profiles: [x]\n    approvers: [bob]\n    auto_approve:\n      time: {days: [someday]}\n"), 10, "approvals[0].auto_approve.time.days", "unknown weekday"},

		// Break-glass.
		{"breakglass missing users", rule0("    effect: allow\nbreakglass:\n  - name: b\n    profiles: [prod]\n"), 6, "breakglass[0].users", "missing"},
		{"breakglass missing name", rule0("    effect: allow\nbreakglass:\n  - profiles: [prod]\n    users: [a]\n"), 6, "breakglass[0].name", "missing"},
		{"breakglass unknown reason code", rule0("    effect: allow\nbreakglass:\n  - name: b\n    profiles: [prod]\n    users: [a]\n    reason_codes: [incident, boredom]\n"), 9, "breakglass[0].reason_codes", `unknown reason code "boredom"`},
		{"breakglass negative cooldown", rule0("    effect: allow\nbreakglass:\n  - {name: b, profiles: [prod], users: [a], cooldown: -1m}\n"), 6, "breakglass[0].cooldown", "must not be negative"},
		{"breakglass cooldown too long", rule0("    effect: allow\nbreakglass:\n  - {name: b, profiles: [prod], users: [a], cooldown: 48h}\n"), 6, "breakglass[0].cooldown", "outside 0s..24h"},
		{"breakglass negative max_per_day", rule0("    effect: allow\nbreakglass:\n  - {name: b, profiles: [prod], users: [a], max_per_day: -1}\n"), 6, "breakglass[0].max_per_day", "must be 0 (no limit) or more"},
		{"breakglass duplicate name", rule0("    effect: allow\nbreakglass:\n  - {name: b, profiles: [x], users: [a]}\n  - {name: b, profiles: [y], users: [a]}\n"), 7, "breakglass[1].name", `duplicate break-glass rule name "b"`},
		{"breakglass unknown key", rule0("    effect: allow\nbreakglass:\n  - {name: b, profiles: [x], users: [a], approvers: [c]}\n"), 6, "breakglass[0].approvers", "unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			le := loadError(t, tt.src)
			// "file:line: field: " then a message containing tt.message.
			prefix := "test.yaml:" + strconv.Itoa(tt.line) + ": "
			if tt.field != "" {
				prefix += tt.field + ": "
			}
			for _, line := range le.Lines() {
				if strings.HasPrefix(line, prefix) && strings.Contains(line[len(prefix):], tt.message) {
					return
				}
			}
			t.Errorf("no issue like\n  %s...%s...\ngot\n  %s", prefix, tt.message, strings.Join(le.Lines(), "\n  "))
		})
	}
}

// TestLoadErrorsAreAllCollected checks that loading goes on after the
// first problem and reports every one, in line order.
func TestLoadErrorsAreAllCollected(t *testing.T) {
	src := `version: "1"
rules:
  - name: a
    effect: alow
    conditions:
      mode: [clii]
  - name: a
    effect: allow
    max_duration: 1d
breakglass:
  - {name: b, profiles: [p], users: [u], reason_codes: [whim]}
`
	le := loadError(t, src)
	want := []string{
		`test.yaml:4: rules[0].effect: unknown effect "alow" (want allow, deny, require_approval, require_server)`,
		`test.yaml:6: rules[0].conditions.mode: unknown mode "clii" (want cli, credential_process, server)`,
		`test.yaml:7: rules[1].name: duplicate rule name "a" (first at line 3)`,
		`test.yaml:9: rules[1].max_duration: bad duration "1d" (want a Go duration like 90m or 1h)`,
		`test.yaml:11: breakglass[0].reason_codes: unknown reason code "whim" (want incident, maintenance, security, recovery, other)`,
		`test.yaml:11: breakglass[0].users: bare name "u" needs the accounts it may come from: add accounts: ["<12-digit account ID>"] at the top of the policy, or write the full ARN`,
	}
	if got := le.Lines(); !slices.Equal(got, want) {
		t.Errorf("issues:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if le.Error() != strings.Join(want, "\n") {
		t.Errorf("Error() = %q, want the issues one per line", le.Error())
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.yaml")
	src := []byte("version: \"1\"\nrules: [{name: a, effect: allow}]\n")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(src)
	if p.Path != path || p.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("Path %q SHA256 %q, want %q and the file's hash", p.Path, p.SHA256, path)
	}

	missing := filepath.Join(dir, "nope.yaml")
	_, err = Load(missing)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Load(missing) = %v, want an error wrapping os.ErrNotExist that names the path", err)
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("version: \"1\"\nrules: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(bad)
	var le *LoadError
	if !errors.As(err, &le) || le.Path != bad || !strings.HasPrefix(err.Error(), bad+":2: rules: ") {
		t.Errorf("Load(bad) = %v, want a *LoadError naming %s line 2", err, bad)
	}
}

// TestParseDefaults checks what a valid file decodes to, defaults included.
func TestParseDefaults(t *testing.T) {
	p := mustParse(t, `version: "1"
rules:
  - name: dev
    effect: allow
    conditions:
      profiles: [dev, "sandbox-*"]
      users: [alice, "arn:aws:iam::123456789012:user/bob"]
      mode: [cli, server]
      time:
        days: [Mon, friday]
        hours: {start: "22:00", end: "06:00"}
    max_duration: 90m
    reason: development
approvals:
  - name: prod
    profiles: [prod]
    approvers: [bob, carol]
    auto_approve:
      users: [lead]
breakglass:
  - name: oncall
    profiles: [prod]
    users: [alice]
accounts: ["111122223333", "444455556666"]
`)
	r := p.Rules[0]
	if r.Name != "dev" || r.Effect != EffectAllow || r.MaxDuration != 90*time.Minute || r.Reason != "development" || r.Line != 3 {
		t.Errorf("rule = %+v", r)
	}
	c := r.Conditions
	if !slices.Equal(c.Profiles, []string{"dev", "sandbox-*"}) ||
		!slices.Equal(c.Users, []string{"alice", "arn:aws:iam::123456789012:user/bob"}) ||
		!slices.Equal(c.Modes, []Mode{ModeCLI, ModeServer}) {
		t.Errorf("conditions = %+v", c)
	}
	w := c.Time
	if w == nil || !slices.Equal(w.Days, []time.Weekday{time.Monday, time.Friday}) || w.Start != "22:00" || w.End != "06:00" || w.Timezone != "UTC" {
		t.Errorf("time = %+v", w)
	}

	a := p.Approvals[0]
	if a.Required != 1 || a.MaxDuration != 8*time.Hour || a.RequestTTL != 24*time.Hour {
		t.Errorf("approval defaults: required %d max %v ttl %v, want 1, 8h, 24h", a.Required, a.MaxDuration, a.RequestTTL)
	}
	if a.AutoApprove == nil || a.AutoApprove.MaxDuration != 8*time.Hour || a.AutoApprove.Time != nil {
		t.Errorf("auto_approve = %+v, want max_duration defaulting to the rule's 8h", a.AutoApprove)
	}

	b := p.Breakglass[0]
	if !slices.Equal(b.ReasonCodes, []string{"incident", "maintenance", "security", "recovery", "other"}) ||
		b.MaxDuration != time.Hour || b.Cooldown != 0 || b.MaxPerDay != 0 {
		t.Errorf("break-glass defaults = %+v", b)
	}

	if got := p.Summary(); got != "1 rule, 1 approval rule, 1 break-glass rule" {
		t.Errorf("Summary() = %q", got)
	}
	if !slices.Equal(p.Accounts, []string{"111122223333", "444455556666"}) || p.HasPins() {
		t.Errorf("accounts %v pins %v, want both accounts and no pins", p.Accounts, p.HasPins())
	}
}

func TestEmptySectionsAreFine(t *testing.T) {
	for _, src := range []string{
		"version: \"1\"\nrules: [{name: a, effect: deny}]\napprovals:\nbreakglass:\n",
		"version: \"1\"\nrules: [{name: a, effect: deny}]\napprovals: []\nbreakglass: []\n",
	} {
		p := mustParse(t, src)
		if len(p.Approvals) != 0 || len(p.Breakglass) != 0 {
			t.Errorf("%q: want no approvals and no break-glass rules", src)
		}
		if got := p.Summary(); got != "1 rule, 0 approval rules, 0 break-glass rules" {
			t.Errorf("Summary() = %q", got)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := map[time.Duration]string{
		0:                                  "none",
		time.Hour:                          "1h",
		90 * time.Minute:                   "1h30m",
		15 * time.Minute:                   "15m",
		time.Hour + 30*time.Second:         "1h0m30s",
		45 * time.Second:                   "45s",
		24 * time.Hour:                     "24h",
		12*time.Hour + 5*time.Minute:       "12h5m",
		7 * 24 * time.Hour:                 "168h",
		time.Minute + 500*time.Millisecond: "1m0.5s",
	}
	for d, want := range tests {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestParseMode(t *testing.T) {
	for _, s := range []string{"cli", "credential_process", "server"} {
		if m, err := ParseMode(s); err != nil || string(m) != s {
			t.Errorf("ParseMode(%q) = %q, %v", s, m, err)
		}
	}
	for _, s := range []string{"", "CLI", "clii", "exec"} {
		if _, err := ParseMode(s); err == nil || !strings.Contains(err.Error(), "want cli, credential_process, server") {
			t.Errorf("ParseMode(%q) error = %v, want one naming the modes", s, err)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

const time15m = 15 * time.Minute
