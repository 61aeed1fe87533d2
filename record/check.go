package record

import (
	"fmt"
	"time"
)

// The checks in this file are the rules that recur in every kind's New
// and in its transitions; each returns an ErrInvalid error, which the kind
// wraps with its own value (Errors.Wrap) at its exported boundary.

// CheckID refuses an ID that does not have the shape NewID produces.
func CheckID(id string) error {
	if !ValidID(id) {
		return Invalidf("id must be %d lowercase hex characters", IDLength)
	}
	return nil
}

// Actor checks who acts on a record: name, a required user name, and arn,
// their optional ARN (checked as "<what> ARN").
func Actor(what, name, arn string) error {
	if err := Name(what, name, MaxName); err != nil {
		return err
	}
	return OptionalName(what+" ARN", arn, MaxARN)
}

// Target checks what an access record is for: a required profile and the
// role ARN the policy may pin it to.
func Target(profile, roleARN string) error {
	if err := Name("profile", profile, MaxName); err != nil {
		return err
	}
	return OptionalName("role ARN", roleARN, MaxARN)
}

// Duration checks an access window d against min and max, the caller's
// cap, which must not itself be below min.
func Duration(d, min, max time.Duration) error {
	if max < min {
		return Invalidf("maximum duration %s is below the minimum %s", max, min)
	}
	if d < min || d > max {
		return Invalidf("duration %s must be between %s and %s", d, min, max)
	}
	return nil
}

// Require returns an ErrInvalid error saying what is wrong unless ok.
func Require(ok bool, format string, args ...any) error {
	if ok {
		return nil
	}
	return Invalidf(format, args...)
}

// Matches builds the conditions of a Query from index-value pairs, leaving
// out the pairs whose value is empty: Matches("user", q.User, "profile",
// q.Profile).
func Matches(pairs ...string) []Match {
	var out []Match
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			out = append(out, Match{Index: pairs[i], Value: pairs[i+1]})
		}
	}
	return out
}

// Guard returns an ErrTransition error, "cannot <verb> <kind> <id>: it is
// <from>", unless the machine moves a record from from to to.
func (m Machine[S]) Guard(kind, id, verb string, from, to S) error {
	if m.CanMove(from, to) {
		return nil
	}
	return fmt.Errorf("%w: cannot %s %s %s: it is %s", ErrTransition, verb, kind, id, from)
}
