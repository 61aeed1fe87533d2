package revocation

import (
	"fmt"
	"time"
)

// Fixed values the tests share.
var (
	t0    = time.Date(2026, 12, 8, 3, 0, 0, 0, time.UTC)
	roleA = "arn:aws:iam::111122223333:role/deploy"
	roleB = "arn:aws:iam::111122223333:role/team/admin"
	roleC = "arn:aws-us-gov:iam::444455556666:role/Other"
)

// mk builds an active entry directly, with a fixed ID made from n, so
// that goldens are stable. created and expires are offsets from t0.
func mk(n int, target Target, value string, created, expires time.Duration, roles ...string) *Entry {
	if len(roles) == 0 {
		roles = []string{roleA}
	}
	e := &Entry{
		ID:        fmt.Sprintf("%016x", n),
		Target:    target,
		Value:     value,
		Roles:     roles,
		CreatedAt: t0.Add(created),
		ExpiresAt: t0.Add(expires),
		By:        "admin",
		ByARN:     "arn:aws:iam::111122223333:user/admin",
		Status:    StatusActive,
	}
	return e
}

// unblocked builds an unblocked entry for label, blocked at blocked and
// unblocked at created (offsets from t0).
func unblocked(n int, label string, blocked, created, expires time.Duration, roles ...string) *Entry {
	e := mk(n, TargetUnblocked, label, created, expires, roles...)
	e.BlockedAt = t0.Add(blocked)
	return e
}

// older builds an older entry of role with its time at issued (an offset
// from t0).
func older(n int, issued, expires time.Duration, role string) *Entry {
	e := mk(n, TargetOlder, "", issued, expires, role)
	e.IssuedBefore = t0.Add(issued)
	e.By, e.ByARN = SystemActor, ""
	return e
}

// sid returns a session ID made from n.
func sid(n int) string { return fmt.Sprintf("5e55%012x", n) }
