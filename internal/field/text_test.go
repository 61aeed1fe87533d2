package field

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "  enough text here \n", want: "enough text here"},
		{in: "zehn Zeichen ✓✓", want: "zehn Zeichen ✓✓"},
		{in: "line one\nline two", wantErr: "control character (U+000A)"},
		{in: "tab\tseparated text", wantErr: "control character (U+0009)"},
		{in: "carriage\rreturn text", wantErr: "control character"},
		{in: "C1 control \u0085 here", wantErr: "control character (U+0085)"},
		{in: "approve \u202Egnp.exe", wantErr: "bidirectional formatting character (U+202E)"},
		{in: "isolate \u2066text\u2069", wantErr: "bidirectional formatting character (U+2066)"},
		{in: "mark \u200F here ok", wantErr: "bidirectional formatting character (U+200F)"},
		{in: "arabic mark \u061C x", wantErr: "bidirectional formatting character (U+061C)"},
		{in: "zero\u200Bwidth text", wantErr: "invisible formatting character (U+200B)"},
		{in: "word\u2060joiner xx", wantErr: "invisible formatting character (U+2060)"},
		{in: "byte order\uFEFF mark", wantErr: "invisible formatting character (U+FEFF)"},
		{in: "line\u2028separator", wantErr: "U+2028"},
		{in: "soft\u00ADhyphen text", wantErr: "invisible formatting character (U+00AD)"},
		{in: "emoji 👩‍💻 text", wantErr: "U+200D"},
		{in: "replacement \uFFFD ok", want: "replacement \uFFFD ok"},
		{in: "short", wantErr: "at least 10 characters (got 5)"},
		{in: strings.Repeat("x", 21), wantErr: "at most 20 characters (got 21)"},
		{in: "hidden \x1b[2Kescape", wantErr: "control character"},
		{in: "bad \xff utf-8 here", wantErr: "not valid UTF-8"},
	}
	for _, tt := range tests {
		got, err := Text("justification", tt.in, 10, 20)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "justification ") {
				t.Errorf("Text(%q) error %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Text(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestName(t *testing.T) {
	tests := []struct {
		in, wantErr string
	}{
		{in: "alice"},
		{in: "arn:aws:iam::111122223333:user/alice"},
		{in: "", wantErr: "is required"},
		{in: " alice", wantErr: "leading or trailing spaces"},
		{in: "ali\nce", wantErr: "control character"},
		{in: "ali\u202Ece", wantErr: "bidirectional"},
		{in: "ali\u200Bce", wantErr: "invisible"},
		{in: strings.Repeat("a", 41), wantErr: "at most 40 characters (got 41)"},
		{in: "\xffalice", wantErr: "not valid UTF-8"},
	}
	for _, tt := range tests {
		err := Name("user", tt.in, 40)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("Name(%q) = %v, want %q", tt.in, err, tt.wantErr)
		}
	}
}
