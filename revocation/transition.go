package revocation

import (
	"fmt"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// Prune marks an active entry pruned at now, once every credential it
// targets has expired (now is at or after its ExpiresAt). Use it inside
// Store.Change.
func (e *Entry) Prune(now time.Time) error {
	if e.Status != StatusActive {
		return fmt.Errorf("%w: revocation entry %s is %s, not active", record.ErrTransition, e.ID, e.Status)
	}
	if now.Before(e.ExpiresAt) {
		return fmt.Errorf("%w: revocation entry %s still has credentials to deny until %s",
			record.ErrTransition, e.ID, stamp(e.ExpiresAt))
	}
	e.Status, e.EndedAt = StatusPruned, now.UTC()
	return nil
}

// Lift marks an active block entry lifted by an unblock at now. Store the
// entry NewUnblocked makes from the lifted block as well, so that the
// credentials issued before the block stay denied.
func (e *Entry) Lift(now time.Time, by, byARN string) error {
	if e.Target != TargetBlock {
		return fmt.Errorf("%w: revocation entry %s is a %s entry; only a block is lifted",
			record.ErrTransition, e.ID, e.Target)
	}
	if e.Status != StatusActive {
		return fmt.Errorf("%w: block entry %s is %s, not active", record.ErrTransition, e.ID, e.Status)
	}
	if err := record.Name("lifted by", by, record.MaxName); err != nil {
		return err
	}
	if err := record.OptionalName("lifted by ARN", byARN, record.MaxARN); err != nil {
		return err
	}
	if err := record.Time("lift time", now); err != nil {
		return err
	}
	e.Status, e.EndedAt, e.LiftedBy, e.LiftedByARN = StatusLifted, now.UTC(), by, byARN
	return nil
}

// Prune returns the entries due to be marked pruned at now: those stored
// as active whose ExpiresAt has passed, every credential they target
// having expired. An older entry follows the same rule and so is kept
// until its ExpiresAt, when the role's longest session issued before the
// fallback has expired; the entries it covered are pruned by their own
// expiry. The order of entries is kept; nil entries are skipped.
func Prune(entries []*Entry, now time.Time) []*Entry {
	var due []*Entry
	for _, e := range entries {
		if e != nil && e.Status == StatusActive && !now.Before(e.ExpiresAt) {
			due = append(due, e)
		}
	}
	return due
}
