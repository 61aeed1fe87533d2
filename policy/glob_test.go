package policy

import (
	"path"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"a", "a", true},
		{"a", "A", false}, // case-sensitive
		{"*", "", true},
		{"*", "anything/at/all", true},
		{"team-*", "team-", true},
		{"team-*", "team-a", true},
		{"team-*", "team", false},
		{"team-*", "team-a/b", true}, // * crosses /
		{"?", "", false},
		{"?", "a", true},
		{"?", "ab", false},
		{"?", "é", true}, // one rune, two bytes
		{"??", "é", false},
		{"a?c", "a/c", true}, // ? matches / too
		{"*b", "aaab", true},
		{"*b", "aaa", false},
		{"a*b*c", "a-b-b-c", true},
		{"a*b*c", "a-b-b-", false},
		{"*a*a*a*a*b", strings.Repeat("a", 60), false},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/ops/admin", true},
		{"arn:aws:iam::*:role/prod", "arn:aws:iam::111122223333:role/ops/prod", false},
		{"arn:aws:iam::*:role/*prod", "arn:aws:iam::111122223333:role/ops/prod", true},
		{"arn:aws:sts::111122223333:assumed-role/Admin/*", "arn:aws:sts::111122223333:assumed-role/Admin/alice", true},
		{"arn:aws:sts::111122223333:assumed-role/Admin/*", "arn:aws:sts::999999999999:assumed-role/Admin/alice", false},
		{"[ab]", "[ab]", true}, // not a class: refused at load, literal here
		{"*é*", "caf\xc3\xa9s", true},
		{"?x", "\xffx", true}, // an invalid byte counts as one character
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

// TestGlobCrossesSlash shows the defect of the old matcher: path.Match's *
// stops at /, so "sandbox-*" let a profile named "sandbox-a/b" through a
// deny rule, and a role pattern could not cover role paths.
func TestGlobCrossesSlash(t *testing.T) {
	for _, c := range []struct{ pattern, s string }{
		{"sandbox-*", "sandbox-a/b"},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/team/admin"},
	} {
		if old, _ := path.Match(c.pattern, c.s); old {
			t.Fatalf("path.Match(%q, %q) matched: the premise of this test is gone", c.pattern, c.s)
		}
		if !globMatch(c.pattern, c.s) {
			t.Errorf("globMatch(%q, %q) = false, want true", c.pattern, c.s)
		}
	}
	p := mustParse(t, `version: "1"
rules:
  - {name: no-sandboxes, effect: deny, conditions: {profiles: ["sandbox-*"]}}
  - {name: rest, effect: allow}
`)
	if d := p.Evaluate(Request{Profile: "sandbox-a/b", Mode: ModeCLI}); d.Rule != "no-sandboxes" {
		t.Errorf("sandbox-a/b decided by %q, want the deny rule", d.Rule)
	}
}

func TestCheckGlob(t *testing.T) {
	for _, p := range []string{"dev", "team-*", "a?c", "arn:aws:iam::*:role/*"} {
		if err := checkGlob(p); err != nil {
			t.Errorf("checkGlob(%q) = %v", p, err)
		}
	}
	for _, p := range []string{"[ab]-dev", "a]", `a\*`} {
		if err := checkGlob(p); err == nil {
			t.Errorf("checkGlob(%q) accepted a refused pattern", p)
		}
	}
}

func TestGlobMatchDoesNotAllocate(t *testing.T) {
	s := "arn:aws:iam::111122223333:role/team/admin"
	if n := testing.AllocsPerRun(100, func() { globMatch("arn:*:iam::*:role/*adm?n", s) }); n != 0 {
		t.Errorf("globMatch allocates %.1f times", n)
	}
}

// globRegexp is the reference for globMatch: the same pattern as a regular
// expression, where . matches one rune (an invalid byte counting as one).
func globRegexp(pattern string) *regexp.Regexp {
	var sb strings.Builder
	sb.WriteString(`(?s)\A`)
	for _, r := range pattern {
		switch r {
		case '*':
			sb.WriteString(".*")
		case '?':
			sb.WriteString(".")
		default:
			sb.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	sb.WriteString(`\z`)
	return regexp.MustCompile(sb.String())
}

// FuzzGlobMatch checks globMatch against a regular expression on valid
// UTF-8 input, and that it never panics on any input.
func FuzzGlobMatch(f *testing.F) {
	f.Add("team-*", "team-a/b")
	f.Add("a*b?c", "axxbyc")
	f.Add("*?*", "é")
	f.Add("arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/x/y")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 64 || len(s) > 256 {
			return
		}
		got := globMatch(pattern, s)
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) {
			return
		}
		if want := globRegexp(pattern).MatchString(s); got != want {
			t.Fatalf("globMatch(%q, %q) = %v, regexp says %v", pattern, s, got, want)
		}
	})
}
