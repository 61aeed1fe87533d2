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
		{in: "line one\nline\ttwo", want: "line one\nline\ttwo"},
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
