package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLimits(t *testing.T) {
	long := strings.Repeat("a", MaxStringSize+1)
	tests := []struct {
		name    string
		src     string
		line    int
		field   string
		message string
	}{
		{"file over 16 MiB", "version: \"1\"\nrules: [{name: a, effect: allow}]\n#" + strings.Repeat("x", MaxFileSize), 1, "", "more than 16777216 bytes (the limit is 16 MiB)"},
		{"string over 4 KiB", "version: \"1\"\nrules:\n  - name: a\n    effect: allow\n    reason: " + long + "\n", 5, "rules[0].reason", "a value of 4097 bytes is longer than the limit of 4096"},
		{"key over 4 KiB", "version: \"1\"\n? " + long + "\n: x\nrules: [{name: a, effect: allow}]\n", 2, "", "a key of 4097 bytes"},
		{"newline in a reason", "version: \"1\"\nrules:\n  - name: a\n    effect: allow\n    reason: |\n      two\n      lines\n", 5, "rules[0].reason", "a value contains a newline"},
		{"tab in a name", "version: \"1\"\nrules:\n  - name: \"a\\tb\"\n    effect: allow\n", 3, "rules[0].name", "a value contains a tab"},
		{"escape sequence", "version: \"1\"\nrules:\n  - name: a\n    effect: allow\n    reason: \"\\e[2Jok\"\n", 5, "rules[0].reason", "the control character U+001B"},
		{"bidi override", "version: \"1\"\nrules:\n  - name: \"ab\u202ecd\"\n    effect: allow\n", 3, "rules[0].name", "the invisible formatting character U+202E"},
		{"zero-width space in a user", "version: \"1\"\nrules:\n  - name: a\n    effect: allow\n    conditions: {users: [\"arn:aws:iam::111122223333:user/al\u200bice\"]}\n", 5, "rules[0].conditions.users[0]", "U+200B"},
		{"zero-width joiner in a profile key", "version: \"1\"\nprofiles:\n  \"de\u200dv\": {account: \"111122223333\"}\nrules: [{name: a, effect: allow}]\n", 3, "profiles", "a key contains the invisible formatting character U+200D"},
		{"C1 control", "version: \"1\"\nrules:\n  - name: \"a\\x9bb\"\n    effect: allow\n", 3, "rules[0].name", "U+009B"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			le := loadError(t, tt.src)
			prefix := "test.yaml:" + itoa(tt.line) + ": "
			if tt.field != "" {
				prefix += tt.field + ": "
			}
			found := false
			for _, l := range le.Lines() {
				found = found || strings.HasPrefix(l, prefix) && strings.Contains(l, tt.message)
				if strings.ContainsAny(l, "\x1b\u202e\u200b\u200d\u009b\t") || len(l) > 1024 {
					t.Errorf("an issue repeats the bad string: %q", l)
				}
			}
			if !found {
				t.Errorf("no issue like %s...%s...; got\n  %s", prefix, tt.message, strings.Join(le.Lines(), "\n  "))
			}
		})
	}
}

// TestLimitsAllowPlainText keeps ordinary text, non-English included.
func TestLimitsAllowPlainText(t *testing.T) {
	mustParse(t, "version: \"1\"\nrules:\n  - name: café-zürich\n    effect: allow\n    reason: \"Zugang für das Team — 日本語 ok\"\n    # a comment\twith a tab is not a string\n")
	mustParse(t, "version: \"1\"\nrules:\n  - name: a\n    effect: allow\n    reason: "+strings.Repeat("a", MaxStringSize)+"\n")
}

func TestLoadRefusesHugeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	data := "version: \"1\"\nrules: [{name: a, effect: allow}]\n#" + strings.Repeat("x", 2*MaxFileSize)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "the limit is 16 MiB") {
		t.Errorf("Load(32 MiB) = %v", err)
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // formatted "line: field: message" prefixes
	}{
		{"no profiles section", "version: \"1\"\nrules: [{name: a, effect: allow}]\n", []string{"1: : no profiles: section: profile names are not bound to roles"}},
		{"empty profiles section", "version: \"1\"\nprofiles:\nrules: [{name: a, effect: allow}]\n", []string{"1: profiles: empty profiles: section: every profile is refused"}},
		{"all pinned", "version: \"1\"\nprofiles:\n  dev: {account: \"111122223333\"}\nrules: [{name: a, effect: allow, conditions: {profiles: [dev, \"x-*\"]}}]\n", nil},
		{"unpinned names", "version: \"1\"\nprofiles:\n  dev: {account: \"111122223333\"}\nrules:\n  - {name: a, effect: allow, conditions: {profiles: [dev, prod]}}\nbreakglass:\n  - {name: b, profiles: [ops], users: [\"arn:aws:iam::111122223333:user/a\"]}\n",
			[]string{`5: rules[0].conditions.profiles: profile "prod" is not in profiles:`, `7: breakglass[0].profiles: profile "ops" is not in profiles:`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.src).Warnings()
			if len(got) != len(tt.want) {
				t.Fatalf("Warnings() = %+v, want %d", got, len(tt.want))
			}
			for i, w := range got {
				if s := itoa(w.Line) + ": " + w.Field + ": " + w.Message; !strings.HasPrefix(s, tt.want[i]) {
					t.Errorf("warning %d = %q, want %q...", i, s, tt.want[i])
				}
			}
		})
	}
	var nilPolicy *Policy
	if nilPolicy.Warnings() != nil {
		t.Error("nil policy has warnings")
	}
}
