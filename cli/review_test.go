package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestConfirm(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"y\n", true}, {"yes\n", true}, {" Y \n", true}, {"YES", true},
		{"n\n", false}, {"\n", false}, {"", false}, {"yep\n", false}, {"no\n", false},
		{strings.Repeat("y", 5000) + "\n", false},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		got, err := confirm(strings.NewReader(tt.in), &out, "Approve? [y/N] ")
		if err != nil || got != tt.want {
			t.Errorf("confirm(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if out.String() != "Approve? [y/N] " {
			t.Errorf("question: %q", out.String())
		}
	}
}
