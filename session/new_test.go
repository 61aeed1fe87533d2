package session

import (
	"errors"
	"strings"
	"testing"
	"time"

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
	tests := []struct {
		name string
		edit func(p *NewParams)
		want string
	}{
		{"empty id", func(p *NewParams) { p.ID = "" }, "16 lowercase hex"},
		{"uppercase id", func(p *NewParams) { p.ID = "0123456789ABCDEF" }, "16 lowercase hex"},
		{"block-like id", func(p *NewParams) { p.ID = "block#0123456789" }, "16 lowercase hex"},
		{"no user", func(p *NewParams) { p.User = "" }, "user is required"},
		{"user with newline", func(p *NewParams) { p.User = "alice\nbob" }, "control character"},
		{"user with escape", func(p *NewParams) { p.User = "alice\x1b[2J" }, "control character"},
		{"padded user", func(p *NewParams) { p.User = "alice " }, "spaces"},
		{"user too long", func(p *NewParams) { p.User = strings.Repeat("é", MaxName+1) }, "at most 256"},
		{"user not UTF-8", func(p *NewParams) { p.User = "al\xffice" }, "UTF-8"},
		{"no user ARN", func(p *NewParams) { p.UserARN = "" }, "user ARN is required"},
		{"user ARN too long", func(p *NewParams) { p.UserARN = strings.Repeat("a", record.MaxARN+1) }, "at most 2048"},
		{"no account", func(p *NewParams) { p.Account = "" }, "account is required"},
		{"no profile", func(p *NewParams) { p.Profile = "" }, "profile is required"},
		{"profile with NUL", func(p *NewParams) { p.Profile = "pr\x00od" }, "control character"},
		{"role ARN with tab", func(p *NewParams) { p.RoleARN = "arn:aws:iam::1:role/\tx" }, "control character"},
		{"host with DEL", func(p *NewParams) { p.Host = "laptop\x7f" }, "control character"},
		{"host too long", func(p *NewParams) { p.Host = strings.Repeat("h", MaxName+1) }, "at most 256"},
		{"source identity too long", func(p *NewParams) { p.SourceIdentity = strings.Repeat("s", MaxSourceIdentity+1) }, "at most 64"},
		{"negative pid", func(p *NewParams) { p.PID = -1 }, "negative"},
		{"no start", func(p *NewParams) { p.Now = time.Time{} }, "start time is missing"},
		{"no expiry", func(p *NewParams) { p.ExpiresAt = time.Time{} }, "expiry is missing"},
		{"expiry at start", func(p *NewParams) { p.ExpiresAt = p.Now }, "not after the start"},
		{"expiry before start", func(p *NewParams) { p.ExpiresAt = p.Now.Add(-time.Second) }, "not after the start"},
		{"start before 1970", func(p *NewParams) { p.Now = time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC) }, "1970-9999"},
		{"expiry after 9999", func(p *NewParams) { p.ExpiresAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "1970-9999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validParams()
			tt.edit(&p)
			s, err := New(p)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("New: got (%v, %v), want ErrInvalid", s, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
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
