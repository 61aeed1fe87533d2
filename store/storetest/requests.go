package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/request"
)

// TestRequestStore runs the request.Store contract against the stores that
// newStore returns. newStore is called once per subtest.
func TestRequestStore(t *testing.T, newStore func(t *testing.T) request.Store) {
	s := &requestSuite{prefix: uniquePrefix(t), base: baseTime(), newStore: newStore}
	t.Run("CreateGetRoundTrip", s.createGetRoundTrip)
	t.Run("CreateDuplicate", s.createDuplicate)
	t.Run("GetMissing", s.getMissing)
	t.Run("UpdateBumpsVersion", s.updateBumpsVersion)
	t.Run("UpdateStaleVersion", s.updateStaleVersion)
	t.Run("UpdateStaleVersionSameStatus", s.updateStaleVersionSameStatus)
	t.Run("UpdateWrongPrevStatus", s.updateWrongPrevStatus)
	t.Run("UpdateMissing", s.updateMissing)
	t.Run("ListByRequester", s.listByRequester)
	t.Run("ListByProfile", s.listByProfile)
	t.Run("ListByStatus", s.listByStatus)
	t.Run("ListFollowsStatusChange", s.listFollowsStatusChange)
	t.Run("ListNoKey", s.listNoKey)
	t.Run("RaceApprove", s.raceApprove)
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
	r, err := st.Get(t.Context(), id)
	if err != nil {
		t.Fatalf("Get %s: %v", id, err)
	}
	return r
}

