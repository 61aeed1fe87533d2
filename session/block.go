package session

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// FoldARN is the form in which stores key and compare user ARNs: lower
// case, so that a block or a listing by ARN cannot be dodged by changing
// the case of a name IAM treats as the same.
func FoldARN(arn string) string { return strings.ToLower(arn) }

// Validate checks a block before it is stored, and every block read back:
// the ARNs and names, a reason of 1-1000 characters, the times, and an end
// after the start.
func (b *Block) Validate() error { return errs.Wrap(b.validate()) }

func (b *Block) validate() error {
	if b == nil {
		return record.Invalidf("nil block")
	}
	return cmp.Or(
		record.Name("blocked user ARN", b.UserARN, record.MaxARN),
		record.Actor("blocked by", b.By, b.ByARN),
		trimmedReason("block reason", b.Reason),
		record.Time("block time", b.At),
		record.OptionalTime("block end", b.Until),
		record.Require(b.Until.IsZero() || b.Until.After(b.At), "block end %s is not after its start %s",
			b.Until.UTC().Format(time.RFC3339), b.At.UTC().Format(time.RFC3339)),
		record.OptionalName("lifted by", b.LiftedBy, record.MaxName),
		record.OptionalName("lifted by ARN", b.LiftedByARN, record.MaxARN),
		record.OptionalTime("lift time", b.LiftedAt),
		record.Require((b.LiftedBy == "") == b.LiftedAt.IsZero() && (b.LiftedByARN == "" || b.LiftedBy != ""),
			"a lifted block needs who lifted it and when"),
	)
}

// NewBlock trims the reason of b, stores its times in UTC, clears any lift
// and validates it.
func NewBlock(b Block) (*Block, error) {
	b.Reason = strings.TrimSpace(b.Reason)
	b.At = b.At.UTC()
	b.Until = b.Until.UTC()
	b.LiftedBy, b.LiftedByARN, b.LiftedAt = "", "", time.Time{}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return &b, nil
}

// ActiveAt reports whether the block refuses new sessions at now: it is
// not lifted and its end, if any, is after now. The start is not checked,
// so a server whose clock runs behind the approver's still honours it.
func (b *Block) ActiveAt(now time.Time) bool {
	return b.LiftedAt.IsZero() && (b.Until.IsZero() || now.Before(b.Until))
}

// CheckLift validates the arguments of Unblock.
func CheckLift(by, byARN string, at time.Time) error {
	return errs.Wrap(cmp.Or(record.Actor("lifted by", by, byARN), record.Time("lift time", at)))
}

// Lift records that by lifted the block at at. The block must be in force
// at at; otherwise Lift returns ErrNotFound.
func (b *Block) Lift(by, byARN string, at time.Time) error {
	if err := CheckLift(by, byARN, at); err != nil {
		return err
	}
	if !b.ActiveAt(at) {
		return fmt.Errorf("%w: no block in force for %s", ErrNotFound, b.UserARN)
	}
	b.LiftedBy, b.LiftedByARN, b.LiftedAt = by, byARN, at.UTC()
	return nil
}
