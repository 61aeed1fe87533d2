package revocation

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// ErrLeaseHeld means another writer holds an unexpired lease on the role.
var ErrLeaseHeld = errors.New("another writer holds the role's revocation lease")

// Store is where the revocation list lives, on either backend: the
// entries (record.Store), and what the IAM writer needs around them. IAM
// has no conditional write, so the writes of one role's policy are
// serialised by a lease item per role; the list version, bumped in the
// same write as every entry change, tells the lease holder whether the
// list changed while it wrote.
type Store interface {
	record.Store[Entry, Status]
	// TakeLease takes the lease of role for holder until until, if no
	// other holder has one that is unexpired at now; a holder may take
	// its own lease again (to extend it). A lease held by someone else
	// returns an error matching ErrLeaseHeld and changes nothing.
	TakeLease(ctx context.Context, role, holder string, now, until time.Time) error
	// ReleaseLease gives the lease of role up, if holder still holds it;
	// a lease taken over by another holder is left alone.
	ReleaseLease(ctx context.Context, role, holder string) error
	// ListVersion returns the list's version: 0 for an empty list, and
	// bumped by every Create and Change of an entry, in the same write.
	ListVersion(ctx context.Context) (int64, error)
}

// LeaseKey is the key of role's lease: role ARNs are compared ignoring
// case, as IAM's role names are unique regardless of case.
func LeaseKey(role string) string { return strings.ToLower(role) }

// AllStatuses are the stored statuses, for listing every entry by the
// status index (sessions sync-aws).
var AllStatuses = []Status{StatusActive, StatusPruned, StatusLifted}
