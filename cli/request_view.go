package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sentinel-cli/sentinel/internal/field"
	"github.com/sentinel-cli/sentinel/request"
)

// requestView is how a request is shown, in tables and as JSON.
type requestView struct {
	ID              string         `json:"id"`
	Status          request.Status `json:"status"`
	Profile         string         `json:"profile"`
	Requester       string         `json:"requester"`
	RequesterARN    string         `json:"requester_arn"`
	Justification   string         `json:"justification"`
	DurationSeconds int64          `json:"duration_seconds"`
	Approvals       int            `json:"approvals"`
	Required        int            `json:"required"`
	AutoApproved    bool           `json:"auto_approved,omitempty"`
	CreatedAt       time.Time      `json:"created_at"`
	DecidedAt       *time.Time     `json:"decided_at,omitempty"`
	PendingUntil    time.Time      `json:"pending_until"`
	WindowEnd       *time.Time     `json:"window_end,omitempty"`
	// AccessActive is true while an approved request's window is open.
	AccessActive bool             `json:"access_active"`
	Reviews      []request.Review `json:"reviews"`
	// Revoked is set for a revoked request: who withdrew it, when, why.
	Revoked *revokedView `json:"revoked,omitempty"`
}

// revokedView is the revocation of a request (`sentinel requests revoke`).
type revokedView struct {
	By     string    `json:"by"`
	ByARN  string    `json:"by_arn,omitempty"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

func viewRequest(r *request.Request, now time.Time) requestView {
	v := requestView{
		ID: r.ID, Status: r.EffectiveStatus(now), Profile: r.Profile, Requester: r.Requester, RequesterARN: r.RequesterARN,
		Justification: r.Justification, DurationSeconds: int64(r.Duration.Seconds()), Required: r.Required,
		Approvals: r.Approvals(), AutoApproved: r.AutoApproved, CreatedAt: r.CreatedAt.UTC(), PendingUntil: r.ExpiresAt.UTC(), Reviews: r.Reviews,
	}
	if v.Reviews == nil {
		v.Reviews = []request.Review{}
	}
	if !r.DecidedAt.IsZero() {
		d := r.DecidedAt.UTC()
		v.DecidedAt = &d
	}
	if r.Status == request.StatusApproved {
		end := r.WindowEnd().UTC()
		v.WindowEnd = &end
		v.AccessActive = r.ActiveAt(now)
	}
	if r.Status == request.StatusRevoked {
		v.Revoked = &revokedView{By: r.RevokedBy, ByARN: r.RevokedByARN, Reason: r.RevokeReason, At: r.RevokedAt.UTC()}
	}
	return v
}

// shownRequest is a request as it is being shown.
type shownRequest = shown[*request.Request, requestView]

// requestRecords declares how requests are listed and shown.
var requestRecords = &recordKind[*request.Request, request.Query, requestView]{
	statuses:   []string{"pending", "approved", "denied", "cancelled", "expired", "revoked"},
	statusHelp: "Only requests with this status.",
	setStatus:  func(q *request.Query, s string) { q.Status = request.Status(s) },
	filters: []filterFlag[request.Query]{
		{"profile", "Only requests for this profile.", func(q *request.Query, v string) { q.Profile = v }},
		{"requester", "Only requests by this user.", func(q *request.Query, v string) { q.Requester = v }},
	},
	idHelp: requestIDHelp,
	list:   Operations.ListRequests,
	get: func(ops Operations, ctx context.Context, arg string) (*request.Request, error) {
		id, err := ops.ResolveRequestID(ctx, arg)
		if err != nil {
			return nil, err
		}
		return ops.GetRequest(ctx, id)
	},
	view: viewRequest,
	columns: []column[*request.Request, requestView]{
		{"ID", func(s shownRequest) string { return field.Display(s.v.ID) }},
		{"STATUS", func(s shownRequest) string { return field.Display(statusLabel(s.v)) }},
		{"PROFILE", func(s shownRequest) string { return field.Display(s.v.Profile) }},
		{"REQUESTER", func(s shownRequest) string { return field.Display(s.v.Requester) }},
		{"ACCOUNT", func(s shownRequest) string { return field.Display(accountOf(s.v.RequesterARN)) }},
		{"DURATION", func(s shownRequest) string { return s.it.Duration.String() }},
		{"APPROVALS", func(s shownRequest) string { return fmt.Sprintf("%d/%d", s.v.Approvals, s.v.Required) }},
		{"CREATED", func(s shownRequest) string { return timeOrDash(s.v.CreatedAt) }},
	},
	detail: writeRequestDetail,
}

// requestIDHelp is the help of every request ID argument.
const requestIDHelp = "Request ID, or a unique prefix of at least 6 of its digits."

func writeRequestDetail(w io.Writer, s shownRequest) {
	r, v, now := s.it, s.v, s.now
	fmt.Fprintf(w, "ID:            %s\n", field.Display(v.ID))
	fmt.Fprintf(w, "Status:        %s\n", field.Display(statusLabel(v)))
	fmt.Fprintf(w, "Profile:       %s\n", field.Display(v.Profile))
	fmt.Fprintf(w, "Requester:     %s (%s, account %s)\n", field.Display(v.Requester), field.Display(v.RequesterARN), field.Display(accountOf(v.RequesterARN)))
	if r.RoleARN != "" {
		fmt.Fprintf(w, "Role:          %s\n", field.Display(r.RoleARN))
	}
	fmt.Fprintf(w, "Justification: %s\n", field.Display(v.Justification))
	fmt.Fprintf(w, "Duration:      %s\n", r.Duration)
	fmt.Fprintf(w, "Approvals:     %d of %d required\n", v.Approvals, v.Required)
	fmt.Fprintf(w, "Created:       %s\n", timeOrDash(v.CreatedAt))
	if r.Status == request.StatusPending {
		fmt.Fprintf(w, "Pending until: %s\n", timeOrDash(v.PendingUntil))
	}
	if v.DecidedAt != nil {
		fmt.Fprintf(w, "Decided:       %s\n", timeOrDash(*v.DecidedAt))
	}
	if v.WindowEnd != nil {
		fmt.Fprintf(w, "Access until:  %s\n", endsDetail(*v.WindowEnd, now, true))
	}
	if v.AutoApproved {
		fmt.Fprintf(w, "Auto-approved: yes\n")
	}
	if v.Revoked != nil {
		fmt.Fprintf(w, "Revoked:       by %s (account %s) at %s: %s\n", field.Display(v.Revoked.By), field.Display(accountOf(v.Revoked.ByARN)), timeOrDash(v.Revoked.At), field.Display(v.Revoked.Reason))
	}
	for _, rv := range v.Reviews {
		fmt.Fprintf(w, "Review:        %s by %s (account %s) at %s", field.Display(string(rv.Action)), field.Display(rv.User), field.Display(accountOf(rv.ARN)), timeOrDash(rv.At))
		if rv.Comment != "" {
			fmt.Fprintf(w, ": %s", field.Display(rv.Comment))
		}
		fmt.Fprintln(w)
	}
}

// statusLabel is the status for people: an approval whose window has
// closed reads "approved (ended)".
func statusLabel(v requestView) string {
	if v.Status == request.StatusApproved && !v.AccessActive {
		return "approved (ended)"
	}
	return string(v.Status)
}
