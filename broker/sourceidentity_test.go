package broker

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
)

var stsSourceIdentity = regexp.MustCompile(`^[A-Za-z0-9_+=,.@-]{2,64}$`)

func TestFormatSourceIdentity(t *testing.T) {
	long := strings.Repeat("verylongusername", 6)
	tests := []struct {
		name, user, basis, reqID string
		want                     string
		wantUser                 string
	}{
		{"direct", "alice", BasisDirect, "0123456789ab", "sentinel.alice.direct.0123456789ab", "alice"},
		{"dotted user", "alice.smith", BasisDirect, "0123456789ab", "sentinel.alice.smith.direct.0123456789ab", "alice.smith"},
		{"email user", "alice@example.com", ApprovalBasis("00112233445566ff"), "0123456789ab", "sentinel.alice@example.com.apr-00112233445566ff.0123456789ab", "alice@example.com"},
		{"colon and spaces sanitised", "a:b c", BreakglassBasis("abcdef0123456789"), "0123456789ab", "sentinel.a-b-c.bg-abcdef0123456789.0123456789ab", "a-b-c"},
		{"long user shortened", long, ApprovalBasis("00112233445566ff"), "0123456789ab", "", long[:64-len("sentinel..apr-00112233445566ff.0123456789ab")]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FormatSourceIdentity(tt.user, tt.basis, tt.reqID)
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
			if p.User != tt.wantUser || p.Basis != tt.basis || p.RequestID != tt.reqID {
				t.Errorf("parsed %+v from %q", p, got)
			}
		})
	}
}

func TestFormatSourceIdentityRejects(t *testing.T) {
	for _, tt := range []struct{ basis, reqID string }{
		{"direct", "short"},
		{"direct", "0123456789AB"},
		{"other", "0123456789ab"},
		{"apr-", "0123456789ab"},
		{"apr-xyz", "0123456789ab"},
	} {
		if _, err := FormatSourceIdentity("alice", tt.basis, tt.reqID); err == nil {
			t.Errorf("basis %q request id %q: want an error", tt.basis, tt.reqID)
		}
	}
}

func TestParseSourceIdentityRejects(t *testing.T) {
	for _, s := range []string{
		"", "x", "sentinel.alice", "sentinel.alice.direct", "other.alice.direct.0123456789ab",
		"sentinel..direct.0123456789ab", "sentinel.alice.nope.0123456789ab", "sentinel.alice.direct.0123",
		"sentinel.a:b.direct.0123456789ab", "sentinel." + strings.Repeat("a", 60) + ".direct.0123456789ab",
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
	for _, tt := range []struct{ user, want string }{
		{"alice", "sentinel-alice"},
		{"a b:c", "sentinel-a-b-c"},
		{strings.Repeat("x", 80), "sentinel-" + strings.Repeat("x", 55)},
	} {
		if got := RoleSessionName(tt.user); got != tt.want {
			t.Errorf("RoleSessionName(%q) = %q, want %q", tt.user, got, tt.want)
		}
	}
}

func FuzzSourceIdentity(f *testing.F) {
	f.Add("alice", "0123456789ab", "sentinel.alice.direct.0123456789ab")
	f.Add("a.b.c", "ffffffffffff", "sentinel.a.b.c.apr-0011.ffffffffffff")
	f.Add("", "00000000", "sentinel...")
	f.Fuzz(func(t *testing.T, user, reqID, raw string) {
		// Parsing arbitrary input never panics, and what parses is valid.
		if p, err := ParseSourceIdentity(raw); err == nil {
			if !stsSourceIdentity.MatchString(raw) || p.User == "" {
				t.Fatalf("accepted invalid %q", raw)
			}
		}
		// Whatever the user name, a formatted value is valid and round-trips.
		s, err := FormatSourceIdentity(user, BasisDirect, reqID)
		if err != nil {
			return
		}
		if !stsSourceIdentity.MatchString(s) {
			t.Fatalf("formatted %q is not accepted by STS", s)
		}
		p, err := ParseSourceIdentity(s)
		if err != nil || p.Basis != BasisDirect || p.RequestID != reqID {
			t.Fatalf("%q does not round-trip: %+v %v", s, p, err)
		}
	})
}
