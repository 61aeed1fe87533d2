package broker

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/person"
)

var stsSourceIdentity = regexp.MustCompile(`^[A-Za-z0-9_+=,.@-]{2,64}$`)

func TestFormatSourceIdentity(t *testing.T) {
	tests := []struct {
		name, label, basis, reqID string
		want                      string
	}{
		{"direct", "alice", BasisDirect, "0123456789ab", "sentinel.alice.direct.0123456789ab"},
		{"tagged label", "alice=sso", ApprovalBasis("00112233445566ff"), "0123456789ab", "sentinel.alice=sso.apr-00112233445566ff.0123456789ab"},
		{"email user", "alice@example-com", BreakglassBasis("abcdef0123456789"), "0123456789ab", "sentinel.alice@example-com.bg-abcdef0123456789.0123456789ab"},
		{"longest label, longest basis", strings.Repeat("a", person.MaxLabel), ApprovalBasis("00112233445566ff"), "0123456789ab", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FormatSourceIdentity(tt.label, tt.basis, tt.reqID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if !stsSourceIdentity.MatchString(got) {
				t.Errorf("%q would be rejected by STS", got)
			}
			p, err := ParseSourceIdentity(got)
			if err != nil {
				t.Fatalf("parse back %q: %v", got, err)
			}
			if p.Label != tt.label || p.Basis != tt.basis || p.RequestID != tt.reqID {
				t.Errorf("parsed %+v from %q", p, got)
			}
		})
	}
}

func TestFormatSourceIdentityRejects(t *testing.T) {
	for _, tt := range []struct{ label, basis, reqID string }{
		{"alice", "direct", "short"},
		{"alice", "direct", "0123456789AB"},
		{"alice", "other", "0123456789ab"},
		{"alice", "apr-", "0123456789ab"},
		{"alice", "apr-xyz", "0123456789ab"},
		// Labels are made by person.Label; anything else is refused, never
		// cut or cleaned up into someone's label.
		{"alice.smith", "direct", "0123456789ab"},
		{"Alice", "direct", "0123456789ab"},
		{"a:b", "direct", "0123456789ab"},
		{"", "direct", "0123456789ab"},
		{strings.Repeat("a", person.MaxLabel+1), "direct", "0123456789ab"},
		{"a=b=c", "direct", "0123456789ab"},
	} {
		if _, err := FormatSourceIdentity(tt.label, tt.basis, tt.reqID); err == nil {
			t.Errorf("label %q basis %q request id %q: want an error", tt.label, tt.basis, tt.reqID)
		}
	}
}

func TestParseSourceIdentityRejects(t *testing.T) {
	for _, s := range []string{
		"", "x", "sentinel.alice", "sentinel.alice.direct", "other.alice.direct.0123456789ab",
		"sentinel..direct.0123456789ab", "sentinel.alice.nope.0123456789ab", "sentinel.alice.direct.0123",
		"sentinel.a:b.direct.0123456789ab", "sentinel." + strings.Repeat("a", 60) + ".direct.0123456789ab",
		"sentinel.alice.smith.direct.0123456789ab", "sentinel.Alice.direct.0123456789ab", "sentinel.a=b=c.direct.0123456789ab",
	} {
		if _, err := ParseSourceIdentity(s); err == nil {
			t.Errorf("%q: want an error", s)
		}
	}
}

func TestNewRequestID(t *testing.T) {
	id, err := NewRequestID(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(id) != 2*requestIDBytes || !isLowerHex(id) {
		t.Errorf("request id %q is not %d lowercase hex", id, 2*requestIDBytes)
	}
	other, _ := NewRequestID(nil)
	if other == id {
		t.Error("two request ids are equal")
	}
	if _, err := NewRequestID(bytes.NewReader(nil)); err == nil {
		t.Error("an exhausted random source must be an error")
	}
	if _, err := NewRequestID(failingReader{}); !errors.Is(err, errRandom) {
		t.Errorf("got %v, want the random source's error", err)
	}
}

var errRandom = errors.New("entropy unavailable")

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errRandom }

func TestRoleSessionName(t *testing.T) {
	if got := RoleSessionName("alice"); got != "sentinel-alice" {
		t.Errorf("RoleSessionName(alice) = %q", got)
	}
	longest := RoleSessionName(strings.Repeat("x", person.MaxLabel))
	if !stsSourceIdentity.MatchString(longest) {
		t.Errorf("%q is not a role session name STS accepts", longest)
	}
}

// FuzzSourceIdentity checks the formatter and parser together, on labels
// made from arbitrary caller ARNs: what parses is valid for STS; a
// formatted value round-trips; two ARNs share a label only if they are one
// person; and one person's "sentinel.<label>." starts no other person's
// SourceIdentity.
func FuzzSourceIdentity(f *testing.F) {
	f.Add("arn:aws:iam::111122223333:user/alice", "arn:aws:sts::111122223333:assumed-role/ci/alice", "0123456789ab", "sentinel.alice.direct.0123456789ab")
	f.Add("arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/alice.direct", "ffffffffffff", "sentinel.a.b.c.apr-0011.ffffffffffff")
	f.Add("arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_x_1/alice@example.com", "arn:aws:iam::444455556666:user/alice", "00000000", "sentinel...")
	f.Add("arn:aws:iam::111122223333:root", "arn:aws:sts::111122223333:federated-user/bob", "0123456789ab", "sentinel.alice=sso.bg-01.0123456789ab")
	f.Fuzz(func(t *testing.T, arn1, arn2, reqID, raw string) {
		// Parsing arbitrary input never panics, and what parses is valid.
		if p, err := ParseSourceIdentity(raw); err == nil {
			if !stsSourceIdentity.MatchString(raw) || !person.ValidLabel(p.Label) {
				t.Fatalf("accepted invalid %q", raw)
			}
		}
		k1, err1 := person.Of(arn1)
		k2, err2 := person.Of(arn2)
		if err1 != nil {
			return
		}
		l1 := person.Label(k1, "111122223333")
		for _, basis := range []string{BasisDirect, ApprovalBasis("00112233445566ff"), BreakglassBasis("abcdef0123456789")} {
			s, err := FormatSourceIdentity(l1, basis, reqID)
			if err != nil {
				if isLowerHex(reqID) && len(reqID) >= 8 && len(reqID) <= 12 {
					t.Fatalf("label %q of %q refused: %v", l1, arn1, err)
				}
				return
			}
			if !stsSourceIdentity.MatchString(s) {
				t.Fatalf("formatted %q is not accepted by STS", s)
			}
			p, err := ParseSourceIdentity(s)
			if err != nil || p.Label != l1 || p.Basis != basis || p.RequestID != reqID {
				t.Fatalf("%q does not round-trip: %+v %v", s, p, err)
			}
			if err2 == nil && k1.Value != k2.Value {
				l2 := person.Label(k2, "111122223333")
				if l1 == l2 {
					t.Fatalf("%q and %q are two people with one label %q", arn1, arn2, l1)
				}
				if s2, err := FormatSourceIdentity(l2, basis, reqID); err == nil && strings.HasPrefix(s2, person.LabelPrefix(k1, "111122223333")) {
					t.Fatalf("%q's prefix starts %q's SourceIdentity %q", arn1, arn2, s2)
				}
			}
		}
	})
}
