package breakglass

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/record"
)

// Status is where a break-glass event stands.
type Status string

// The statuses of an event. Active is the only one that can change.
const (
	StatusActive  Status = "active"
	StatusClosed  Status = "closed"
	StatusExpired Status = "expired"
)

// ReasonCode classifies why the glass was broken.
type ReasonCode string

// The reason codes a break-glass event may carry.
const (
	ReasonIncident    ReasonCode = "incident"
	ReasonMaintenance ReasonCode = "maintenance"
	ReasonSecurity    ReasonCode = "security"
	ReasonRecovery    ReasonCode = "recovery"
	ReasonOther       ReasonCode = "other"
)

// Sentinel errors, checked with errors.Is.
var (
	// ErrNotFound means no event has the given ID.
	ErrNotFound = errors.New("break-glass event not found")
	// ErrConflict means a conditional write lost: the stored event was
	// changed by someone else (or already exists).
	ErrConflict = errors.New("break-glass event was changed concurrently")
	// ErrActiveExists means the invoker already has an active event for the
	// profile; at most one may be active per user and profile.
	ErrActiveExists = errors.New("an active break-glass event already exists for this user and profile")
	// ErrInvalid wraps every validation failure of a new event.
	ErrInvalid = errors.New("invalid break-glass event")
	// ErrTransition means the change is not allowed from the current state.
	ErrTransition = errors.New("break-glass transition not allowed")
	// ErrLimit means a cooldown or the daily limit forbids a new event.
	ErrLimit = errors.New("break-glass limit reached")
)

// Event is one break-glass event.
type Event struct {
	ID         string `json:"id"`
	Invoker    string `json:"invoker"`
	InvokerARN string `json:"invoker_arn"`
	Profile    string `json:"profile"`
	// RoleARN is the role the profile is pinned to by the policy, when it
	// is. The one-active-event lock, the cooldown and the daily limit are
	// keyed by it, so that aliases of one role share them. Records written
	// before it existed have none and are keyed by Profile.
	RoleARN       string        `json:"role_arn,omitempty"`
	ReasonCode    ReasonCode    `json:"reason_code"`
	Justification string        `json:"justification"`
	Duration      time.Duration `json:"duration"`
	Status        Status        `json:"status"`
	OpenedAt      time.Time     `json:"opened_at"`
	// ExpiresAt is OpenedAt + Duration: when access ends on its own.
	ExpiresAt   time.Time `json:"expires_at"`
	ClosedAt    time.Time `json:"closed_at,omitempty"`
	ClosedBy    string    `json:"closed_by,omitempty"`
	CloseReason string    `json:"close_reason,omitempty"`
	// Version is bumped by every successful Store.Change.
	Version int64 `json:"version"`
}

// LimitKey is what the one-active-event lock, the cooldown and the daily
// limit are keyed by: the pinned role when there is one, else the profile.
func (e *Event) LimitKey() string {
	if e.RoleARN != "" {
		return e.RoleARN
	}
	return e.Profile
}

// legacyPersonPrefix starts the person key of an event stored without an
// invoker ARN. No caller's person key starts so (they are ARNs or "sso:"),
// so such an event counts for nobody's limits.
const legacyPersonPrefix = "name:"

// PersonKey is who opened the event, as a person: person.KeyOf of the
// invoker ARN. The lock, the cooldown and the daily limit are the person's,
// whatever name a role session gave itself.
func (e *Event) PersonKey() string {
	if e.InvokerARN == "" {
		return legacyPersonPrefix + strings.ToLower(e.Invoker)
	}
	return person.KeyOf(e.InvokerARN)
}

// Query selects events for Store.List. At least one of Invoker, Profile or
// Status must be set, so that every listing is served by an index.
type Query struct {
	Invoker string
	Profile string
	Status  Status
	// Limit caps the number returned after filtering; 0 means no cap.
	Limit int
}

// Store keeps break-glass events. Implementations must be safe for
// concurrent use by many goroutines and many processes.
type Store interface {
	// Get, Change and List as for every kind; there is no plain Create:
	// Open is the only way an event comes into being. Change releases the
	// per-person lock, and records its end for the cooldown, in the same
	// atomic write when an event leaves active.
	record.Reader[Event, Status]
	// Open stores a new active event. In the same atomic write it enforces
	// that the invoker has no other unexpired active event for the event's
	// LimitKey (ErrActiveExists) and that lim allows a new event, as
	// CheckLimits decides with e.OpenedAt as the present (ErrLimit). Both
	// come as a *LimitError saying when the next event becomes possible.
	// It returns ErrConflict if the ID exists.
	Open(ctx context.Context, e *Event, lim Limits) error
}
