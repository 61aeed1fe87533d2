package logging

import (
	"context"
	"errors"
	"fmt"
)

// An Anchorer records a head of the log somewhere its writer cannot
// silently change, so that a later truncation or rewrite of the log is
// caught by checking the log against the recorded heads.
//
// Implementations: WebhookAnchorer (POSTs the head), the shared store
// (store/local and store/dynamodb, a record per log that only moves
// forward). The team service is the intended strong one: it records the
// head with the caller's proven identity; it implements this interface and,
// to be checked by `log verify --anchors`, AnchorSource.
type Anchorer interface {
	// Anchor records h. Recording a head behind one already recorded for
	// the same log is refused with an error matching ErrAnchorBehind.
	Anchor(ctx context.Context, h Head) error
	// String names the anchor for messages (no secrets).
	String() string
}

// An AnchorSource can read back the last head it recorded for a log.
type AnchorSource interface {
	// LastAnchor returns the last head recorded for the log named log,
	// and false if there is none.
	LastAnchor(ctx context.Context, log string) (Head, bool, error)
	// String names the anchor for messages.
	String() string
}

// ErrAnchorBehind means an anchor refused a head that does not move its
// record forward: a lower seq, or the same seq with another hash (a fork).
var ErrAnchorBehind = errors.New("anchor refused a head behind or beside the one it holds")

// AnchorAll sends h to every anchor and returns the errors joined, each
// naming its anchor. One failing anchor does not stop the others.
func AnchorAll(ctx context.Context, anchors []Anchorer, h Head) error {
	var errs []error
	for _, a := range anchors {
		if err := a.Anchor(ctx, h); err != nil {
			errs = append(errs, fmt.Errorf("anchor %s: %w", a, err))
		}
	}
	return errors.Join(errs...)
}

// Advances reports whether next may replace cur in a forward-only record:
// a higher seq, or the very same head again (a retry).
func Advances(cur, next Head) bool {
	return next.Seq > cur.Seq || (next.Seq == cur.Seq && next.Hash == cur.Hash)
}

// ValidHead checks the shape of a head read from somewhere else (an
// anchor, a flag): a positive seq and a hash of 64 lower-case hex digits.
// A head with seq 0 and a hash is accepted when anySeq is true.
func ValidHead(h Head, anySeq bool) error {
	if len(h.Hash) != 64 || !isLowerHex(h.Hash) {
		return fmt.Errorf("head hash %q is not 64 lower-case hex digits", h.Hash)
	}
	if h.Seq < 0 || (h.Seq == 0 && !anySeq) {
		return fmt.Errorf("head seq %d is not positive", h.Seq)
	}
	return nil
}
