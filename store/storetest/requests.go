package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/request"
)

// TestRequestStore runs the contract (Contract) and the request cases
// against the stores that newStore returns. newStore is called once per
// subtest.
func TestRequestStore(t *testing.T, newStore func(t *testing.T) request.Store) {
	s := &requestSuite{prefix: uniquePrefix(t), base: baseTime(), newStore: newStore}
	Contract(t, Fixture[request.Request, request.Status]{
		Kind:  request.Kind,
		Store: func(t *testing.T) record.Reader[request.Request, request.Status] { return newStore(t) },
		Create: func(t *testing.T, st record.Reader[request.Request, request.Status], r *request.Request) error {
			return st.(request.Store).Create(t.Context(), r)
		},
		New: func(t *testing.T, owner, profile string, at time.Time) *request.Request {
			return s.newRequest(t, owner, profile, at.Sub(s.base))
		},
		Fill: func(t *testing.T, r *request.Request, at time.Time) {
			// Every field, including ones a fresh request leaves empty.
			r.Status = request.StatusApproved
			r.Duration = 90*time.Minute + 7*time.Nanosecond
			r.Required = 2
			r.AutoApproved = true
			r.RoleARN = "arn:aws:iam::111122223333:role/" + r.Profile + "-Admin"
			r.UpdatedAt = at.Add(2 * time.Minute)
			r.DecidedAt = at.Add(3*time.Minute + 1)
			r.Reviews = []request.Review{
				{User: r.Profile + "-bob", ARN: "arn:aws:iam::111122223333:user/bob", Action: request.ActionApprove, Comment: "ok ✓", At: at.Add(time.Minute)},
				{User: r.Profile + "-carol", ARN: "arn:aws:iam::111122223333:user/carol", Action: request.ActionApprove, At: at.Add(3*time.Minute + 1)},
			}
		},
		Finish: func(r *request.Request, actor string, at time.Time) error {
			if r.Status == request.StatusApproved {
				return r.Revoke(actor, "arn:aws:iam::111122223333:user/"+actor, "contract suite", at)
			}
			return r.Deny(actor, "", "", at)
		},
		Expire: func(r *request.Request, at time.Time) error { return r.Expire(at) },
		Bump: func(r *request.Request, actor string, at time.Time) error {
			// One approval more of more than are given: still pending.
			r.Required = len(r.Reviews) + 2
			return r.Approve(actor, "", "", at)
		},
		Count:     func(r *request.Request) int { return len(r.Reviews) },
		Owner:     request.IndexRequester,
		Profile:   request.IndexProfile,
		SetID:     func(r *request.Request, id string) { r.ID = id },
		SetStatus: func(r *request.Request, st request.Status) { r.Status = st },
		Diff:      diffRequest,
	})
	t.Run("RaceApproveCancel", s.raceApproveCancel)
	t.Run("RevokeApproved", s.revokeApproved)
}

type requestSuite struct {
	prefix   string
	base     time.Time
	newStore func(t *testing.T) request.Store
}

// name returns a user or profile name private to one subtest.
func (s *requestSuite) name(t *testing.T, what string) string {
	return fmt.Sprintf("%s-%s-%s", s.prefix, t.Name(), what)
}

// newRequest builds a valid pending request created at s.base + offset.
func (s *requestSuite) newRequest(t *testing.T, requester, profile string, offset time.Duration) *request.Request {
	t.Helper()
	id, err := request.NewID()
	if err != nil {
		t.Fatalf("NewID: %v", err)
	}
	r, err := request.New(request.NewParams{
		ID:            id,
		Requester:     requester,
		RequesterARN:  "arn:aws:iam::111122223333:user/" + requester,
		Profile:       profile,
		Justification: "contract suite request for " + profile,
		Duration:      time.Hour,
		Now:           s.base.Add(offset),
	})
	if err != nil {
		t.Fatalf("request.New: %v", err)
	}
	return r
}

// create stores r and fails the test on error.
func (s *requestSuite) create(t *testing.T, st request.Store, r *request.Request) {
	t.Helper()
	if err := st.Create(t.Context(), r); err != nil {
		t.Fatalf("Create %s: %v", r.ID, err)
	}
}

// get loads id and fails the test on error.
func (s *requestSuite) get(t *testing.T, st request.Store, id string) *request.Request {
	t.Helper()
	return mustGet(t, st, id)
}

// raceApproveCancel has a reviewer approve while the requester cancels,
// several times over; each time exactly one of them must win, and the
// other finds the request decided when its change starts again.
func (s *requestSuite) raceApproveCancel(t *testing.T) {
	st := s.newStore(t)
	alice, bob := s.name(t, "alice"), s.name(t, "bob")
	for round := range 5 {
		r := s.newRequest(t, alice, s.name(t, "prod"), time.Duration(round)*time.Second)
		s.create(t, st, r)
		errs := race(2, func(i int) error {
			_, err := st.Change(t.Context(), r.ID, func(c *request.Request) error {
				if i == 0 {
					return c.Approve(bob, "", "", s.base.Add(time.Minute))
				}
				return c.Cancel(alice, r.RequesterARN, s.base.Add(time.Minute))
			})
			return err
		})
		winner := oneWinner(t, errs, request.ErrTransition)
		want := []request.Status{request.StatusApproved, request.StatusCancelled}[winner]
		if got := s.get(t, st, r.ID); got.Status != want || got.Version != 1 {
			t.Fatalf("round %d: stored status %s version %d, want %s version 1", round, got.Status, got.Version, want)
		}
	}
}

