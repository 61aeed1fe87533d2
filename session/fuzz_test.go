package session

import (
	"testing"
	"time"
	"unicode"
)

// FuzzNew feeds New arbitrary names and times. It must never panic, and
// whatever it accepts must be free of control characters and validate.
func FuzzNew(f *testing.F) {
	f.Add("alice", "arn:aws:iam::1:user/alice", "prod", "laptop", "alice", int64(0), int64(time.Hour))
	f.Add("al\x00ice", "arn\n", "pr\x1bod", "", "", int64(-1), int64(0))
	f.Add("é", "é", "é", "é", "é", int64(1<<62), int64(-1<<62))
	f.Fuzz(func(t *testing.T, user, arn, profile, host, sourceIdentity string, start, life int64) {
		p := validParams()
		p.User, p.UserARN, p.Profile, p.Host, p.SourceIdentity = user, arn, profile, host, sourceIdentity
		p.Now = time.Unix(0, start).UTC()
		p.ExpiresAt = p.Now.Add(time.Duration(life))
		s, err := New(p)
		if err != nil {
			return
		}
		for _, c := range s.User + s.UserARN + s.Profile + s.Host + s.SourceIdentity {
			if unicode.IsControl(c) {
				t.Fatalf("accepted a control character %U", c)
			}
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("New returned a session that does not validate: %v", err)
		}
		if !s.ExpiresAt.After(s.StartedAt) {
			t.Fatalf("accepted expiry %s not after start %s", s.ExpiresAt, s.StartedAt)
		}
	})
}
