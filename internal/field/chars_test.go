package field

import (
	"regexp"
	"testing"
)

func TestCharsInMatchesTheRegexpItReplaces(t *testing.T) {
	serial := regexp.MustCompile(`^[\w+=/:,.@-]{9,256}$`)
	role := regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	for _, s := range []string{"", "a", "arn:aws:iam::111122223333:mfa/alice", "GAHT12345678", "has space", "é-accent",
		"arn:aws:iam::1:mfa/a\"b", "AdministratorAccess", "a+b=c,d.e@f-g", "short", string(make([]byte, 300))} {
		if got, want := CharsIn(s, 9, 256, "+=/:,.@-"), serial.MatchString(s); got != want {
			t.Errorf("serial %q: %v, regexp says %v", s, got, want)
		}
		if got, want := CharsIn(s, 1, 64, "+=,.@-"), role.MatchString(s); got != want {
			t.Errorf("role name %q: %v, regexp says %v", s, got, want)
		}
	}
}

func FuzzCharsIn(f *testing.F) {
	serial := regexp.MustCompile(`^[\w+=/:,.@-]{9,256}$`)
	f.Add("arn:aws:iam::111122223333:mfa/alice")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := CharsIn(s, 9, 256, "+=/:,.@-"), serial.MatchString(s); got != want {
			t.Fatalf("%q: %v, regexp says %v", s, got, want)
		}
	})
}