// list runs q and returns the IDs in order.
func (s *requestSuite) list(t *testing.T, st request.Store, q request.Query) []string {
	t.Helper()
	rs, err := st.List(t.Context(), q)
	if err != nil {
		t.Fatalf("List %+v: %v", q, err)
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}

func (s *requestSuite) createGetRoundTrip(t *testing.T) {
	st := s.newStore(t)
	r := s.newRequest(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	// Fill every field, including ones a fresh request leaves empty, so a
	// backend that forgets one fails here.
	r.Status = request.StatusApproved
	r.Duration = 90*time.Minute + 7*time.Nanosecond
	r.Required = 2
	r.AutoApproved = true
	r.RoleARN = "arn:aws:iam::111122223333:role/" + s.name(t, "Admin")
	r.UpdatedAt = s.base.Add(2 * time.Minute)
	r.DecidedAt = s.base.Add(3*time.Minute + 1)
	r.Reviews = []request.Review{
		{User: s.name(t, "bob"), ARN: "arn:aws:iam::111122223333:user/bob", Action: request.ActionApprove, Comment: "ok ✓", At: s.base.Add(time.Minute)},
		{User: s.name(t, "carol"), ARN: "arn:aws:iam::111122223333:user/carol", Action: request.ActionApprove, At: s.base.Add(3*time.Minute + 1)},
	}
	s.create(t, st, r)
	got := s.get(t, st, r.ID)
	if diff := diffRequest(r, got); diff != "" {
		t.Fatalf("round trip changed the request: %s", diff)
	}

	// The zero DecidedAt of a pending request must stay zero.
	p := s.newRequest(t, s.name(t, "alice"), s.name(t, "prod"), time.Second)
	s.create(t, st, p)
	if diff := diffRequest(p, s.get(t, st, p.ID)); diff != "" {
		t.Fatalf("round trip changed the pending request: %s", diff)
	}

	// Changing a returned copy must not change the stored one.
	got.Justification = "changed in memory only"
	got.Reviews[0].Comment = "changed in memory only"
	if diff := diffRequest(r, s.get(t, st, r.ID)); diff != "" {
		t.Fatalf("Get returned an alias of the stored request: %s", diff)
	}
}

func (s *requestSuite) createDuplicate(t *testing.T) {
	st := s.newStore(t)
	r := s.newRequest(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	s.create(t, st, r)
	dup := *r
	dup.Justification = "a different request with the same id"
	if err := st.Create(t.Context(), &dup); !errors.Is(err, request.ErrConflict) {
		t.Fatalf("Create with an existing ID: got %v, want ErrConflict", err)
	}
	if diff := diffRequest(r, s.get(t, st, r.ID)); diff != "" {
		t.Fatalf("failed Create changed the stored request: %s", diff)
	}
}

func (s *requestSuite) getMissing(t *testing.T) {
	st := s.newStore(t)
	id, err := request.NewID()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(t.Context(), id); !errors.Is(err, request.ErrNotFound) {
		t.Fatalf("Get of a missing ID: got %v, want ErrNotFound", err)
	}
}

func (s *requestSuite) updateBumpsVersion(t *testing.T) {
	st := s.newStore(t)
	r := s.newRequest(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	r.Required = 2
	s.create(t, st, r)
	for i, approver := range []string{"bob", "carol"} {
		if err := r.Approve(s.name(t, approver), "", "", s.base.Add(time.Minute)); err != nil {
			t.Fatalf("Approve: %v", err)
		}
		if err := st.Update(t.Context(), r, request.StatusPending); err != nil {
			t.Fatalf("Update %d: %v", i+1, err)
		}
		if r.Version != int64(i+1) {
			t.Fatalf("after Update %d the caller's Version = %d, want %d", i+1, r.Version, i+1)
		}
		if diff := diffRequest(r, s.get(t, st, r.ID)); diff != "" {
			t.Fatalf("stored request after Update %d: %s", i+1, diff)
		}
	}
	if r.Status != request.StatusApproved {
		t.Fatalf("status = %s, want approved", r.Status)
	}
}

func (s *requestSuite) updateStaleVersion(t *testing.T) {
	st := s.newStore(t)
	r := s.newRequest(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	s.create(t, st, r)
	first := s.get(t, st, r.ID)
	second := s.get(t, st, r.ID)
	if err := first.Approve(s.name(t, "bob"), "", "", s.base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.Update(t.Context(), first, request.StatusPending); err != nil {
		t.Fatalf("first Update: %v", err)
	}
	if err := second.Deny(s.name(t, "carol"), "", "", s.base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.Update(t.Context(), second, request.StatusPending); !errors.Is(err, request.ErrConflict) {
		t.Fatalf("Update with a stale version: got %v, want ErrConflict", err)
	}
	if second.Version != 0 {
		t.Fatalf("failed Update changed the caller's Version to %d", second.Version)
	}
	if diff := diffRequest(first, s.get(t, st, r.ID)); diff != "" {
		t.Fatalf("failed Update changed the stored request: %s", diff)
	}
}

// updateStaleVersionSameStatus is the lost update that only the version
// catches: with two approvals required, two reviewers read the request,
// and after the first approval it is still pending.
func (s *requestSuite) updateStaleVersionSameStatus(t *testing.T) {
	st := s.newStore(t)
	r := s.newRequest(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	r.Required = 2
	s.create(t, st, r)
	first := s.get(t, st, r.ID)
	second := s.get(t, st, r.ID)
	if err := first.Approve(s.name(t, "bob"), "", "", s.base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.Update(t.Context(), first, request.StatusPending); err != nil {
		t.Fatalf("first Update: %v", err)
	}
	if err := second.Approve(s.name(t, "carol"), "", "", s.base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.Update(t.Context(), second, request.StatusPending); !errors.Is(err, request.ErrConflict) {
		t.Fatalf("Update with a stale version and the same status: got %v, want ErrConflict", err)
	}
	if diff := diffRequest(first, s.get(t, st, r.ID)); diff != "" {
		t.Fatalf("failed Update changed the stored request: %s", diff)
	}
}

func (s *requestSuite) updateWrongPrevStatus(t *testing.T) {
	st := s.newStore(t)
	r := s.newRequest(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	s.create(t, st, r)
	changed := s.get(t, st, r.ID)
	if err := changed.Approve(s.name(t, "bob"), "", "", s.base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.Update(t.Context(), changed, request.StatusApproved); !errors.Is(err, request.ErrConflict) {
		t.Fatalf("Update with the wrong prevStatus: got %v, want ErrConflict", err)
	}
	if changed.Version != 0 {
		t.Fatalf("failed Update changed the caller's Version to %d", changed.Version)
	}
	if diff := diffRequest(r, s.get(t, st, r.ID)); diff != "" {
		t.Fatalf("failed Update changed the stored request: %s", diff)
	}
}

func (s *requestSuite) updateMissing(t *testing.T) {
	st := s.newStore(t)
	r := s.newRequest(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	if err := r.Approve(s.name(t, "bob"), "", "", s.base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.Update(t.Context(), r, request.StatusPending); !errors.Is(err, request.ErrNotFound) {
		t.Fatalf("Update of a missing request: got %v, want ErrNotFound", err)
	}
	if _, err := st.Get(t.Context(), r.ID); !errors.Is(err, request.ErrNotFound) {
		t.Fatalf("failed Update created the request: Get returned %v", err)
	}
}

func (s *requestSuite) listByRequester(t *testing.T) {
	st := s.newStore(t)
	alice, bob := s.name(t, "alice"), s.name(t, "bob")
	prod, dev := s.name(t, "prod"), s.name(t, "dev")
	// Created out of order, so a store that returns insertion order fails.
	r2 := s.newRequest(t, alice, dev, 2*time.Second)
	r0 := s.newRequest(t, alice, prod, 0)
	r1 := s.newRequest(t, alice, prod, time.Second)
	other := s.newRequest(t, bob, prod, 3*time.Second)
	r1.Status = request.StatusDenied
	for _, r := range []*request.Request{r2, r0, r1, other} {
		s.create(t, st, r)
	}
	checkIDs(t, "by requester", s.list(t, st, request.Query{Requester: alice}), r2.ID, r1.ID, r0.ID)
	checkIDs(t, "by requester, limit 2", s.list(t, st, request.Query{Requester: alice, Limit: 2}), r2.ID, r1.ID)
	checkIDs(t, "by requester and profile", s.list(t, st, request.Query{Requester: alice, Profile: prod}), r1.ID, r0.ID)
	checkIDs(t, "by requester and status", s.list(t, st, request.Query{Requester: alice, Status: request.StatusPending}), r2.ID, r0.ID)
	checkIDs(t, "by requester, status and limit", s.list(t, st, request.Query{Requester: alice, Status: request.StatusPending, Limit: 1}), r2.ID)
	checkIDs(t, "by unknown requester", s.list(t, st, request.Query{Requester: s.name(t, "nobody")}))

	rs, err := st.List(t.Context(), request.Query{Requester: alice})
	if err != nil {
		t.Fatal(err)
	}
	if diff := diffRequest(r1, rs[1]); diff != "" {
		t.Fatalf("List returned a different request than was stored: %s", diff)
	}
}

func (s *requestSuite) listByProfile(t *testing.T) {
	st := s.newStore(t)
	alice, bob := s.name(t, "alice"), s.name(t, "bob")
	prod, dev := s.name(t, "prod"), s.name(t, "dev")
	r1 := s.newRequest(t, bob, prod, time.Second)
	r0 := s.newRequest(t, alice, prod, 0)
	r2 := s.newRequest(t, alice, prod, 2*time.Second)
	other := s.newRequest(t, alice, dev, 3*time.Second)
	r2.Status = request.StatusCancelled
	for _, r := range []*request.Request{r1, r0, r2, other} {
		s.create(t, st, r)
	}
	checkIDs(t, "by profile", s.list(t, st, request.Query{Profile: prod}), r2.ID, r1.ID, r0.ID)
	checkIDs(t, "by profile, limit 1", s.list(t, st, request.Query{Profile: prod, Limit: 1}), r2.ID)
	checkIDs(t, "by profile and status", s.list(t, st, request.Query{Profile: prod, Status: request.StatusPending}), r1.ID, r0.ID)
	checkIDs(t, "by profile and requester", s.list(t, st, request.Query{Profile: prod, Requester: bob}), r1.ID)
}

// listByStatus lists by status alone. Other subtests (and other runs, on a
// shared store) hold requests with the same status, so it checks only that
// every result has the status, that the results are newest first, and that
// this subtest's requests appear in the right order.
func (s *requestSuite) listByStatus(t *testing.T) {
	st := s.newStore(t)
	alice, prod := s.name(t, "alice"), s.name(t, "prod")
	var mine []string
	for i := range 3 {
		r := s.newRequest(t, alice, prod, time.Duration(i)*time.Second)
		r.Status = request.StatusDenied
		s.create(t, st, r)
		mine = append([]string{r.ID}, mine...)
	}
	pending := s.newRequest(t, alice, prod, 5*time.Second)
	s.create(t, st, pending)

	rs, err := st.List(t.Context(), request.Query{Status: request.StatusDenied})
	if err != nil {
		t.Fatalf("List by status: %v", err)
	}
	var seen []string
	for i, r := range rs {
		if r.Status != request.StatusDenied {
			t.Fatalf("List by status denied returned %s with status %s", r.ID, r.Status)
		}
		if i > 0 && r.CreatedAt.After(rs[i-1].CreatedAt) {
			t.Fatalf("List by status is not newest first: %s after %s", r.CreatedAt, rs[i-1].CreatedAt)
		}
		if slices.Contains(mine, r.ID) {
			seen = append(seen, r.ID)
		}
	}
	checkIDs(t, "this subtest's denied requests", seen, mine...)

	limited, err := st.List(t.Context(), request.Query{Status: request.StatusDenied, Limit: 2})
	if err != nil {
		t.Fatalf("List by status with limit: %v", err)
	}
	if len(limited) != 2 {
		t.Fatalf("List by status with limit 2 returned %d requests", len(limited))
	}
	for _, r := range limited {
		if r.Status != request.StatusDenied {
			t.Fatalf("List by status with limit returned status %s", r.Status)
		}
	}
}

// listFollowsStatusChange checks that the status index moves with Update.
func (s *requestSuite) listFollowsStatusChange(t *testing.T) {
	st := s.newStore(t)
	alice, prod := s.name(t, "alice"), s.name(t, "prod")
	r := s.newRequest(t, alice, prod, 0)
	s.create(t, st, r)
	checkIDs(t, "pending before approval", s.list(t, st, request.Query{Requester: alice, Status: request.StatusPending}), r.ID)
	if err := r.Approve(s.name(t, "bob"), "", "", s.base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := st.Update(t.Context(), r, request.StatusPending); err != nil {
		t.Fatalf("Update: %v", err)
	}
	checkIDs(t, "pending after approval", s.list(t, st, request.Query{Requester: alice, Status: request.StatusPending}))
	checkIDs(t, "approved after approval", s.list(t, st, request.Query{Requester: alice, Status: request.StatusApproved}), r.ID)
	checkIDs(t, "by requester after approval", s.list(t, st, request.Query{Requester: alice}), r.ID)
	checkIDs(t, "by profile after approval", s.list(t, st, request.Query{Profile: prod}), r.ID)

	rs, err := st.List(t.Context(), request.Query{Status: request.StatusApproved})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, got := range rs {
		if got.ID == r.ID {
			found = true
			if diff := diffRequest(r, got); diff != "" {
				t.Fatalf("List by status returned a stale copy: %s", diff)
			}
		}
	}
	if !found {
		t.Fatalf("List by status approved misses the approved request %s", r.ID)
	}
}

func (s *requestSuite) listNoKey(t *testing.T) {
	st := s.newStore(t)
	if _, err := st.List(t.Context(), request.Query{}); err == nil {
		t.Fatal("List with no key succeeded; want an error")
	}
	if _, err := st.List(t.Context(), request.Query{Limit: 5}); err == nil {
		t.Fatal("List with only a limit succeeded; want an error")
	}
}

// raceApprove has many reviewers approve one request at once. Every one
// reads the request first, so all of them see it pending at version 0; the
// request needs one approval, so exactly one conditional write may succeed.
func (s *requestSuite) raceApprove(t *testing.T) {
	st := s.newStore(t)
	r := s.newRequest(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	s.create(t, st, r)
	copies := s.readCopies(t, st, r.ID, racers)
	errs := race(racers, func(i int) error {
		if err := copies[i].Approve(s.name(t, fmt.Sprintf("reviewer%d", i)), "", "", s.base.Add(time.Minute)); err != nil {
			return fmt.Errorf("approve: %w", err)
		}
		return st.Update(t.Context(), copies[i], request.StatusPending)
	})
	winner := oneWinner(t, errs, request.ErrConflict)
	got := s.get(t, st, r.ID)
	if got.Status != request.StatusApproved || got.Version != 1 {
		t.Fatalf("after the race: status %s version %d, want approved version 1", got.Status, got.Version)
	}
	if len(got.Reviews) != 1 || got.Reviews[0].User != s.name(t, fmt.Sprintf("reviewer%d", winner)) {
		t.Fatalf("after the race the reviews are %+v, want only reviewer%d's", got.Reviews, winner)
	}
}

// raceApproveCancel has a reviewer approve while the requester cancels,
// several times over; each time exactly one of them must win.
func (s *requestSuite) raceApproveCancel(t *testing.T) {
	st := s.newStore(t)
	alice, bob := s.name(t, "alice"), s.name(t, "bob")
	for round := range 5 {
		r := s.newRequest(t, alice, s.name(t, "prod"), time.Duration(round)*time.Second)
		s.create(t, st, r)
		copies := s.readCopies(t, st, r.ID, 2)
		errs := race(2, func(i int) error {
			var err error
			if i == 0 {
				err = copies[i].Approve(bob, "", "", s.base.Add(time.Minute))
			} else {
				err = copies[i].Cancel(alice, r.RequesterARN, s.base.Add(time.Minute))
			}
			if err != nil {
				return fmt.Errorf("transition: %w", err)
			}
			return st.Update(t.Context(), copies[i], request.StatusPending)
		})
		winner := oneWinner(t, errs, request.ErrConflict)
		want := []request.Status{request.StatusApproved, request.StatusCancelled}[winner]
		if got := s.get(t, st, r.ID); got.Status != want || got.Version != 1 {
			t.Fatalf("round %d: stored status %s version %d, want %s version 1", round, got.Status, got.Version, want)
		}
	}
}

// readCopies reads n copies of one request, concurrently, before a race.
func (s *requestSuite) readCopies(t *testing.T, st request.Store, id string, n int) []*request.Request {
	t.Helper()
	copies := make([]*request.Request, n)
	errs := race(n, func(i int) error {
		var err error
		copies[i], err = st.Get(t.Context(), id)
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("concurrent Get %d: %v", i, err)
		}
	}
	return copies
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
	var d []string
	add := func(s string) {
		if s != "" {
			d = append(d, s)
		}
	}
	field := func(name string, w, g any) {
		if w != g {
			add(fmt.Sprintf("%s = %v, want %v", name, g, w))
		}
	}
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
	return strings.Join(d, "; ")
}

// revokeApproved stores the revocation of an approved request: every
// field round-trips, the listing by status revoked finds it, and a stale
// copy still saying approved cannot overwrite it.
func (s *requestSuite) revokeApproved(t *testing.T) {
	st := s.newStore(t)
	r := s.newRequest(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	if err := r.Approve("bob", "arn:aws:iam::111122223333:user/bob", "", s.base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	s.create(t, st, r)
	stale := *r
	if err := r.Revoke("bob", "arn:aws:iam::111122223333:user/bob", "the incident is over", s.base.Add(2*time.Minute)); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if err := st.Update(t.Context(), r, request.StatusApproved); err != nil {
		t.Fatalf("Update to revoked: %v", err)
	}
	got := s.get(t, st, r.ID)
	if diff := diffRequest(r, got); diff != "" {
		t.Fatalf("revoked request changed in the store: %s", diff)
	}
	if ids := s.list(t, st, request.Query{Profile: r.Profile, Status: request.StatusRevoked}); len(ids) != 1 || ids[0] != r.ID {
		t.Fatalf("listing by status revoked: %v", ids)
	}
	if ids := s.list(t, st, request.Query{Profile: r.Profile, Status: request.StatusApproved}); len(ids) != 0 {
		t.Fatalf("a revoked request is still listed as approved: %v", ids)
	}
	stale.Reviews = append([]request.Review(nil), stale.Reviews...)
	if err := st.Update(t.Context(), &stale, request.StatusApproved); !errors.Is(err, request.ErrConflict) {
		t.Fatalf("stale approved copy over the revocation: got %v, want ErrConflict", err)
	}
}
