// Package recordtest holds the table-driven checks every record kind's
// unit tests share (request, breakglass, session): New refusing bad
// parameters with both the kind's and record's ErrInvalid, transitions
// that either apply whole or change nothing, and final statuses nothing
// leaves. Each kind keeps its own cases beside it; only the running is
// here, so that a rule common to the kinds is asserted the same way for
// each.
package recordtest

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/field"
	"github.com/sentinel-cli/sentinel/record"
)

// Param is one case of New's parameters: Edit changes one thing in a valid
// set. For Rejects, Want is a fragment the message must contain, so the
// user learns the limit; for Accepts, Check (optional) looks at the result.
type Param[P, T any] struct {
	Name  string
	Edit  func(p *P)
	Want  string
	Check func(t *testing.T, r T)
}

// Rejects runs each case of every list through newFn and requires an
// error that matches both kindInvalid and record.ErrInvalid and mentions
// the case's Want.
func Rejects[P, T any](t *testing.T, newFn func(P) (T, error), valid func() P, kindInvalid error, lists ...[]Param[P, T]) {
	t.Helper()
	for _, tt := range slices.Concat(lists...) {
		t.Run(tt.Name, func(t *testing.T) {
			p := valid()
			tt.Edit(&p)
			r, err := newFn(p)
			if !errors.Is(err, kindInvalid) || !errors.Is(err, record.ErrInvalid) {
				t.Fatalf("New: got (%v, %v), want %v and record.ErrInvalid", r, err, kindInvalid)
			}
			if !strings.Contains(err.Error(), tt.Want) {
				t.Errorf("error %q does not mention %q", err, tt.Want)
			}
		})
	}
}

// Common are the cases every kind's New refuses alike: an ID of the wrong
// shape (empty, short, long, upper-case, not hex, a block's key), no
// profile, and a role ARN with a control character; id, profile and role
// point at those parameters.
func Common[P, T any](id, profile, role func(*P) *string) []Param[P, T] {
	set := func(f func(*P) *string, v string) func(*P) { return func(p *P) { *f(p) = v } }
	return []Param[P, T]{
		{Name: "empty id", Edit: set(id, ""), Want: "16 lowercase hex"},
		{Name: "short id", Edit: set(id, "0123456789abcde"), Want: "16 lowercase hex"},
		{Name: "long id", Edit: set(id, "0123456789abcdef0"), Want: "16 lowercase hex"},
		{Name: "uppercase id", Edit: set(id, "0123456789ABCDEF"), Want: "16 lowercase hex"},
		{Name: "non-hex id", Edit: set(id, "0123456789abcdeg"), Want: "16 lowercase hex"},
		{Name: "block-like id", Edit: set(id, "block#0123456789"), Want: "16 lowercase hex"},
		{Name: "no profile", Edit: set(profile, ""), Want: "profile is required"},
		{Name: "role ARN with newline", Edit: set(role, "arn:aws:iam::1:role/A\n"), Want: "role ARN"},
		{Name: "role ARN with tab", Edit: set(role, "arn:aws:iam::1:role/\tx"), Want: "control character"},
	}
}

// Accepts runs each case through newFn and requires success, then the
// case's Check.
func Accepts[P, T any](t *testing.T, newFn func(P) (T, error), valid func() P, cases []Param[P, T]) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			p := valid()
			tt.Edit(&p)
			r, err := newFn(p)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if tt.Check != nil {
				tt.Check(t, r)
			}
		})
	}
}

// Subject says how to make and compare the records of a kind's transition
// tests.
type Subject[T any] struct {
	// Fresh returns a new record in its starting status.
	Fresh func(t *testing.T) *T
	// Clone copies a record deeply enough that Equal can tell whether a
	// refused call changed it; Copy and Same serve a comparable type.
	Clone func(*T) *T
	Equal func(a, b *T) bool
}

// Copy is Subject.Clone for a record with no slice or map.
func Copy[T any](r *T) *T { c := *r; return &c }

// Same is Subject.Equal for a comparable record: every field, times to
// the location.
func Same[T comparable](a, b *T) bool { return *a == *b }

