package teamapi

import (
	"testing"
	"time"
)

func TestFallbackHeaderRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 8, 4, 30, 0, 0, time.UTC)
	role := "arn:aws:iam::111122223333:role/dev"
	got, gotAt, ok := ParseFallback(FormatFallback(role, at))
	if !ok || got != role || !gotAt.Equal(at) {
		t.Fatalf("round trip: %q %v %v", got, gotAt, ok)
	}
	for _, bad := range []string{"", "arn:aws:iam::1:role/x", "dev 2026-12-08T04:30:00Z", "arn:x not-a-time", "arn:a b 2026-12-08T04:30:00Z", "arn:aws:iam::1:role/\x1b[2Jx 2026-12-08T04:30:00Z", "arn:aws:iam::1:role/é 2026-12-08T04:30:00Z"} {
		if _, _, ok := ParseFallback(bad); ok {
			t.Errorf("ParseFallback(%q) accepted", bad)
		}
	}
}

func FuzzParseFallback(f *testing.F) {
	f.Add("arn:aws:iam::111122223333:role/dev 2026-12-08T04:30:00Z")
	f.Fuzz(func(t *testing.T, v string) {
		role, at, ok := ParseFallback(v)
		if !ok {
			return
		}
		for i := 0; i < len(role); i++ {
			if role[i] < 0x21 || role[i] > 0x7e {
				t.Fatalf("%q: accepted a role with byte %#x", v, role[i])
			}
		}
		if r2, at2, ok2 := ParseFallback(FormatFallback(role, at)); !ok2 || r2 != role || !at2.Equal(at) {
			t.Fatalf("%q: does not round-trip", v)
		}
	})
}
