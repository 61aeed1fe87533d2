package request

import (
	"errors"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// Status is where a request stands in its life.
type Status string

// The statuses of a request. Pending can change to any other; approved
// can change to revoked; the rest are final.
const (
	StatusPending   Status = "pending"
	StatusApproved  Status = "approved"
	StatusDenied    Status = "denied"
	StatusCancelled Status = "cancelled"
	StatusExpired   Status = "expired"
	// StatusRevoked is an approved request withdrawn before its window
	// ended (Revoke): it lifts nothing from then on.
	StatusRevoked Status = "revoked"
)

// Sentinel errors, checked with errors.Is.
var (
	// ErrNotFound means no request has the given ID.
	ErrNotFound = errors.New("request not found")
	// ErrConflict means a conditional write lost: the stored request was
	// changed by someone else (or already exists, on Create).
	ErrConflict = errors.New("request was changed concurrently")
	// ErrInvalid wraps every validation failure of a new request.
	ErrInvalid = errors.New("invalid request")
	// ErrTransition means the change is not allowed from the current state
	// or by this actor.
	ErrTransition = errors.New("request transition not allowed")
)

// Action is what a reviewer did to a request.
type Action string

// The two actions a reviewer can take.
const (
	ActionApprove Action = "approve"
	ActionDeny    Action = "deny"
)

// Review is one reviewer's decision on a request.
type Review struct {
	User    string    `json:"user"`
	ARN     string    `json:"arn"`
	Action  Action    `json:"action"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}

// Request is one person's request for access to one profile.
type Request struct {
	ID           string `json:"id"`
	Requester    string `json:"requester"`
	RequesterARN string `json:"requester_arn"`
	Profile      string `json:"profile"`
	// RoleARN is the role the policy pins the profile to, when it does; an
	// approval counts only for that role.
	RoleARN       string        `json:"role_arn,omitempty"`
	Justification string        `json:"justification"`
	Duration      time.Duration `json:"duration"`
	Status        Status        `json:"status"`
	// Required is the number of distinct approvals needed, copied from the
	// policy's approval rule when the request is created.
	Required int `json:"required"`
	// AutoApproved is true when the policy's auto_approve block granted
	// the request without a human.
	AutoApproved bool      `json:"auto_approved,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	// DecidedAt is when the request left pending. For an approved request it
	// is the start of the access window.
	DecidedAt time.Time `json:"decided_at,omitempty"`
	// ExpiresAt is when a still-pending request lapses.
	ExpiresAt time.Time `json:"expires_at"`
	Reviews   []Review  `json:"reviews,omitempty"`
	// RevokedBy, RevokedByARN, RevokeReason and RevokedAt record a Revoke.
	RevokedBy    string    `json:"revoked_by,omitempty"`
	RevokedByARN string    `json:"revoked_by_arn,omitempty"`
	RevokeReason string    `json:"revoke_reason,omitempty"`
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
	// Version is bumped by every successful Store.Change; conditional writes
	// compare it.
	Version int64 `json:"version"`
}

// Query selects requests for Store.List. At least one of Requester, Profile
// or Status must be set, so that every listing is served by an index.
type Query struct {
	Requester string
	Profile   string
	Status    Status
	// Limit caps the number returned after filtering; 0 means no cap.
	Limit int
}

// Store keeps requests. Implementations must be safe for concurrent use by
// many goroutines and many processes, and every state change must be a
// conditional write.
type Store interface {
	record.Store[Request, Status]
	IDPrefixIndex
}
