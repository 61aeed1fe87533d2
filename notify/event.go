package notify

import (
	"slices"
	"time"
)

// The events a webhook may subscribe to.
const (
	EventRequestCreated   = "request.created"
	EventRequestApproved  = "request.approved"
	EventRequestDenied    = "request.denied"
	EventRequestCancelled = "request.cancelled"
	EventBreakglassOpened = "breakglass.opened"
	EventBreakglassClosed = "breakglass.closed"
	EventSessionRevoked   = "session.revoked"
)

// Events lists every event a webhook may subscribe to.
var Events = []string{
	EventRequestCreated, EventRequestApproved, EventRequestDenied, EventRequestCancelled,
	EventBreakglassOpened, EventBreakglassClosed, EventSessionRevoked,
}

// KnownEvent reports whether name is one of Events.
func KnownEvent(name string) bool {
	return slices.Contains(Events, name)
}

// Event is one lifecycle change, as the JSON body of a webhook sends it.
// Text fields other than the IDs were written by people (justifications,
// comments, reasons) and are untrusted.
type Event struct {
	// Event is one of the Event constants.
	Event string `json:"event"`
	// ID is the request, break-glass event or session ID.
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
	// Actor is who acted (the requester for request.created, the reviewer
	// for request.approved, ...), with their ARN.
	Actor    string `json:"actor"`
	ActorARN string `json:"actor_arn,omitempty"`
	// Subject is whom the record is for: the requester, the break-glass
	// invoker or the session's user, with their ARN and account.
	Subject        string `json:"subject"`
	SubjectARN     string `json:"subject_arn,omitempty"`
	SubjectAccount string `json:"subject_account,omitempty"`
	Profile        string `json:"profile"`
	RoleARN        string `json:"role_arn,omitempty"`
	Status         string `json:"status"`
	Justification  string `json:"justification,omitempty"`
	ReasonCode     string `json:"reason_code,omitempty"`
	// Comment is the reviewer's comment, the close or revoke reason.
	Comment         string `json:"comment,omitempty"`
	DurationSeconds int64  `json:"duration_seconds,omitempty"`
	// Approvals and Required count the approvals of a request.
	Approvals int `json:"approvals,omitempty"`
	Required  int `json:"required,omitempty"`
	// ExpiresAt is when a pending request lapses, or when access granted
	// (an approval's window, a break-glass event) ends.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}
