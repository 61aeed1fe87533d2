package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/internal/field"
)

// breakglassView is how a break-glass event is shown, in tables and as JSON.
type breakglassView struct {
	ID              string            `json:"id"`
	Status          breakglass.Status `json:"status"`
	Profile         string            `json:"profile"`
	Invoker         string            `json:"invoker"`
	InvokerARN      string            `json:"invoker_arn"`
	ReasonCode      string            `json:"reason_code"`
	Justification   string            `json:"justification"`
	DurationSeconds int64             `json:"duration_seconds"`
	OpenedAt        time.Time         `json:"opened_at"`
	ExpiresAt       time.Time         `json:"expires_at"`
	ClosedAt        *time.Time        `json:"closed_at,omitempty"`
	ClosedBy        string            `json:"closed_by,omitempty"`
	CloseReason     string            `json:"close_reason,omitempty"`
}

func viewBreakglass(e *breakglass.Event, now time.Time) breakglassView {
	v := breakglassView{
		ID: e.ID, Status: e.EffectiveStatus(now), Profile: e.Profile, Invoker: e.Invoker, InvokerARN: e.InvokerARN,
		ReasonCode: string(e.ReasonCode), Justification: e.Justification, DurationSeconds: int64(e.Duration.Seconds()),
		OpenedAt: e.OpenedAt.UTC(), ExpiresAt: e.ExpiresAt.UTC(), ClosedBy: e.ClosedBy, CloseReason: e.CloseReason,
	}
	if !e.ClosedAt.IsZero() {
		c := e.ClosedAt.UTC()
		v.ClosedAt = &c
	}
	return v
}

// shownEvent is a break-glass event as it is being shown.
type shownEvent = shown[*breakglass.Event, breakglassView]

// breakglassRecords declares how break-glass events are listed and shown.
var breakglassRecords = &recordKind[*breakglass.Event, breakglass.Query, breakglassView]{
	statuses:   []string{"active", "closed", "expired"},
	statusHelp: "Only events with this status.",
	setStatus:  func(q *breakglass.Query, s string) { q.Status = breakglass.Status(s) },
	filters: []filterFlag[breakglass.Query]{
		{"profile", "Only events for this profile.", func(q *breakglass.Query, v string) { q.Profile = v }},
		{"invoker", "Only events opened by this user.", func(q *breakglass.Query, v string) { q.Invoker = v }},
	},
	idHelp: "Event ID.",
	list:   Operations.ListBreakglass,
	get:    Operations.GetBreakglass,
	view:   viewBreakglass,
	columns: []column[*breakglass.Event, breakglassView]{
		{"ID", func(s shownEvent) string { return field.Display(s.v.ID) }},
		{"STATUS", func(s shownEvent) string { return field.Display(string(s.v.Status)) }},
		{"PROFILE", func(s shownEvent) string { return field.Display(s.v.Profile) }},
		{"INVOKER", func(s shownEvent) string { return field.Display(s.v.Invoker) }},
		{"ACCOUNT", func(s shownEvent) string { return field.Display(accountOf(s.v.InvokerARN)) }},
		{"REASON", func(s shownEvent) string { return field.Display(s.v.ReasonCode) }},
		{"OPENED", func(s shownEvent) string { return timeOrDash(s.v.OpenedAt) }},
		{"ENDS", func(s shownEvent) string { return endsCell(s.v.ExpiresAt, s.now) }},
	},
	detail: writeBreakglassDetail,
}

func writeBreakglassDetail(w io.Writer, s shownEvent) {
	e, v, now := s.it, s.v, s.now
	fmt.Fprintf(w, "ID:            %s\n", field.Display(v.ID))
	fmt.Fprintf(w, "Status:        %s\n", field.Display(string(v.Status)))
	fmt.Fprintf(w, "Profile:       %s\n", field.Display(v.Profile))
	fmt.Fprintf(w, "Invoker:       %s (%s, account %s)\n", field.Display(v.Invoker), field.Display(v.InvokerARN), field.Display(accountOf(v.InvokerARN)))
	if e.RoleARN != "" {
		fmt.Fprintf(w, "Role:          %s\n", field.Display(e.RoleARN))
	}
	fmt.Fprintf(w, "Reason code:   %s\n", field.Display(v.ReasonCode))
	fmt.Fprintf(w, "Justification: %s\n", field.Display(v.Justification))
	fmt.Fprintf(w, "Duration:      %s\n", e.Duration)
	fmt.Fprintf(w, "Opened:        %s\n", timeOrDash(v.OpenedAt))
	fmt.Fprintf(w, "Ends:          %s\n", endsDetail(v.ExpiresAt, now, v.Status == breakglass.StatusActive))
	if v.ClosedAt != nil {
		fmt.Fprintf(w, "Closed:        %s by %s: %s\n", timeOrDash(*v.ClosedAt), field.Display(v.ClosedBy), field.Display(v.CloseReason))
	}
}
