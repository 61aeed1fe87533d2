package session

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// active returns a fresh session started at t0 that expires at t0 + 1h.
func active(t *testing.T) *Session {
	t.Helper()
	s, err := New(validParams())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var (
	minute  = t0.Add(time.Minute)
	expires = t0.Add(time.Hour)
)

func TestTransitions(t *testing.T) {
	tests := []struct {
		name    string
		before  []func(s *Session) error
		op      func(s *Session) error
		wantErr error
		// wantStatus is the status a *StateError must carry.
		wantStatus Status
		check      func(t *testing.T, s *Session)
	}{
		{
			name: "touch counts and extends",
			op:   func(s *Session) error { return s.Touch(minute, minute.Add(2*time.Hour)) },
			check: func(t *testing.T, s *Session) {
				if s.RequestCount != 1 || !s.LastAccessAt.Equal(minute) || !s.ExpiresAt.Equal(minute.Add(2*time.Hour)) {
					t.Errorf("after touch: count %d, last %s, expires %s", s.RequestCount, s.LastAccessAt, s.ExpiresAt)
				}
			},
		},
		{
			name: "touch never shortens",
			op:   func(s *Session) error { return s.Touch(minute, minute.Add(15*time.Minute)) },
			check: func(t *testing.T, s *Session) {
				if s.RequestCount != 1 || !s.ExpiresAt.Equal(expires) {
					t.Errorf("after a touch with earlier credentials: count %d, expires %s (want %s)", s.RequestCount, s.ExpiresAt, expires)
				}
			},
		},
		{
			name:   "touches add up",
			before: steps(touch(minute), touch(minute.Add(time.Minute))),
			op:     touch(minute.Add(2 * time.Minute)),
			check: func(t *testing.T, s *Session) {
				if s.RequestCount != 3 {
					t.Errorf("count %d, want 3", s.RequestCount)
				}
			},
		},
		{name: "touch just before expiry", op: touch(expires.Add(-time.Nanosecond))},
		{name: "touch at expiry", op: touch(expires), wantErr: ErrExpired, wantStatus: StatusExpired},
		{name: "touch after expiry", op: touch(expires.Add(time.Hour)), wantErr: ErrNotActive, wantStatus: StatusExpired},
		{name: "touch of revoked", before: steps(revoke("bob")), op: touch(minute), wantErr: ErrRevoked, wantStatus: StatusRevoked},
		{name: "touch of expired", before: steps(expire(minute)), op: touch(minute), wantErr: ErrExpired, wantStatus: StatusExpired},
		{name: "touch without time", op: func(s *Session) error { return s.Touch(time.Time{}, expires) }, wantErr: ErrInvalid},
		{name: "touch without expiry", op: func(s *Session) error { return s.Touch(minute, time.Time{}) }, wantErr: ErrInvalid},
		{name: "touch with credentials already expired", op: func(s *Session) error { return s.Touch(minute, minute) }, wantErr: ErrInvalid},
		{
			name: "revoke records who, why and when",
			op:   func(s *Session) error { return s.Revoke("bob", "arn:aws:iam::1:user/bob", "  laptop stolen\n", minute) },
			check: func(t *testing.T, s *Session) {
				if s.Status != StatusRevoked || s.RevokedBy != "bob" || s.RevokedByARN != "arn:aws:iam::1:user/bob" ||
					s.RevokeReason != "laptop stolen" || !s.RevokedAt.Equal(minute) {
					t.Errorf("after revoke: %+v", *s)
				}
				if err := s.Validate(); err != nil {
					t.Errorf("revoked session does not validate: %v", err)
				}
			},
		},
		{name: "revoke past expiry of a stored active session", op: func(s *Session) error { return s.Revoke("bob", "", "late", expires.Add(time.Hour)) }},
		{name: "revoke twice", before: steps(revoke("bob")), op: revoke("carol"), wantErr: ErrTransition, wantStatus: StatusRevoked},
		{name: "revoke of expired", before: steps(expire(minute)), op: revoke("bob"), wantErr: ErrTransition, wantStatus: StatusExpired},
		{name: "revoke by nobody", op: revoke(""), wantErr: ErrInvalid},
		{name: "revoke without reason", op: func(s *Session) error { return s.Revoke("bob", "", "   ", minute) }, wantErr: ErrInvalid},
		{name: "revoke with escape in reason", op: func(s *Session) error { return s.Revoke("bob", "", "ok\x1b]0;owned\x07", minute) }, wantErr: ErrInvalid},
		{name: "revoke with longest reason", op: func(s *Session) error { return s.Revoke("bob", "", strings.Repeat("é", MaxReason), minute) }},
		{name: "revoke with over-long reason", op: func(s *Session) error { return s.Revoke("bob", "", strings.Repeat("é", MaxReason+1), minute) }, wantErr: ErrInvalid},
		{name: "revoke with control character in ARN", op: func(s *Session) error { return s.Revoke("bob", "arn\n", "stolen", minute) }, wantErr: ErrInvalid},
		{name: "revoke without time", op: func(s *Session) error { return s.Revoke("bob", "", "stolen", time.Time{}) }, wantErr: ErrInvalid},
		{
			name: "expire ends it",
			op:   expire(minute),
			check: func(t *testing.T, s *Session) {
				if s.Status != StatusExpired || s.RevokedBy != "" {
					t.Errorf("after expire: %+v", *s)
				}
			},
		},
		{name: "expire twice", before: steps(expire(minute)), op: expire(minute), wantErr: ErrTransition, wantStatus: StatusExpired},
		{name: "expire of revoked", before: steps(revoke("bob")), op: expire(minute), wantErr: ErrRevoked, wantStatus: StatusRevoked},
		{name: "expire without time", op: expire(time.Time{}), wantErr: ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := active(t)
			for i, step := range tt.before {
				if err := step(s); err != nil {
					t.Fatalf("setup step %d: %v", i, err)
				}
			}
			before := *s
			err := tt.op(s)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
				if *s != before {
					t.Fatalf("failed call changed the session:\n%+v\nwas\n%+v", *s, before)
				}
				var se *StateError
				if tt.wantStatus != "" && (!errors.As(err, &se) || se.Status != tt.wantStatus || se.ID != s.ID) {
					t.Fatalf("error %v is not a *StateError with status %s", err, tt.wantStatus)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.check != nil {
				tt.check(t, s)
			}
		})
	}
}

func TestStateErrorMatches(t *testing.T) {
	tests := []struct {
		status                           Status
		transition, notActive, rev, expd bool
	}{
		{StatusRevoked, true, true, true, false},
		{StatusExpired, true, true, false, true},
	}
	for _, tt := range tests {
		err := error(&StateError{ID: "0123456789abcdef", Op: "touch", Status: tt.status})
		if errors.Is(err, ErrTransition) != tt.transition || errors.Is(err, ErrNotActive) != tt.notActive ||
			errors.Is(err, ErrRevoked) != tt.rev || errors.Is(err, ErrExpired) != tt.expd {
			t.Errorf("StateError(%s) matches wrongly", tt.status)
		}
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalid) {
			t.Errorf("StateError(%s) matches ErrNotFound or ErrInvalid", tt.status)
		}
		if want := "cannot touch session 0123456789abcdef: it is " + string(tt.status); err.Error() != want {
			t.Errorf("message %q, want %q", err, want)
		}
	}
}

