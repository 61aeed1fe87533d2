package request

import (
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/recordtest"
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
	recordtest.Accepts(t, New, validParams, []recordtest.Param[NewParams, *Request]{
		{Name: "custom pending TTL", Edit: func(p *NewParams) { p.PendingTTL = time.Hour }, Check: func(t *testing.T, r *Request) {
			if !r.ExpiresAt.Equal(t0.Add(time.Hour)) {
				t.Errorf("ExpiresAt = %s, want one hour after creation", r.ExpiresAt)
			}
		}},
		{Name: "required approvals kept", Edit: func(p *NewParams) { p.Required = 3 }, Check: func(t *testing.T, r *Request) {
			if r.Required != 3 {
				t.Errorf("Required = %d, want 3", r.Required)
			}
		}},
		{Name: "times stored in UTC", Edit: func(p *NewParams) { p.Now = t0.In(time.FixedZone("CET", 3600)) }, Check: func(t *testing.T, r *Request) {
			if r.CreatedAt.Location() != time.UTC || !r.CreatedAt.Equal(t0) {
				t.Errorf("CreatedAt = %s, want %s in UTC", r.CreatedAt, t0)
			}
		}},
		{Name: "no ARN is allowed", Edit: func(p *NewParams) { p.RequesterARN = "" }},
		{Name: "custom maximum duration", Edit: func(p *NewParams) { p.MaxDuration = 12 * time.Hour; p.Duration = 12 * time.Hour }},
	})
}

func TestNewInvalid(t *testing.T) {
	common := recordtest.Common[NewParams, *Request](func(p *NewParams) *string { return &p.ID },
		func(p *NewParams) *string { return &p.Profile }, func(p *NewParams) *string { return &p.RoleARN })
	recordtest.Rejects(t, New, validParams, ErrInvalid, common, []recordtest.Param[NewParams, *Request]{
		{Name: "no requester", Edit: func(p *NewParams) { p.Requester = "" }, Want: "requester is required"},
		{Name: "padded requester", Edit: func(p *NewParams) { p.Requester = " alice" }, Want: "spaces"},
		{Name: "requester with newline", Edit: func(p *NewParams) { p.Requester = "alice\nbob" }, Want: "control character"},
		{Name: "requester too long", Edit: func(p *NewParams) { p.Requester = strings.Repeat("é", record.MaxName+1) }, Want: "at most 256"},
		{Name: "requester not UTF-8", Edit: func(p *NewParams) { p.Requester = "al\xffice" }, Want: "UTF-8"},
		{Name: "ARN with control character", Edit: func(p *NewParams) { p.RequesterARN = "arn:aws\x1b[2J" }, Want: "control character"},
		{Name: "justification too short", Edit: func(p *NewParams) { p.Justification = "123456789" }, Want: "at least 10"},
		{Name: "justification short after trimming", Edit: func(p *NewParams) { p.Justification = "   12345678   " }, Want: "at least 10"},
		{Name: "justification too long", Edit: func(p *NewParams) { p.Justification = strings.Repeat("x", MaxJustification+1) }, Want: "at most 1000"},
		{Name: "justification too long in runes", Edit: func(p *NewParams) { p.Justification = strings.Repeat("é", MaxJustification+1) }, Want: "at most 1000"},
		{Name: "justification with escape", Edit: func(p *NewParams) { p.Justification = "approve me \x1b[8mhidden text" }, Want: "control character"},
		{Name: "multi-line justification", Edit: func(p *NewParams) { p.Justification = "line one\n\tline two" }, Want: "control character"},
		{Name: "justification with tab", Edit: func(p *NewParams) { p.Justification = "please\tapprove this" }, Want: "control character"},
		{Name: "justification with override", Edit: func(p *NewParams) { p.Justification = "deploy to \u202Edorp now" }, Want: "bidirectional"},
		{Name: "justification with zero-width", Edit: func(p *NewParams) { p.Justification = "deploy to pr\u200Bod now" }, Want: "invisible"},
		{Name: "justification not UTF-8", Edit: func(p *NewParams) { p.Justification = "fix the \xff outage now" }, Want: "UTF-8"},
		{Name: "duration zero", Edit: func(p *NewParams) { p.Duration = 0 }, Want: "between 15m0s and 8h0m0s"},
		{Name: "duration negative", Edit: func(p *NewParams) { p.Duration = -time.Hour }, Want: "between 15m0s and 8h0m0s"},
		{Name: "duration under minimum", Edit: func(p *NewParams) { p.Duration = 15*time.Minute - time.Second }, Want: "between 15m0s and 8h0m0s"},
		{Name: "duration over default maximum", Edit: func(p *NewParams) { p.Duration = 8*time.Hour + time.Second }, Want: "between 15m0s and 8h0m0s"},
		{Name: "duration over given maximum", Edit: func(p *NewParams) { p.MaxDuration = time.Hour; p.Duration = 2 * time.Hour }, Want: "between 15m0s and 1h0m0s"},
		{Name: "maximum under minimum", Edit: func(p *NewParams) { p.MaxDuration = 10 * time.Minute }, Want: "below the minimum"},
		{Name: "negative pending TTL", Edit: func(p *NewParams) { p.PendingTTL = -time.Minute }, Want: "pending TTL"},
		{Name: "negative required", Edit: func(p *NewParams) { p.Required = -1 }, Want: "at least 1"},
		{Name: "no clock", Edit: func(p *NewParams) { p.Now = time.Time{} }, Want: "creation time"},
	})
}

func TestNewLimitsAreInclusive(t *testing.T) {
	recordtest.Accepts(t, New, validParams, []recordtest.Param[NewParams, *Request]{
		{Name: "shortest justification", Edit: func(p *NewParams) { p.Justification = "1234567890" }},
		{Name: "shortest justification in runes", Edit: func(p *NewParams) { p.Justification = strings.Repeat("é", MinJustification) }},
		{Name: "longest justification", Edit: func(p *NewParams) { p.Justification = strings.Repeat("é", MaxJustification) }},
		{Name: "role ARN", Edit: func(p *NewParams) { p.RoleARN = "arn:aws:iam::111122223333:role/Admin" }},
		{Name: "shortest duration", Edit: func(p *NewParams) { p.Duration = MinDuration }},
		{Name: "longest duration", Edit: func(p *NewParams) { p.Duration = DefaultMaxDuration }},
		{Name: "longest requester", Edit: func(p *NewParams) { p.Requester = strings.Repeat("é", record.MaxName) }},
	})
}
