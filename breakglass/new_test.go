package breakglass

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
		Invoker:       "alice",
		InvokerARN:    "arn:aws:iam::111122223333:user/alice",
		Profile:       "prod",
		ReasonCode:    ReasonIncident,
		Justification: "  INC-42: the payment API is down  ",
		Duration:      time.Hour,
		Now:           t0,
	}
}

func TestNewValid(t *testing.T) {
	p := validParams()
	e, err := New(p)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if e.ID != p.ID || e.Invoker != "alice" || e.InvokerARN != p.InvokerARN || e.Profile != "prod" ||
		e.ReasonCode != ReasonIncident || e.Justification != "INC-42: the payment API is down" ||
		e.Duration != time.Hour || e.Status != StatusActive || e.Version != 0 ||
		!e.OpenedAt.Equal(t0) || !e.ExpiresAt.Equal(t0.Add(time.Hour)) ||
		!e.ClosedAt.IsZero() || e.ClosedBy != "" || e.CloseReason != "" {
		t.Fatalf("New returned %+v", *e)
	}
	p.Now = t0.In(time.FixedZone("PST", -8*3600))
	if e, err := New(p); err != nil || e.OpenedAt.Location() != time.UTC || e.ExpiresAt.Location() != time.UTC {
		t.Fatalf("New with a non-UTC clock: %v, %+v", err, e)
	}
}

func TestNewReasonCodes(t *testing.T) {
	for _, c := range []ReasonCode{ReasonIncident, ReasonMaintenance, ReasonSecurity, ReasonRecovery, ReasonOther} {
		p := validParams()
		p.ReasonCode = c
		if _, err := New(p); err != nil {
			t.Errorf("reason code %s: %v", c, err)
		}
	}
}

func TestNewInvalid(t *testing.T) {
	common := recordtest.Common[NewParams, *Event](func(p *NewParams) *string { return &p.ID },
		func(p *NewParams) *string { return &p.Profile }, func(p *NewParams) *string { return &p.RoleARN })
	recordtest.Rejects(t, New, validParams, ErrInvalid, common, []recordtest.Param[NewParams, *Event]{
		{Name: "no invoker", Edit: func(p *NewParams) { p.Invoker = "" }, Want: "invoker is required"},
		{Name: "invoker with tab", Edit: func(p *NewParams) { p.Invoker = "ali\tce" }, Want: "control character"},
		{Name: "invoker too long", Edit: func(p *NewParams) { p.Invoker = strings.Repeat("a", record.MaxName+1) }, Want: "at most 256"},
		{Name: "ARN with newline", Edit: func(p *NewParams) { p.InvokerARN = "arn:aws\n" }, Want: "spaces"},
		{Name: "no reason code", Edit: func(p *NewParams) { p.ReasonCode = "" }, Want: "must be one of"},
		{Name: "unknown reason code", Edit: func(p *NewParams) { p.ReasonCode = "boredom" }, Want: "must be one of"},
		{Name: "reason code in another case", Edit: func(p *NewParams) { p.ReasonCode = "Incident" }, Want: "must be one of"},
		{Name: "justification too short", Edit: func(p *NewParams) { p.Justification = strings.Repeat("x", MinJustification-1) }, Want: "at least 20"},
		{Name: "justification short after trimming", Edit: func(p *NewParams) { p.Justification = "  " + strings.Repeat("x", 19) + "\n\n" }, Want: "at least 20"},
		{Name: "justification too long", Edit: func(p *NewParams) { p.Justification = strings.Repeat("é", MaxJustification+1) }, Want: "at most 2000"},
		{Name: "justification with escape", Edit: func(p *NewParams) { p.Justification = "the database is down \x1b[1A" }, Want: "control character"},
		{Name: "multi-line justification", Edit: func(p *NewParams) { p.Justification = "the database is down\nsecond line" }, Want: "control character"},
		{Name: "justification with override", Edit: func(p *NewParams) { p.Justification = "the database \u202Enwod si" }, Want: "bidirectional"},
		{Name: "justification with zero-width", Edit: func(p *NewParams) { p.Justification = "the database\uFEFF is down now" }, Want: "invisible"},
		{Name: "duration zero", Edit: func(p *NewParams) { p.Duration = 0 }, Want: "between 15m0s and 4h0m0s"},
		{Name: "duration under minimum", Edit: func(p *NewParams) { p.Duration = MinDuration - 1 }, Want: "between 15m0s and 4h0m0s"},
		{Name: "duration over default maximum", Edit: func(p *NewParams) { p.Duration = DefaultMaxDuration + 1 }, Want: "between 15m0s and 4h0m0s"},
		{Name: "duration over given maximum", Edit: func(p *NewParams) { p.MaxDuration = 30 * time.Minute }, Want: "between 15m0s and 30m0s"},
		{Name: "maximum under minimum", Edit: func(p *NewParams) { p.MaxDuration = time.Minute }, Want: "below the minimum"},
		{Name: "no clock", Edit: func(p *NewParams) { p.Now = time.Time{} }, Want: "opening time"},
	})
}

func TestNewLimitsAreInclusive(t *testing.T) {
	recordtest.Accepts(t, New, validParams, []recordtest.Param[NewParams, *Event]{
		{Name: "shortest justification", Edit: func(p *NewParams) { p.Justification = strings.Repeat("é", MinJustification) }},
		{Name: "longest justification", Edit: func(p *NewParams) { p.Justification = strings.Repeat("é", MaxJustification) }},
		{Name: "shortest duration", Edit: func(p *NewParams) { p.Duration = MinDuration }},
		{Name: "longest default duration", Edit: func(p *NewParams) { p.Duration = DefaultMaxDuration }},
		{Name: "longest given duration", Edit: func(p *NewParams) { p.MaxDuration = 12 * time.Hour; p.Duration = 12 * time.Hour }},
		{Name: "no ARN", Edit: func(p *NewParams) { p.InvokerARN = "" }},
		{Name: "role ARN", Edit: func(p *NewParams) { p.RoleARN = "arn:aws:iam::111122223333:role/Admin" }},
	})
}
