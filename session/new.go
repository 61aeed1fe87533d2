package session

import (
	"fmt"
	"time"
)

// NewParams holds everything New needs to start a session.
type NewParams struct {
	ID             string
	User           string
	UserARN        string
	Account        string
	Profile        string
	RoleARN        string
	Host           string
	PID            int
	SourceIdentity string
	// Now is the start time, from the caller's clock.
	Now time.Time
	// ExpiresAt is when the session ends unless a Touch extends it; it
	// must be after Now.
	ExpiresAt time.Time
}

// New validates p and returns an active session with no request counted
// yet. Every failure wraps ErrInvalid and says which rule was broken.
func New(p NewParams) (*Session, error) {
	s := &Session{
		ID:             p.ID,
		User:           p.User,
		UserARN:        p.UserARN,
		Account:        p.Account,
		Profile:        p.Profile,
		RoleARN:        p.RoleARN,
		Host:           p.Host,
		PID:            p.PID,
		SourceIdentity: p.SourceIdentity,
		Status:         StatusActive,
		StartedAt:      p.Now.UTC(),
		LastAccessAt:   p.Now.UTC(),
		ExpiresAt:      p.ExpiresAt.UTC(),
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// Validate checks every field of s: the ID's shape, every string (length
// caps, no control characters, no surrounding spaces), the status and the
// fields it implies, and the times. Stores call it on Create and on every
// item they read back, since a stored record is evidence, not authority.
func (s *Session) Validate() error {
	if s == nil {
		return fmt.Errorf("%w: nil session", ErrInvalid)
	}
	if !ValidID(s.ID) {
		return fmt.Errorf("%w: id must be %d lowercase hex characters", ErrInvalid, IDLength)
	}
	for _, c := range []struct {
		what, value string
		max         int
		required    bool
	}{
		{"user", s.User, MaxName, true},
		{"user ARN", s.UserARN, MaxARN, true},
		{"account", s.Account, MaxName, true},
		{"profile", s.Profile, MaxName, true},
		{"role ARN", s.RoleARN, MaxARN, false},
		{"host", s.Host, MaxName, false},
		{"source identity", s.SourceIdentity, MaxSourceIdentity, false},
		{"revoked by", s.RevokedBy, MaxName, false},
		{"revoked by ARN", s.RevokedByARN, MaxARN, false},
	} {
		check := checkOptionalName
		if c.required {
			check = checkName
		}
		if err := check(c.what, c.value, c.max); err != nil {
			return err
		}
	}
	if s.RevokeReason != "" {
		reason, err := checkText("revoke reason", s.RevokeReason, 1, MaxReason)
		if err != nil {
			return err
		}
		if reason != s.RevokeReason {
			return fmt.Errorf("%w: revoke reason has leading or trailing spaces", ErrInvalid)
		}
	}
	if s.PID < 0 {
		return fmt.Errorf("%w: pid %d is negative", ErrInvalid, s.PID)
	}
	if s.RequestCount < 0 {
		return fmt.Errorf("%w: request count %d is negative", ErrInvalid, s.RequestCount)
	}
	if s.Version < 0 {
		return fmt.Errorf("%w: version %d is negative", ErrInvalid, s.Version)
	}
	for _, c := range []struct {
		what string
		t    time.Time
	}{{"start time", s.StartedAt}, {"last access time", s.LastAccessAt}, {"expiry", s.ExpiresAt}} {
		if err := checkTime(c.what, c.t); err != nil {
			return err
		}
	}
	if err := checkOptionalTime("revoke time", s.RevokedAt); err != nil {
		return err
	}
	if !s.ExpiresAt.After(s.StartedAt) {
		return fmt.Errorf("%w: expiry %s is not after the start %s", ErrInvalid,
			s.ExpiresAt.UTC().Format(time.RFC3339), s.StartedAt.UTC().Format(time.RFC3339))
	}
	revoked := s.RevokedBy != "" || s.RevokedByARN != "" || s.RevokeReason != "" || !s.RevokedAt.IsZero()
	switch s.Status {
	case StatusRevoked:
		if s.RevokedBy == "" || s.RevokeReason == "" || s.RevokedAt.IsZero() {
			return fmt.Errorf("%w: a revoked session needs who revoked it, why and when", ErrInvalid)
		}
	case StatusActive, StatusExpired:
		if revoked {
			return fmt.Errorf("%w: a %s session carries revocation details", ErrInvalid, s.Status)
		}
	default:
		return fmt.Errorf("%w: unknown status %q", ErrInvalid, s.Status)
	}
	return nil
}
