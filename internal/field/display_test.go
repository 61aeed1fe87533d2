package field

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDisplay(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text ✓ ünïcode", "plain text ✓ ünïcode"},
		{"", ""},
		{"clear \x1b[2J screen", `clear \u001B[2J screen`},
		{"two\nlines\r", `two\u000Alines\u000D`},
		{"tab\there", `tab\u0009here`},
		{"evil \u202Egnp.exe", `evil \u202Egnp.exe`},
		{"zero\u200Bwidth\uFEFF", `zero\u200Bwidth\uFEFF`},
		{"bad \xff\xfe bytes", `bad \xff\xfe bytes`},
		{"cut \xe2\x82", `cut \xe2\x82`},
		{"tag \U000E0041 char", `tag \U000E0041 char`},
		{"C1 \u009b31m", `C1 \u009B31m`},
	}
	for _, tt := range tests {
		if got := Display(tt.in); got != tt.want {
			t.Errorf("Display(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzDisplay checks that Display's output is always printable, single-line
// and valid UTF-8, and that text the input checks accept is left alone.
func FuzzDisplay(f *testing.F) {
	for _, s := range []string{"plain", "\x1b]0;title\x07", "a\u202Eb", "\xff\x00", "👩‍💻", "\u061C\u2066"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Display(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Display(%q) = %q is not valid UTF-8", s, out)
		}
		for _, r := range out {
			if Unsafe(r) {
				t.Fatalf("Display(%q) = %q keeps %U", s, out, r)
			}
		}
		if got, err := Text("text", s, 0, len(s)+1); err == nil && Display(got) != got {
			t.Fatalf("Display changed accepted text %q to %q", got, Display(got))
		}
	})
}

// FuzzText checks that whatever Text accepts is one line of valid UTF-8
// within the bounds, free of every unsafe rune, and that Text never panics.
func FuzzText(f *testing.F) {
	for _, s := range []string{"  enough text here ", "a\nb", "\u202Eabc", "x\u200By", "\xff", strings.Repeat("é", 30)} {
		f.Add(s, 2, 20)
	}
	f.Fuzz(func(t *testing.T, s string, min, max int) {
		got, err := Text("text", s, min, max)
		if err != nil {
			return
		}
		if !utf8.ValidString(got) || strings.TrimSpace(got) != got {
			t.Fatalf("Text accepted %q as %q", s, got)
		}
		if n := utf8.RuneCountInString(got); n < min || n > max {
			t.Fatalf("Text accepted %d runes outside %d..%d", n, min, max)
		}
		for _, r := range got {
			if Unsafe(r) {
				t.Fatalf("Text accepted %U in %q", r, got)
			}
		}
		if Display(got) != got {
			t.Fatalf("Display changes accepted text %q", got)
		}
	})
}

// FuzzName checks Name the same way.
func FuzzName(f *testing.F) {
	for _, s := range []string{"alice", "arn:aws:iam::111122223333:user/alice", " a", "a\u202E", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Name("name", s, 64) != nil {
			return
		}
		if s == "" || !utf8.ValidString(s) || strings.TrimSpace(s) != s || utf8.RuneCountInString(s) > 64 {
			t.Fatalf("Name accepted %q", s)
		}
		for _, r := range s {
			if Unsafe(r) {
				t.Fatalf("Name accepted %U in %q", r, s)
			}
		}
	})
}