func TestEffectiveStatus(t *testing.T) {
	s := active(t)
	tests := []struct {
		now    time.Time
		want   Status
		active bool
	}{
		{t0, StatusActive, true},
		{expires.Add(-time.Nanosecond), StatusActive, true},
		{expires, StatusExpired, false},
		{expires.Add(time.Hour), StatusExpired, false},
	}
	for _, tt := range tests {
		if got := s.EffectiveStatus(tt.now); got != tt.want {
			t.Errorf("EffectiveStatus(%s) = %s, want %s", tt.now, got, tt.want)
		}
		if got := s.ActiveAt(tt.now); got != tt.active {
			t.Errorf("ActiveAt(%s) = %v, want %v", tt.now, got, tt.active)
		}
	}
	if err := s.Revoke("bob", "", "stolen", minute); err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{minute, expires.Add(time.Hour)} {
		if got := s.EffectiveStatus(now); got != StatusRevoked {
			t.Errorf("a revoked session reads as %s at %s", got, now)
		}
	}
}

func TestStatus(t *testing.T) {
	for _, s := range []Status{StatusActive, StatusRevoked, StatusExpired} {
		if !s.Valid() {
			t.Errorf("%s.Valid() = false", s)
		}
		if Kind.Machine.Final(s) != (s != StatusActive) {
			t.Errorf("Final(%s) = %v", s, Kind.Machine.Final(s))
		}
	}
	for _, s := range []Status{"", "Active", "closed"} {
		if s.Valid() {
			t.Errorf("%q.Valid() = true", s)
		}
	}
}

func touch(at time.Time) func(s *Session) error {
	return func(s *Session) error { return s.Touch(at, at.Add(15*time.Minute)) }
}

func revoke(by string) func(s *Session) error {
	return func(s *Session) error { return s.Revoke(by, "", "laptop stolen", minute) }
}

func expire(at time.Time) func(s *Session) error {
	return func(s *Session) error { return s.Expire(at) }
}

func steps(s ...func(s *Session) error) []func(s *Session) error { return s }
