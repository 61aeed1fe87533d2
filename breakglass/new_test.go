package breakglass

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
	tests := []struct {
		name string
		edit func(p *NewParams)
		want string
	}{
		{"empty id", func(p *NewParams) { p.ID = "" }, "16 lowercase hex"},
		{"uppercase id", func(p *NewParams) { p.ID = "0123456789ABCDEF" }, "16 lowercase hex"},
		{"no invoker", func(p *NewParams) { p.Invoker = "" }, "invoker is required"},
		{"invoker with tab", func(p *NewParams) { p.Invoker = "ali\tce" }, "control character"},
		{"invoker too long", func(p *NewParams) { p.Invoker = strings.Repeat("a", record.MaxName+1) }, "at most 256"},
		{"ARN with newline", func(p *NewParams) { p.InvokerARN = "arn:aws\n" }, "spaces"},
		{"no profile", func(p *NewParams) { p.Profile = "" }, "profile is required"},
		{"no reason code", func(p *NewParams) { p.ReasonCode = "" }, "must be one of"},
		{"unknown reason code", func(p *NewParams) { p.ReasonCode = "boredom" }, "must be one of"},
		{"reason code in another case", func(p *NewParams) { p.ReasonCode = "Incident" }, "must be one of"},
		{"justification too short", func(p *NewParams) { p.Justification = strings.Repeat("x", MinJustification-1) }, "at least 20"},
		{"justification short after trimming", func(p *NewParams) { p.Justification = "  " + strings.Repeat("x", 19) + "\n\n" }, "at least 20"},
		{"justification too long", func(p *NewParams) { p.Justification = strings.Repeat("é", MaxJustification+1) }, "at most 2000"},
		{"justification with escape", func(p *NewParams) { p.Justification = "the database is down \x1b[1A" }, "control character"},
		{"multi-line justification", func(p *NewParams) { p.Justification = "the database is down\nsecond line" }, "control character"},
		{"justification with override", func(p *NewParams) { p.Justification = "the database \u202Enwod si" }, "bidirectional"},
		{"justification with zero-width", func(p *NewParams) { p.Justification = "the database\uFEFF is down now" }, "invisible"},
		{"role ARN with newline", func(p *NewParams) { p.RoleARN = "arn:aws:iam::1:role/A\n" }, "role ARN"},
		{"duration zero", func(p *NewParams) { p.Duration = 0 }, "between 15m0s and 4h0m0s"},
		{"duration under minimum", func(p *NewParams) { p.Duration = MinDuration - 1 }, "between 15m0s and 4h0m0s"},
		{"duration over default maximum", func(p *NewParams) { p.Duration = DefaultMaxDuration + 1 }, "between 15m0s and 4h0m0s"},
		{"duration over given maximum", func(p *NewParams) { p.MaxDuration = 30 * time.Minute }, "between 15m0s and 30m0s"},
		{"maximum under minimum", func(p *NewParams) { p.MaxDuration = time.Minute }, "below the minimum"},
		{"no clock", func(p *NewParams) { p.Now = time.Time{} }, "opening time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validParams()
			tt.edit(&p)
			e, err := New(p)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("New: got (%v, %v), want ErrInvalid", e, err)
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
		{"shortest justification", func(p *NewParams) { p.Justification = strings.Repeat("é", MinJustification) }},
		{"longest justification", func(p *NewParams) { p.Justification = strings.Repeat("é", MaxJustification) }},
		{"shortest duration", func(p *NewParams) { p.Duration = MinDuration }},
		{"longest default duration", func(p *NewParams) { p.Duration = DefaultMaxDuration }},
		{"longest given duration", func(p *NewParams) { p.MaxDuration = 12 * time.Hour; p.Duration = 12 * time.Hour }},
		{"no ARN", func(p *NewParams) { p.InvokerARN = "" }},
		{"role ARN", func(p *NewParams) { p.RoleARN = "arn:aws:iam::111122223333:role/Admin" }},
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
