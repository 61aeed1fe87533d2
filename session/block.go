package session

import (
	"fmt"
	"strings"
	"time"
)

// FoldARN is the form in which stores key and compare user ARNs: lower
// case, so that a block or a listing by ARN cannot be dodged by changing
// the case of a name IAM treats as the same.
func FoldARN(arn string) string { return strings.ToLower(arn) }

// Validate checks a block before it is stored, and every block read back:
// the ARNs and names, a reason of 1-1000 characters, the times, and an end
// after the start.
func (b *Block) Validate() error {
	if b == nil {
		return fmt.Errorf("%w: nil block", ErrInvalid)
	}
	if err := checkName("blocked user ARN", b.UserARN, MaxARN); err != nil {
		return err
	}
	if err := checkName("blocked by", b.By, MaxName); err != nil {
		return err
	}
	if err := checkOptionalName("blocked by ARN", b.ByARN, MaxARN); err != nil {
		return err
	}
	reason, err := checkText("block reason", b.Reason, 1, MaxReason)
	if err != nil {
		return err
	}
	if reason != b.Reason {
		return fmt.Errorf("%w: block reason has leading or trailing spaces", ErrInvalid)
	}
	if err := checkTime("block time", b.At); err != nil {
		return err
	}
	if err := checkOptionalTime("block end", b.Until); err != nil {
		return err
	}
	if !b.Until.IsZero() && !b.Until.After(b.At) {
		return fmt.Errorf("%w: block end %s is not after its start %s", ErrInvalid,
			b.Until.UTC().Format(time.RFC3339), b.At.UTC().Format(time.RFC3339))
	}
	if err := checkOptionalName("lifted by", b.LiftedBy, MaxName); err != nil {
		return err
	}
	if err := checkOptionalName("lifted by ARN", b.LiftedByARN, MaxARN); err != nil {
		return err
	}
	if err := checkOptionalTime("lift time", b.LiftedAt); err != nil {
		return err
	}
	if (b.LiftedBy == "") != b.LiftedAt.IsZero() || (b.LiftedByARN != "" && b.LiftedBy == "") {
		return fmt.Errorf("%w: a lifted block needs who lifted it and when", ErrInvalid)
	}
	return nil
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
	if err := checkName("lifted by", by, MaxName); err != nil {
		return err
	}
	if err := checkOptionalName("lifted by ARN", byARN, MaxARN); err != nil {
		return err
	}
	return checkTime("lift time", at)
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
