package broker

import (
	"regexp"
	"strings"
	"testing"
)

func TestFederationName(t *testing.T) {
	valid := regexp.MustCompile(`^[\w+=,.@-]{2,32}$`)
	tests := map[string]string{
		"alice":                 "alice",
		"a":                     "a_",
		"":                      "__",
		"alice:admin":           "alice_admin",
		"jörg":                  "j_rg",
		strings.Repeat("x", 40): strings.Repeat("x", 32),
	}
	for in, want := range tests {
		got := federationName(in)
		if got != want || !valid.MatchString(got) {
			t.Errorf("federationName(%q) = %q, want %q", in, got, want)
		}
	}
}
