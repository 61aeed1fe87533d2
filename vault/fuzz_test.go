package vault

import (
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/person"
)

// FuzzParseIdentity checks that ParseIdentity never panics and that what it
// accepts is consistent: a 12-digit account matching the ARN and a
// non-empty name taken from the ARN.
func FuzzParseIdentity(f *testing.F) {
	// More seeds are under testdata/fuzz/FuzzParseIdentity.
	f.Add("arn:aws:iam::111122223333:user/alice", "111122223333", "AIDA")
	f.Fuzz(func(t *testing.T, arn, account, userID string) {
		id, err := ParseIdentity(arn, account, userID)
		if err != nil {
			return
		}
		if id.ARN != arn || id.UserID != userID || !person.IsAccountID(id.Account) || id.Name == "" {
			t.Fatalf("inconsistent identity %+v for %q", id, arn)
		}
		if account != "" && id.Account != account {
			t.Fatalf("account %q accepted for ARN %q", account, arn)
		}
		if !strings.HasSuffix(arn, id.Name) {
			t.Fatalf("name %q is not the end of %q", id.Name, arn)
		}
	})
}

// FuzzLoadConfig checks that no config file makes parsing or chain
// resolution panic or loop, and that every listed profile can be looked up.
func FuzzLoadConfig(f *testing.F) {
	// More seeds are under testdata/fuzz/FuzzLoadConfig.
	f.Add([]byte("[profile p]\nsource_profile = q\n[profile q]\nrole_arn = arn:aws:iam::2:role/r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data, "fuzz")
		if err != nil {
			return
		}
		for _, name := range c.ProfileNames() {
			if _, ok := c.Profile(name); !ok {
				t.Fatalf("listed profile %q not found", name)
			}
			ch, err := ResolveChain(c, name, func(p string) bool { return len(p)%2 == 0 })
			if err != nil {
				continue
			}
			if ch.Target.Name != name || len(ch.Roles) > len(c.ProfileNames()) {
				t.Fatalf("bad chain for %q: %+v", name, ch)
			}
		}
	})
}
