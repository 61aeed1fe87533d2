package person

import (
	"regexp"
	"strings"
	"testing"
)

var labelChars = regexp.MustCompile(`^[a-z0-9_+=,@-]+$`)

const home = "111122223333"

func TestLabel(t *testing.T) {
	tests := []struct{ arn, want string }{
		{"arn:aws:iam::111122223333:user/alice", "alice"},
		{"arn:aws:iam::111122223333:user/ops/Alice", "alice"},
		{"arn:aws:iam::444455556666:user/alice", "alice=444455556666"},
		{"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/alice", "alice=sso"},
		{"arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_Ops_4567/Alice", "alice=sso"},
		{"arn:aws:sts::111122223333:assumed-role/ci/alice", "ci=r111122223333"},
		{"arn:aws:sts::111122223333:assumed-role/ci/bob", "ci=r111122223333"},
		{"arn:aws:sts::111122223333:federated-user/alice", "fed=f111122223333"},
		{"arn:aws:iam::111122223333:root", "root=o111122223333"},
		{"arn:aws:iam::111122223333:user/alice.smith", "alice,smith"},
		{"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_A_1/alice@example.com", "alice@example,com=sso"},
	}
	for _, tt := range tests {
		k, err := Of(tt.arn)
		if err != nil {
			t.Fatal(err)
		}
		if got := Label(k, home); got != tt.want {
			t.Errorf("Label(%s) = %q, want %q", tt.arn, got, tt.want)
		}
	}
}

// TestLabelsNeverCollide: names that would collide as plain or cut labels
// get distinct labels, each a valid one of at most MaxLabel characters.
func TestLabelsNeverCollide(t *testing.T) {
	long := strings.Repeat("verylongusername", 4)
	arns := []string{
		"arn:aws:iam::111122223333:user/alice",
		"arn:aws:iam::111122223333:user/alice.direct",
		"arn:aws:iam::111122223333:user/alice.smith",
		"arn:aws:iam::111122223333:user/alice-smith",
		"arn:aws:iam::111122223333:user/alice,smith",
		"arn:aws:iam::111122223333:user/alice,smith.x",
		"arn:aws:iam::111122223333:user/alice.smith.x",
		"arn:aws:iam::111122223333:user/alice=sso",
		"arn:aws:iam::111122223333:user/alice=444455556666",
		"arn:aws:iam::444455556666:user/alice",
		"arn:aws:iam::555566667777:user/alice",
		"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_A_1/alice",
		"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_A_1/alice@example.com",
		"arn:aws:iam::111122223333:user/alice@example.com",
		"arn:aws:sts::111122223333:assumed-role/alice/x",
		"arn:aws:sts::444455556666:assumed-role/alice/x",
		"arn:aws:sts::111122223333:assumed-role/ci/alice",
		"arn:aws:sts::111122223333:federated-user/alice",
		"arn:aws:sts::444455556666:federated-user/alice",
		"arn:aws:iam::111122223333:root",
		"arn:aws:iam::444455556666:root",
		"arn:aws:iam::111122223333:user/" + long,
		"arn:aws:iam::111122223333:user/" + long + "x",
		"arn:aws:iam::111122223333:user/" + long[:21],
		"arn:aws:iam::111122223333:user/" + long[:22],
		"arn:aws:sts::111122223333:assumed-role/" + long + "/s",
	}
	seen := map[string]string{}
	for _, arn := range arns {
		k, err := Of(arn)
		if err != nil {
			t.Fatalf("%s: %v", arn, err)
		}
		l := Label(k, home)
		if !ValidLabel(l) || !labelChars.MatchString(l) || len(l) > MaxLabel || strings.Contains(l, ".") {
			t.Errorf("%s: label %q is not a valid label", arn, l)
		}
		if prev, ok := seen[l]; ok {
			t.Errorf("%s and %s share the label %q", prev, arn, l)
		}
		seen[l] = arn
		// No person's prefix starts another's SourceIdentity.
		for other, oarn := range seen {
			if oarn != arn && strings.HasPrefix("sentinel."+other+".direct.0123456789ab", LabelPrefix(k, home)) {
				t.Errorf("%s's prefix %q starts %s's SourceIdentity", arn, LabelPrefix(k, home), oarn)
			}
		}
	}
	// Without accounts: in the policy no label is a bare name.
	k, _ := Of("arn:aws:iam::111122223333:user/alice")
	if got := Label(k, ""); got != "alice=111122223333" {
		t.Errorf("without a home account: %q", got)
	}
}

func FuzzLabel(f *testing.F) {
	f.Add("arn:aws:iam::111122223333:user/alice", "arn:aws:sts::111122223333:assumed-role/ci/alice")
	f.Add("arn:aws:iam::111122223333:user/a.b", "arn:aws:iam::111122223333:user/a-b")
	f.Fuzz(func(t *testing.T, arn1, arn2 string) {
		k1, err1 := Of(arn1)
		k2, err2 := Of(arn2)
		if err1 != nil || err2 != nil {
			return
		}
		l1, l2 := Label(k1, home), Label(k2, home)
		if !ValidLabel(l1) || len(l1) > MaxLabel {
			t.Fatalf("%q: invalid label %q", arn1, l1)
		}
		if (l1 == l2) != (k1.Value == k2.Value) {
			t.Fatalf("%q (%s) and %q (%s): labels %q and %q", arn1, k1.Value, arn2, k2.Value, l1, l2)
		}
	})
}