// oneWinner checks that exactly one error is nil and all the others wrap
// loss, and returns the index of the winner.
func oneWinner(t *testing.T, errs []error, loss error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("goroutines %d and %d both won", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, loss):
			t.Fatalf("goroutine %d: got %v, want %v", i, err, loss)
		}
	}
	if winner < 0 {
		t.Fatalf("no goroutine won: %v", errs)
	}
	return winner
}

// checkIDs compares a listing with the expected IDs, in order.
func checkIDs(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

// diffRequest describes the first differences between two requests, or
// returns "" if they are equal field by field.
func diffRequest(want, got *request.Request) string {
	var d diff
	add, field := d.add, d.field
	field("ID", want.ID, got.ID)
	field("Requester", want.Requester, got.Requester)
	field("RequesterARN", want.RequesterARN, got.RequesterARN)
	field("Profile", want.Profile, got.Profile)
	field("RoleARN", want.RoleARN, got.RoleARN)
	field("Justification", want.Justification, got.Justification)
	field("Duration", want.Duration, got.Duration)
	field("Status", want.Status, got.Status)
	field("Required", want.Required, got.Required)
	field("AutoApproved", want.AutoApproved, got.AutoApproved)
	field("Version", want.Version, got.Version)
	add(sameTime("CreatedAt", want.CreatedAt, got.CreatedAt))
	add(sameTime("UpdatedAt", want.UpdatedAt, got.UpdatedAt))
	add(sameTime("DecidedAt", want.DecidedAt, got.DecidedAt))
	add(sameTime("ExpiresAt", want.ExpiresAt, got.ExpiresAt))
	field("RevokedBy", want.RevokedBy, got.RevokedBy)
	field("RevokedByARN", want.RevokedByARN, got.RevokedByARN)
	field("RevokeReason", want.RevokeReason, got.RevokeReason)
	if !want.RevokedAt.IsZero() || !got.RevokedAt.IsZero() {
		add(sameTime("RevokedAt", want.RevokedAt, got.RevokedAt))
	}
	if len(want.Reviews) != len(got.Reviews) {
		add(fmt.Sprintf("%d reviews, want %d", len(got.Reviews), len(want.Reviews)))
	} else {
		for i := range want.Reviews {
			w, g := want.Reviews[i], got.Reviews[i]
			field(fmt.Sprintf("Reviews[%d].User", i), w.User, g.User)
			field(fmt.Sprintf("Reviews[%d].ARN", i), w.ARN, g.ARN)
			field(fmt.Sprintf("Reviews[%d].Action", i), w.Action, g.Action)
			field(fmt.Sprintf("Reviews[%d].Comment", i), w.Comment, g.Comment)
			add(sameTime(fmt.Sprintf("Reviews[%d].At", i), w.At, g.At))
		}
	}
	return d.String()
}

// revokeApproved stores the revocation of an approved request: every
// field round-trips, the listing by status revoked finds it, and nothing
// can make it approved again.
func (s *requestSuite) revokeApproved(t *testing.T) {
	st := s.newStore(t)
	r := s.newRequest(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	if err := r.Approve("bob", "arn:aws:iam::111122223333:user/bob", "", s.base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	s.create(t, st, r)
	r, err := st.Change(t.Context(), r.ID, func(r *request.Request) error {
		return r.Revoke("bob", "arn:aws:iam::111122223333:user/bob", "the incident is over", s.base.Add(2*time.Minute))
	})
	if err != nil {
		t.Fatalf("Change to revoked: %v", err)
	}
	got := s.get(t, st, r.ID)
	if diff := diffRequest(r, got); diff != "" {
		t.Fatalf("revoked request changed in the store: %s", diff)
	}
	if got.RevokedBy != "bob" || got.RevokeReason != "the incident is over" || got.RevokedAt.IsZero() {
		t.Fatalf("revocation not stored: %+v", got)
	}
	list := func(status request.Status) []*request.Request {
		rs, err := st.List(t.Context(), request.Query{Profile: r.Profile, Status: status}.Record(s.base))
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	if rs := list(request.StatusRevoked); len(rs) != 1 || rs[0].ID != r.ID {
		t.Fatalf("listing by status revoked: %v", rs)
	}
	if rs := list(request.StatusApproved); len(rs) != 0 {
		t.Fatalf("a revoked request is still listed as approved: %v", rs)
	}
	_, err = st.Change(t.Context(), r.ID, func(c *request.Request) error {
		c.Status = request.StatusApproved
		c.RevokedBy, c.RevokedByARN, c.RevokeReason, c.RevokedAt = "", "", "", time.Time{}
		return nil
	})
	if !errors.Is(err, request.ErrTransition) {
		t.Fatalf("making a revoked request approved again: got %v, want ErrTransition", err)
	}
	if diff := diffRequest(got, s.get(t, st, r.ID)); diff != "" {
		t.Fatalf("a refused change changed the revoked request: %s", diff)
	}
}
