package notify

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSlackEscape checks that no user text survives into a Slack message
// as markup: no <, > or bare & (only the three entities), no line break,
// and the message stays valid JSON whose text holds the escaped input.
func FuzzSlackEscape(f *testing.F) {
	for _, s := range []string{"", "plain", "<!channel>", "<https://x|y>", "a & b", "&amp;", "line\nbreak", "\u2028", "\xff<", "<@U1>&lt;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := SlackEscape(s)
		if strings.ContainsAny(out, "<>\n\r") {
			t.Fatalf("SlackEscape(%q) = %q keeps markup or a line break", s, out)
		}
		rest := out
		for {
			i := strings.IndexByte(rest, '&')
			if i < 0 {
				break
			}
			rest = rest[i:]
			if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
				t.Fatalf("SlackEscape(%q) = %q has a bare &", s, out)
			}
			rest = rest[1:]
		}
		if !utf8.ValidString(out) {
			t.Fatalf("SlackEscape(%q) is not valid UTF-8", s)
		}
		unescaped := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(out)
		if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) && utf8.RuneCountInString(unescaped) != utf8.RuneCountInString(s) {
			t.Fatalf("SlackEscape(%q) = %q changed the text's length", s, out)
		}
		ev := sampleEvent()
		ev.Justification, ev.Subject, ev.Comment = s, s, s
		for _, name := range Events {
			ev.Event = name
			body, err := slackBody(ev)
			if err != nil {
				t.Fatal(err)
			}
			var msg slackMessage
			if err := json.Unmarshal(body, &msg); err != nil {
				t.Fatalf("invalid JSON for %q: %v", s, err)
			}
			if strings.Contains(msg.Text, "<") || strings.Contains(msg.Text, ">") {
				t.Fatalf("%s: markup from %q in %q", name, s, msg.Text)
			}
		}
	})
}
