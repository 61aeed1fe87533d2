package request

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// validParams returns parameters New accepts; each test case changes one
// thing.
func validParams() NewParams {
	return NewParams{
		ID:            "0123456789abcdef",
		Requester:     "alice",
		RequesterARN:  "arn:aws:iam::111122223333:user/alice",
		Profile:       "prod",
		Justification: "deploy the hotfix for INC-42",
		Duration:      time.Hour,
		Now:           t0,
	}
}

func TestNewValid(t *testing.T) {
	p := validParams()
	p.Justification = "  deploy the hotfix for INC-42\n"
	r, err := New(p)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	want := Request{
		ID: p.ID, Requester: "alice", RequesterARN: p.RequesterARN, Profile: "prod",
		Justification: "deploy the hotfix for INC-42", Duration: time.Hour,
		Status: StatusPending, Required: 1,
		CreatedAt: t0, UpdatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour),
	}
	if r.ID != want.ID || r.Requester != want.Requester || r.RequesterARN != want.RequesterARN ||
		r.Profile != want.Profile || r.Justification != want.Justification || r.Duration != want.Duration ||
		r.Status != want.Status || r.Required != want.Required || r.Version != 0 || r.AutoApproved ||
		!r.CreatedAt.Equal(want.CreatedAt) || !r.UpdatedAt.Equal(want.UpdatedAt) ||
		!r.ExpiresAt.Equal(want.ExpiresAt) || !r.DecidedAt.IsZero() || len(r.Reviews) != 0 {
		t.Fatalf("New returned\n%+v\nwant\n%+v", *r, want)
	}
}

func TestNewSettings(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(p *NewParams)
		check func(t *testing.T, r *Request)
	}{
		{"custom pending TTL", func(p *NewParams) { p.PendingTTL = time.Hour }, func(t *testing.T, r *Request) {
			if !r.ExpiresAt.Equal(t0.Add(time.Hour)) {
				t.Errorf("ExpiresAt = %s, want one hour after creation", r.ExpiresAt)
			}
		}},
		{"required approvals kept", func(p *NewParams) { p.Required = 3 }, func(t *testing.T, r *Request) {
			if r.Required != 3 {
				t.Errorf("Required = %d, want 3", r.Required)
			}
		}},
		{"times stored in UTC", func(p *NewParams) { p.Now = t0.In(time.FixedZone("CET", 3600)) }, func(t *testing.T, r *Request) {
			if r.CreatedAt.Location() != time.UTC || !r.CreatedAt.Equal(t0) {
				t.Errorf("CreatedAt = %s, want %s in UTC", r.CreatedAt, t0)
			}
		}},
		{"no ARN is allowed", func(p *NewParams) { p.RequesterARN = "" }, func(t *testing.T, r *Request) {}},
		{"custom maximum duration", func(p *NewParams) { p.MaxDuration = 12 * time.Hour; p.Duration = 12 * time.Hour }, func(t *testing.T, r *Request) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validParams()
			tt.edit(&p)
			r, err := New(p)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			tt.check(t, r)
		})
	}
}

