package session

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/recordtest"
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

// subject makes the active sessions the shared transition tests start
// from.
var subject = recordtest.Subject[Session]{Fresh: active, Clone: recordtest.Copy[Session], Equal: recordtest.Same[Session]}

var (
	minute  = t0.Add(time.Minute)
	expires = t0.Add(time.Hour)
)

func TestTransitions(t *testing.T) {
	recordtest.Transitions(t, subject, []recordtest.Step[Session]{
		{
			Name: "touch counts and extends",
			Op:   func(s *Session) error { return s.Touch(minute, minute.Add(2*time.Hour)) },
			Check: func(t *testing.T, s *Session) {
				if s.RequestCount != 1 || !s.LastAccessAt.Equal(minute) || !s.ExpiresAt.Equal(minute.Add(2*time.Hour)) {
					t.Errorf("after touch: count %d, last %s, expires %s", s.RequestCount, s.LastAccessAt, s.ExpiresAt)
				}
			},
		},
		{
			Name: "touch never shortens",
			Op:   func(s *Session) error { return s.Touch(minute, minute.Add(15*time.Minute)) },
			Check: func(t *testing.T, s *Session) {
				if s.RequestCount != 1 || !s.ExpiresAt.Equal(expires) {
					t.Errorf("after a touch with earlier credentials: count %d, expires %s (want %s)", s.RequestCount, s.ExpiresAt, expires)
				}
			},
		},
		{
			Name:   "touches add up",
			Before: steps(touch(minute), touch(minute.Add(time.Minute))),
			Op:     touch(minute.Add(2 * time.Minute)),
			Check: func(t *testing.T, s *Session) {
				if s.RequestCount != 3 {
					t.Errorf("count %d, want 3", s.RequestCount)
				}
			},
		},
		{Name: "touch just before expiry", Op: touch(expires.Add(-time.Nanosecond))},
		{Name: "touch at expiry", Op: touch(expires), WantErr: ErrExpired, CheckErr: stateError(StatusExpired)},
		{Name: "touch after expiry", Op: touch(expires.Add(time.Hour)), WantErr: ErrNotActive, CheckErr: stateError(StatusExpired)},
		{Name: "touch of revoked", Before: steps(revoke("bob")), Op: touch(minute), WantErr: ErrRevoked, CheckErr: stateError(StatusRevoked)},
		{Name: "touch of expired", Before: steps(expire(minute)), Op: touch(minute), WantErr: ErrExpired, CheckErr: stateError(StatusExpired)},
		{Name: "touch without time", Op: func(s *Session) error { return s.Touch(time.Time{}, expires) }, WantErr: ErrInvalid},
		{Name: "touch without expiry", Op: func(s *Session) error { return s.Touch(minute, time.Time{}) }, WantErr: ErrInvalid},
		{Name: "touch with credentials already expired", Op: func(s *Session) error { return s.Touch(minute, minute) }, WantErr: ErrInvalid},
		{
			Name: "revoke records who, why and when",
			Op:   func(s *Session) error { return s.Revoke("bob", "arn:aws:iam::1:user/bob", "  laptop stolen\n", minute) },
			Check: func(t *testing.T, s *Session) {
				if s.Status != StatusRevoked || s.RevokedBy != "bob" || s.RevokedByARN != "arn:aws:iam::1:user/bob" ||
					s.RevokeReason != "laptop stolen" || !s.RevokedAt.Equal(minute) {
					t.Errorf("after revoke: %+v", *s)
				}
				if err := s.Validate(); err != nil {
					t.Errorf("revoked session does not validate: %v", err)
				}
			},
		},
		{Name: "revoke past expiry of a stored active session", Op: func(s *Session) error { return s.Revoke("bob", "", "late", expires.Add(time.Hour)) }},
		{Name: "revoke twice", Before: steps(revoke("bob")), Op: revoke("carol"), WantErr: ErrTransition, CheckErr: stateError(StatusRevoked)},
		{Name: "revoke of expired", Before: steps(expire(minute)), Op: revoke("bob"), WantErr: ErrTransition, CheckErr: stateError(StatusExpired)},
		{Name: "revoke by nobody", Op: revoke(""), WantErr: ErrInvalid},
		{Name: "revoke without reason", Op: func(s *Session) error { return s.Revoke("bob", "", "   ", minute) }, WantErr: ErrInvalid},
		{Name: "revoke with escape in reason", Op: func(s *Session) error { return s.Revoke("bob", "", "ok\x1b]0;owned\x07", minute) }, WantErr: ErrInvalid},
		{Name: "revoke with longest reason", Op: func(s *Session) error { return s.Revoke("bob", "", strings.Repeat("é", MaxReason), minute) }},
		{Name: "revoke with over-long reason", Op: func(s *Session) error { return s.Revoke("bob", "", strings.Repeat("é", MaxReason+1), minute) }, WantErr: ErrInvalid},
		{Name: "revoke with control character in ARN", Op: func(s *Session) error { return s.Revoke("bob", "arn\n", "stolen", minute) }, WantErr: ErrInvalid},
		{Name: "revoke without time", Op: func(s *Session) error { return s.Revoke("bob", "", "stolen", time.Time{}) }, WantErr: ErrInvalid},
		{
			Name: "expire ends it",
			Op:   expire(minute),
			Check: func(t *testing.T, s *Session) {
				if s.Status != StatusExpired || s.RevokedBy != "" {
					t.Errorf("after expire: %+v", *s)
				}
			},
		},
		{Name: "expire twice", Before: steps(expire(minute)), Op: expire(minute), WantErr: ErrTransition, CheckErr: stateError(StatusExpired)},
		{Name: "expire of revoked", Before: steps(revoke("bob")), Op: expire(minute), WantErr: ErrRevoked, CheckErr: stateError(StatusRevoked)},
		{Name: "expire without time", Op: expire(time.Time{}), WantErr: ErrInvalid},
	})
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

// stateError checks that a refusal is a *StateError of the session
// carrying status.
func stateError(status Status) func(t *testing.T, s *Session, err error) {
	return func(t *testing.T, s *Session, err error) {
		var se *StateError
		if !errors.As(err, &se) || se.Status != status || se.ID != s.ID {
			t.Fatalf("error %v is not a *StateError with status %s", err, status)
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