// Step is one transition case: Before runs steps that must succeed, Op is
// the step under test. With WantErr, Op must fail with an error matching
// it and change nothing, and CheckErr (optional) looks at the error;
// without, Op must succeed and Check (optional) looks at the record. Fresh,
// when set, replaces the subject's starting record.
type Step[T any] struct {
	Name     string
	Fresh    func(t *testing.T) *T
	Before   []func(*T) error
	Op       func(*T) error
	WantErr  error
	CheckErr func(t *testing.T, r *T, err error)
	Check    func(t *testing.T, r *T)
}

// Transitions runs the steps on subject.
func Transitions[T any](t *testing.T, subject Subject[T], steps []Step[T]) {
	t.Helper()
	for _, tt := range steps {
		t.Run(tt.Name, func(t *testing.T) {
			fresh := subject.Fresh
			if tt.Fresh != nil {
				fresh = tt.Fresh
			}
			r := fresh(t)
			for i, step := range tt.Before {
				if err := step(r); err != nil {
					t.Fatalf("setup step %d: %v", i, err)
				}
			}
			before := subject.Clone(r)
			err := tt.Op(r)
			if tt.WantErr != nil {
				if !errors.Is(err, tt.WantErr) {
					t.Fatalf("got %v, want %v", err, tt.WantErr)
				}
				if !subject.Equal(r, before) {
					t.Fatalf("failed call changed the record:\n%+v\nwas\n%+v", r, before)
				}
				if tt.CheckErr != nil {
					tt.CheckErr(t, r, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.Check != nil {
				tt.Check(t, r)
			}
		})
	}
}

// FinalStates reaches each final status from a fresh record, checks the
// record is in it, then tries every operation at every time: each must
// fail with an error matching wantErr and record.ErrTransition, and change
// nothing.
func FinalStates[T any, S ~string](t *testing.T, subject Subject[T], status func(*T) S, reach map[S]func(*T) error,
	ops map[string]func(r *T, now time.Time) error, times []time.Time, wantErr error) {
	t.Helper()
	for want, reachIt := range reach {
		for name, op := range ops {
			for _, now := range times {
				r := subject.Fresh(t)
				if err := reachIt(r); err != nil {
					t.Fatalf("reach %s: %v", want, err)
				}
				if got := status(r); got != want {
					t.Fatalf("status = %s, want %s", got, want)
				}
				before := subject.Clone(r)
				if err := op(r, now); !errors.Is(err, wantErr) || !errors.Is(err, record.ErrTransition) {
					t.Errorf("%s on a %s record at %s: got %v, want %v and record.ErrTransition", name, want, now, err, wantErr)
				}
				if !subject.Equal(r, before) {
					t.Errorf("%s on a %s record changed it", name, want)
				}
			}
		}
	}
}

// SafeText fails t if any of texts holds a rune field.Unsafe refuses:
// what a kind accepted must be one line of text that cannot hide or
// rewrite anything on a terminal.
func SafeText(t *testing.T, what string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		for _, c := range s {
			if field.Unsafe(c) {
				t.Fatalf("accepted %U in %s", c, what)
			}
		}
	}
}

// Damaged is a stored record a kind's Validate must refuse, and the exact
// message: the kind's words once ("invalid request: ..."), never a second
// "invalid:" once a store wraps it.
type Damaged[T any] struct {
	R    *T
	Want string
}

// RefusesDamaged requires validate to refuse each record with an error
// matching both kindInvalid and record.ErrInvalid that reads exactly Want.
func RefusesDamaged[T any](t *testing.T, validate func(*T) error, kindInvalid error, cases []Damaged[T]) {
	t.Helper()
	for _, tt := range cases {
		err := validate(tt.R)
		if !errors.Is(err, kindInvalid) || !errors.Is(err, record.ErrInvalid) || err == nil || err.Error() != tt.Want {
			t.Errorf("Validate = %v, want %q matching both ErrInvalid values", err, tt.Want)
		}
	}
}