func TestNewInvalid(t *testing.T) {
	tests := []struct {
		name string
		edit func(p *NewParams)
		// want is a fragment the message must contain, so the user learns
		// the limit.
		want string
	}{
		{"empty id", func(p *NewParams) { p.ID = "" }, "16 lowercase hex"},
		{"short id", func(p *NewParams) { p.ID = "0123456789abcde" }, "16 lowercase hex"},
		{"long id", func(p *NewParams) { p.ID = "0123456789abcdef0" }, "16 lowercase hex"},
		{"uppercase id", func(p *NewParams) { p.ID = "0123456789ABCDEF" }, "16 lowercase hex"},
		{"non-hex id", func(p *NewParams) { p.ID = "0123456789abcdeg" }, "16 lowercase hex"},
		{"no requester", func(p *NewParams) { p.Requester = "" }, "requester is required"},
		{"padded requester", func(p *NewParams) { p.Requester = " alice" }, "spaces"},
		{"requester with newline", func(p *NewParams) { p.Requester = "alice\nbob" }, "control character"},
		{"requester too long", func(p *NewParams) { p.Requester = strings.Repeat("é", record.MaxName+1) }, "at most 256"},
		{"requester not UTF-8", func(p *NewParams) { p.Requester = "al\xffice" }, "UTF-8"},
		{"ARN with control character", func(p *NewParams) { p.RequesterARN = "arn:aws\x1b[2J" }, "control character"},
		{"no profile", func(p *NewParams) { p.Profile = "" }, "profile is required"},
		{"justification too short", func(p *NewParams) { p.Justification = "123456789" }, "at least 10"},
		{"justification short after trimming", func(p *NewParams) { p.Justification = "   12345678   " }, "at least 10"},
		{"justification too long", func(p *NewParams) { p.Justification = strings.Repeat("x", MaxJustification+1) }, "at most 1000"},
		{"justification too long in runes", func(p *NewParams) { p.Justification = strings.Repeat("é", MaxJustification+1) }, "at most 1000"},
		{"justification with escape", func(p *NewParams) { p.Justification = "approve me \x1b[8mhidden text" }, "control character"},
		{"multi-line justification", func(p *NewParams) { p.Justification = "line one\n\tline two" }, "control character"},
		{"justification with tab", func(p *NewParams) { p.Justification = "please\tapprove this" }, "control character"},
		{"justification with override", func(p *NewParams) { p.Justification = "deploy to \u202Edorp now" }, "bidirectional"},
		{"justification with zero-width", func(p *NewParams) { p.Justification = "deploy to pr\u200Bod now" }, "invisible"},
		{"role ARN with newline", func(p *NewParams) { p.RoleARN = "arn:aws:iam::1:role/A\n" }, "role ARN"},
		{"justification not UTF-8", func(p *NewParams) { p.Justification = "fix the \xff outage now" }, "UTF-8"},
		{"duration zero", func(p *NewParams) { p.Duration = 0 }, "between 15m0s and 8h0m0s"},
		{"duration negative", func(p *NewParams) { p.Duration = -time.Hour }, "between 15m0s and 8h0m0s"},
		{"duration under minimum", func(p *NewParams) { p.Duration = 15*time.Minute - time.Second }, "between 15m0s and 8h0m0s"},
		{"duration over default maximum", func(p *NewParams) { p.Duration = 8*time.Hour + time.Second }, "between 15m0s and 8h0m0s"},
		{"duration over given maximum", func(p *NewParams) { p.MaxDuration = time.Hour; p.Duration = 2 * time.Hour }, "between 15m0s and 1h0m0s"},
		{"maximum under minimum", func(p *NewParams) { p.MaxDuration = 10 * time.Minute }, "below the minimum"},
		{"negative pending TTL", func(p *NewParams) { p.PendingTTL = -time.Minute }, "pending TTL"},
		{"negative required", func(p *NewParams) { p.Required = -1 }, "at least 1"},
		{"no clock", func(p *NewParams) { p.Now = time.Time{} }, "creation time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validParams()
			tt.edit(&p)
			r, err := New(p)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("New: got (%v, %v), want ErrInvalid", r, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestNewLimitsAreInclusive(t *testing.T) {
	tests := []struct {
		name string
		edit func(p *NewParams)
	}{
		{"shortest justification", func(p *NewParams) { p.Justification = "1234567890" }},
		{"shortest justification in runes", func(p *NewParams) { p.Justification = strings.Repeat("é", MinJustification) }},
		{"longest justification", func(p *NewParams) { p.Justification = strings.Repeat("é", MaxJustification) }},
		{"role ARN", func(p *NewParams) { p.RoleARN = "arn:aws:iam::111122223333:role/Admin" }},
		{"shortest duration", func(p *NewParams) { p.Duration = MinDuration }},
		{"longest duration", func(p *NewParams) { p.Duration = DefaultMaxDuration }},
		{"longest requester", func(p *NewParams) { p.Requester = strings.Repeat("é", record.MaxName) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validParams()
			tt.edit(&p)
			if _, err := New(p); err != nil {
				t.Fatalf("New: %v", err)
			}
		})
	}
}
