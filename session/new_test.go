package session

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/recordtest"
	"github.com/sentinel-cli/sentinel/record"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const aliceARN = "arn:aws:iam::111122223333:user/alice"

// validParams returns parameters New accepts; each test case changes one
// thing.
func validParams() NewParams {
	return NewParams{
		ID:             "0123456789abcdef",
		User:           "alice",
		UserARN:        aliceARN,
		Account:        "111122223333",
		Profile:        "prod",
		RoleARN:        "arn:aws:iam::111122223333:role/deploy",
		Host:           "alice-laptop",
		PID:            4242,
		SourceIdentity: "alice",
		Now:            t0,
		ExpiresAt:      t0.Add(time.Hour),
	}
}

func TestNewValid(t *testing.T) {
	p := validParams()
	p.Now = t0.In(time.FixedZone("CET", 3600))
	s, err := New(p)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	want := Session{
		ID: p.ID, User: "alice", UserARN: aliceARN, Account: "111122223333", Profile: "prod",
		RoleARN: p.RoleARN, Host: "alice-laptop", PID: 4242, SourceIdentity: "alice",
		Status: StatusActive, StartedAt: t0, LastAccessAt: t0, ExpiresAt: t0.Add(time.Hour),
	}
	if *s != want {
		t.Fatalf("New returned\n%+v\nwant\n%+v", *s, want)
	}
	if s.StartedAt.Location() != time.UTC || s.ExpiresAt.Location() != time.UTC {
		t.Errorf("times not in UTC: %s, %s", s.StartedAt.Location(), s.ExpiresAt.Location())
	}
	p = validParams()
	p.RoleARN, p.Host, p.PID, p.SourceIdentity = "", "", 0, ""
	if _, err := New(p); err != nil {
		t.Errorf("New without the optional fields: %v", err)
	}
}

func TestNewInvalid(t *testing.T) {
	common := recordtest.Common[NewParams, *Session](func(p *NewParams) *string { return &p.ID },
		func(p *NewParams) *string { return &p.Profile }, func(p *NewParams) *string { return &p.RoleARN })
	recordtest.Rejects(t, New, validParams, ErrInvalid, common, []recordtest.Param[NewParams, *Session]{
		{Name: "no user", Edit: func(p *NewParams) { p.User = "" }, Want: "user is required"},
		{Name: "user with newline", Edit: func(p *NewParams) { p.User = "alice\nbob" }, Want: "control character"},
		{Name: "user with escape", Edit: func(p *NewParams) { p.User = "alice\x1b[2J" }, Want: "control character"},
		{Name: "padded user", Edit: func(p *NewParams) { p.User = "alice " }, Want: "spaces"},
		{Name: "user too long", Edit: func(p *NewParams) { p.User = strings.Repeat("é", MaxName+1) }, Want: "at most 256"},
		{Name: "user not UTF-8", Edit: func(p *NewParams) { p.User = "al\xffice" }, Want: "UTF-8"},
		{Name: "no user ARN", Edit: func(p *NewParams) { p.UserARN = "" }, Want: "user ARN is required"},
		{Name: "user ARN too long", Edit: func(p *NewParams) { p.UserARN = strings.Repeat("a", record.MaxARN+1) }, Want: "at most 2048"},
		{Name: "no account", Edit: func(p *NewParams) { p.Account = "" }, Want: "account is required"},
		{Name: "profile with NUL", Edit: func(p *NewParams) { p.Profile = "pr\x00od" }, Want: "control character"},
		{Name: "host with DEL", Edit: func(p *NewParams) { p.Host = "laptop\x7f" }, Want: "control character"},
		{Name: "host too long", Edit: func(p *NewParams) { p.Host = strings.Repeat("h", MaxName+1) }, Want: "at most 256"},
		{Name: "source identity too long", Edit: func(p *NewParams) { p.SourceIdentity = strings.Repeat("s", MaxSourceIdentity+1) }, Want: "at most 64"},
		{Name: "negative pid", Edit: func(p *NewParams) { p.PID = -1 }, Want: "negative"},
		{Name: "no start", Edit: func(p *NewParams) { p.Now = time.Time{} }, Want: "start time is missing"},
		{Name: "no expiry", Edit: func(p *NewParams) { p.ExpiresAt = time.Time{} }, Want: "expiry is missing"},
		{Name: "expiry at start", Edit: func(p *NewParams) { p.ExpiresAt = p.Now }, Want: "not after the start"},
		{Name: "expiry before start", Edit: func(p *NewParams) { p.ExpiresAt = p.Now.Add(-time.Second) }, Want: "not after the start"},
		{Name: "start before 1970", Edit: func(p *NewParams) { p.Now = time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC) }, Want: "1970-9999"},
		{Name: "expiry after 9999", Edit: func(p *NewParams) { p.ExpiresAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, Want: "1970-9999"},
	})
}

// TestValidateStoredSessions covers the rules New never meets: those on
// the fields a session gains later, as a store reads them back.
func TestValidateStoredSessions(t *testing.T) {
	revoked := func(s *Session) {
		s.Status, s.RevokedBy, s.RevokeReason, s.RevokedAt = StatusRevoked, "bob", "laptop stolen", t0.Add(time.Minute)
	}
	tests := []struct {
		name  string
		edit  func(s *Session)
		valid bool
	}{
		{"active", func(s *Session) {}, true},
		{"revoked with details", revoked, true},
		{"revoked with ARN", func(s *Session) { revoked(s); s.RevokedByARN = "arn:aws:iam::1:user/bob" }, true},
		{"expired", func(s *Session) { s.Status = StatusExpired }, true},
		{"counted", func(s *Session) { s.RequestCount = 1 << 40 }, true},
		{"unknown status", func(s *Session) { s.Status = "paused" }, false},
		{"empty status", func(s *Session) { s.Status = "" }, false},
		{"revoked without reason", func(s *Session) { revoked(s); s.RevokeReason = "" }, false},
		{"revoked without revoker", func(s *Session) { revoked(s); s.RevokedBy = "" }, false},
		{"revoked without time", func(s *Session) { revoked(s); s.RevokedAt = time.Time{} }, false},
		{"active with revocation details", func(s *Session) { s.RevokedBy = "bob" }, false},
		{"expired with revoke time", func(s *Session) { s.Status = StatusExpired; s.RevokedAt = t0 }, false},
		{"reason with escape", func(s *Session) { revoked(s); s.RevokeReason = "stolen\x1b[2K" }, false},
		{"reason untrimmed", func(s *Session) { revoked(s); s.RevokeReason = " stolen" }, false},
		{"reason too long", func(s *Session) { revoked(s); s.RevokeReason = strings.Repeat("x", MaxReason+1) }, false},
		{"negative count", func(s *Session) { s.RequestCount = -1 }, false},
		{"negative version", func(s *Session) { s.Version = -1 }, false},
		{"no last access", func(s *Session) { s.LastAccessAt = time.Time{} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(validParams())
			if err != nil {
				t.Fatal(err)
			}
			tt.edit(s)
			err = s.Validate()
			if tt.valid && err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if !tt.valid && !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate: got %v, want ErrInvalid", err)
			}
		})
	}
	var nilSession *Session
	if err := nilSession.Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Validate of nil: got %v", err)
	}
}

func TestNewID(t *testing.T) {
	id, err := NewID()
	if err != nil || !ValidID(id) {
		t.Fatalf("NewID = %q, %v", id, err)
	}
}
