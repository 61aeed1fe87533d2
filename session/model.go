package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// Status is where a session stands in its life.
type Status string

// The statuses of a session. Active is the only one that can change.
const (
	StatusActive  Status = "active"
	StatusRevoked Status = "revoked"
	StatusExpired Status = "expired"
)

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool { return machine.Known(s) }

// Sentinel errors, checked with errors.Is.
var (
	// ErrNotFound means no session has the given ID (or, for Unblock, the
	// user has no block in force).
	ErrNotFound = errors.New("session not found")
	// ErrConflict means Create found the ID taken.
	ErrConflict = errors.New("session already exists")
	// ErrInvalid wraps every validation failure.
	ErrInvalid = errors.New("invalid session")
	// ErrTransition means the change is not allowed from the session's
	// current state. Every *StateError matches it.
	ErrTransition = errors.New("session transition not allowed")
	// ErrNotActive means the session is revoked or expired, so it may issue
	// no more credentials. A *StateError matches it.
	ErrNotActive = errors.New("session is not active")
	// ErrRevoked means the session was revoked. A *StateError for a revoked
	// session matches it, and ErrNotActive too.
	ErrRevoked = errors.New("session was revoked")
	// ErrExpired means the session ended on its own or its child exited. A
	// *StateError for an expired session matches it, and ErrNotActive too.
	ErrExpired = errors.New("session has expired")
)

// StateError reports a change refused because of the session's state:
// Touch, Revoke or Expire of a session that is not active (for Touch, also
// one whose ExpiresAt has passed). It matches ErrTransition (and
// record.ErrTransition) and ErrNotActive, and ErrRevoked or ErrExpired
// according to Status.
type StateError struct {
	// ID is the session's ID.
	ID string
	// Op is the refused operation: "touch", "revoke" or "expire".
	Op string
	// Status is the session's effective status when it was refused.
	Status Status
}

// Error says which operation was refused and why.
func (e *StateError) Error() string {
	return fmt.Sprintf("cannot %s session %s: it is %s", e.Op, e.ID, e.Status)
}

// Is matches the sentinel errors listed on StateError.
func (e *StateError) Is(target error) bool {
	switch target {
	case ErrTransition, record.ErrTransition, ErrNotActive:
		return true
	case ErrRevoked:
		return e.Status == StatusRevoked
	case ErrExpired:
		return e.Status == StatusExpired
	}
	return false
}

// Session is one server-mode session: who runs it, for which profile and
// role, from where, and how far it got.
type Session struct {
	ID string `json:"id"`
	// User is the caller's name as sentinel knows them (the IAM user name
	// or the role session's name).
	User string `json:"user"`
	// UserARN is the caller's ARN from sts:GetCallerIdentity. Blocks and
	// listings by ARN compare it ignoring case.
	UserARN string `json:"user_arn"`
	// Account is the caller's AWS account ID.
	Account string `json:"account"`
	Profile string `json:"profile"`
	// RoleARN is the role the profile assumes; empty for a profile that
	// issues session tokens without a role.
	RoleARN string `json:"role_arn,omitempty"`
	// Host and PID say where the serving process runs, for people
	// hunting a session down; both are evidence reported by that process.
	Host   string `json:"host,omitempty"`
	PID    int    `json:"pid,omitempty"`
	Status Status `json:"status"`
	// StartedAt is when the session was created.
	StartedAt time.Time `json:"started_at"`
	// LastAccessAt is the time of the touch stored last.
	LastAccessAt time.Time `json:"last_access_at"`
	// RequestCount counts the credentials issued under the session: one
	// per Touch.
	RequestCount int64 `json:"request_count"`
	// ExpiresAt is when the session ends on its own: the later of the end
	// it was created with and the expiry of the latest credentials issued
	// under it. No credentials issued under it outlive it.
	ExpiresAt time.Time `json:"expires_at"`
	// SourceIdentity is the STS SourceIdentity the session's credentials
	// carry, so CloudTrail entries join to it.
	SourceIdentity string    `json:"source_identity,omitempty"`
	RevokedBy      string    `json:"revoked_by,omitempty"`
	RevokedByARN   string    `json:"revoked_by_arn,omitempty"`
	RevokeReason   string    `json:"revoke_reason,omitempty"`
	RevokedAt      time.Time `json:"revoked_at,omitempty"`
	// Version is bumped by every successful change in a store.
	Version int64 `json:"version"`
}

// Block refuses credentials to one person (by person key, see BlockKey)
// until it ends or is lifted: the answer to a stolen laptop.
type Block struct {
	UserARN string `json:"user_arn"`
	// Until is when the block ends on its own; the zero time means it
	// lasts until lifted.
	Until  time.Time `json:"until,omitempty"`
	By     string    `json:"by"`
	ByARN  string    `json:"by_arn,omitempty"`
	Reason string    `json:"reason"`
	// At is when the block was put in place.
	At time.Time `json:"at"`
	// LiftedBy, LiftedByARN and LiftedAt record an Unblock.
	LiftedBy    string    `json:"lifted_by,omitempty"`
	LiftedByARN string    `json:"lifted_by_arn,omitempty"`
	LiftedAt    time.Time `json:"lifted_at,omitempty"`
}

// Query selects sessions for Store.List. At least one of User, UserARN,
// Profile or Status must be set, so that every listing is served by an
// index.
type Query struct {
	// User matches the user name exactly.
	User string
	// UserARN matches the user's ARN ignoring case.
	UserARN string
	Profile string
	// Status matches the stored status, not the effective one.
	Status Status
	// Limit caps the number returned after filtering; 0 means no cap.
	Limit int
}

// Store keeps sessions and user blocks. Implementations must be safe for
// concurrent use by many goroutines and many processes, and every change
// must be a conditional write: a touch never resurrects a revoked or
// expired session, and a revoke racing touches always ends revoked.
type Store interface {
	// Get, Change and List as for every kind. Create stores a new active
	// session (checked with CheckNew). It returns ErrConflict if the ID
	// exists, and a *BlockedError when the person of its UserARN has a
	// block in force at StartedAt, checked in the same atomic write.
	record.Store[Session, Status]
	// Touch records one issuance at at: RequestCount plus one (atomically:
	// concurrent touches never lose a count), LastAccessAt = at, and
	// ExpiresAt = expires if that is later. It succeeds only while the
	// stored status is active and at is before ExpiresAt; otherwise it
	// returns a *StateError (ErrRevoked or ErrExpired) and changes nothing.
	// An unknown ID, or a session whose user ARN is not userARN (ignoring
	// case), is ErrNotFound. In the same atomic write it checks the block
	// of the session's person: with one in force at at it returns a
	// *BlockedError (ErrBlocked) and changes nothing. This is the write
	// made just before credentials are handed out, so a block that
	// returned before it always wins.
	Touch(ctx context.Context, id, userARN string, at, expires time.Time) error

	// Block stores b (checked with Block.Validate), replacing any earlier
	// block of the same person: blocks are keyed by BlockKey, the person
	// key of UserARN, so a block on one ARN of a person holds for all.
	Block(ctx context.Context, b Block) error
	// ActiveBlock returns the block of the person of userARN if one is in
	// force at now; ok is false if there is none.
	ActiveBlock(ctx context.Context, userARN string, now time.Time) (b *Block, ok bool, err error)
	// Unblock lifts the block of userARN that is in force at at, recording
	// who lifted it. With no block in force it returns ErrNotFound.
	Unblock(ctx context.Context, userARN, by, byARN string, at time.Time) error
}
