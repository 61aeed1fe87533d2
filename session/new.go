package session

import (
	"cmp"
	"time"

	"github.com/sentinel-cli/sentinel/record"
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
// yet. Every failure wraps ErrInvalid (and record.ErrInvalid) and says
// which rule was broken.
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
func (s *Session) Validate() error { return errs.Wrap(s.validate()) }

func (s *Session) validate() error {
	if s == nil {
		return record.Invalidf("nil session")
	}
	if err := record.CheckID(s.ID); err != nil {
		return err
	}
	for _, c := range []struct {
		what, value string
		max         int
		required    bool
	}{
		{"user", s.User, record.MaxName, true},
		{"user ARN", s.UserARN, record.MaxARN, true},
		{"account", s.Account, record.MaxName, true},
		{"profile", s.Profile, record.MaxName, true},
		{"role ARN", s.RoleARN, record.MaxARN, false},
		{"host", s.Host, record.MaxName, false},
		{"source identity", s.SourceIdentity, MaxSourceIdentity, false},
		{"revoked by", s.RevokedBy, record.MaxName, false},
		{"revoked by ARN", s.RevokedByARN, record.MaxARN, false},
	} {
		check := record.OptionalName
		if c.required {
			check = record.Name
		}
		if err := check(c.what, c.value, c.max); err != nil {
			return err
		}
	}
	if s.RevokeReason != "" {
		if err := trimmedReason("revoke reason", s.RevokeReason); err != nil {
			return err
		}
	}
	if err := cmp.Or(
		record.Require(s.PID >= 0, "pid %d is negative", s.PID),
		record.Require(s.RequestCount >= 0, "request count %d is negative", s.RequestCount),
		record.Require(s.Version >= 0, "version %d is negative", s.Version),
		record.Time("start time", s.StartedAt),
		record.Time("last access time", s.LastAccessAt),
		record.Time("expiry", s.ExpiresAt),
		record.OptionalTime("revoke time", s.RevokedAt),
		record.Require(s.ExpiresAt.After(s.StartedAt), "expiry %s is not after the start %s",
			s.ExpiresAt.UTC().Format(time.RFC3339), s.StartedAt.UTC().Format(time.RFC3339)),
	); err != nil {
		return err
	}
	revoked := s.RevokedBy != "" || s.RevokedByARN != "" || s.RevokeReason != "" || !s.RevokedAt.IsZero()
	switch s.Status {
	case StatusRevoked:
		return record.Require(s.RevokedBy != "" && s.RevokeReason != "" && !s.RevokedAt.IsZero(),
			"a revoked session needs who revoked it, why and when")
	case StatusActive, StatusExpired:
		return record.Require(!revoked, "a %s session carries revocation details", s.Status)
	}
	return record.Invalidf("unknown status %q", s.Status)
}
