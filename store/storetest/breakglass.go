package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/record"
)

// TestBreakglassStore runs the breakglass.Store contract against the stores
// that newStore returns. newStore is called once per subtest.
func TestBreakglassStore(t *testing.T, newStore func(t *testing.T) breakglass.Store) {
	s := &breakglassSuite{prefix: uniquePrefix(t), base: baseTime(), newStore: newStore}
	Contract(t, Fixture[breakglass.Event, breakglass.Status]{
		Kind:  breakglass.Kind,
		Store: func(t *testing.T) record.Reader[breakglass.Event, breakglass.Status] { return newStore(t) },
		Create: func(t *testing.T, st record.Reader[breakglass.Event, breakglass.Status], e *breakglass.Event) error {
			return st.(breakglass.Store).Open(t.Context(), e, breakglass.Limits{})
		},
		New: func(t *testing.T, owner, profile string, at time.Time) *breakglass.Event {
			// A role of its own, so that the contract's many events of one
			// invoker and profile hold separate locks.
			e := s.newEvent(t, owner, profile, at.Sub(s.base))
			e.RoleARN = "arn:aws:iam::111122223333:role/contract-" + e.ID
			return e
		},
		Fill: func(t *testing.T, e *breakglass.Event, at time.Time) {
			e.Duration = 45*time.Minute + 3*time.Nanosecond
			e.ExpiresAt = e.OpenedAt.Add(e.Duration)
			e.ReasonCode = breakglass.ReasonSecurity
			e.Justification = "ünïcode justification, long enough ✓"
		},
		Finish: func(e *breakglass.Event, actor string, at time.Time) error {
			return e.Close(actor, "contract suite: done", at)
		},
		Expire:    func(e *breakglass.Event, at time.Time) error { return e.Expire(at) },
		Owner:     breakglass.IndexInvoker,
		Profile:   breakglass.IndexProfile,
		SetID:     func(e *breakglass.Event, id string) { e.ID = id },
		SetStatus: func(e *breakglass.Event, st breakglass.Status) { e.Status = st },
		Diff:      diffEvent,
	})
	t.Run("OpenDuplicateID", s.openDuplicateID)
	t.Run("SecondOpenActiveExists", s.secondOpenActiveExists)
	t.Run("RaceOpen", s.raceOpen)
	t.Run("ExpiredDoesNotBlock", s.expiredDoesNotBlock)
	t.Run("CloseReleasesLock", s.closeReleasesLock)
	t.Run("RefusedChangeKeepsLock", s.refusedChangeKeepsLock)
	t.Run("CannotBecomeActiveAgain", s.cannotBecomeActiveAgain)
	t.Run("DailyLimit", s.dailyLimit)
	t.Run("CooldownSharedByRoleAliases", s.cooldownSharedByRoleAliases)
	t.Run("LockSharedByRoleAliases", s.lockSharedByRoleAliases)
	t.Run("RaceDailyLimit", s.raceDailyLimit)
	t.Run("RaceRoleAliases", s.raceRoleAliases)
	t.Run("RoleLessEventsKeyedByProfile", s.roleLessEventsKeyedByProfile)
	t.Run("NamesakeHoldsNothing", s.namesakeHoldsNothing)
	t.Run("SessionNamesShareOneQuota", s.sessionNamesShareOneQuota)
}

type breakglassSuite struct {
	prefix   string
	base     time.Time
	newStore func(t *testing.T) breakglass.Store
}

// name returns a user or profile name private to one subtest.
func (s *breakglassSuite) name(t *testing.T, what string) string {
	return fmt.Sprintf("%s-%s-%s", s.prefix, t.Name(), what)
}

// roleEvent is newEvent bound to a pinned role.
func (s *breakglassSuite) roleEvent(t *testing.T, invoker, profile, role string, offset time.Duration) *breakglass.Event {
	t.Helper()
	e := s.newEvent(t, invoker, profile, offset)
	e.RoleARN = role
	return e
}

// role returns a role ARN private to one subtest.
func (s *breakglassSuite) role(t *testing.T, what string) string {
	return "arn:aws:iam::111122223333:role/" + s.name(t, what)
}

// newEvent builds a valid one-hour active event opened at s.base + offset.
func (s *breakglassSuite) newEvent(t *testing.T, invoker, profile string, offset time.Duration) *breakglass.Event {
	t.Helper()
	id, err := breakglass.NewID()
	if err != nil {
		t.Fatalf("NewID: %v", err)
	}
	e, err := breakglass.New(breakglass.NewParams{
		ID:            id,
		Invoker:       invoker,
		InvokerARN:    "arn:aws:iam::111122223333:user/" + invoker,
		Profile:       profile,
		ReasonCode:    breakglass.ReasonIncident,
		Justification: "contract suite break-glass on " + profile,
		Duration:      time.Hour,
		Now:           s.base.Add(offset),
	})
	if err != nil {
		t.Fatalf("breakglass.New: %v", err)
	}
	return e
}

// open stores e and fails the test on error.
func (s *breakglassSuite) open(t *testing.T, st breakglass.Store, e *breakglass.Event) {
	t.Helper()
	if err := st.Open(t.Context(), e, breakglass.Limits{}); err != nil {
		t.Fatalf("Open %s: %v", e.ID, err)
	}
}

// get loads id and fails the test on error.
func (s *breakglassSuite) get(t *testing.T, st breakglass.Store, id string) *breakglass.Event {
	t.Helper()
	return mustGet(t, st, id)
}

// list runs q and returns the IDs in order.
func (s *breakglassSuite) list(t *testing.T, st breakglass.Store, q breakglass.Query) []string {
	t.Helper()
	return listIDs(t, st, breakglass.Kind, q.Record(s.base))
}

// closeAndUpdate closes e (as its invoker) and stores the change.
func (s *breakglassSuite) closeAndUpdate(t *testing.T, st breakglass.Store, e *breakglass.Event, at time.Time) {
	t.Helper()
	if _, err := st.Change(t.Context(), e.ID, func(e *breakglass.Event) error {
		return e.Close(e.Invoker, "contract suite: done", at)
	}); err != nil {
		t.Fatalf("Change to closed: %v", err)
	}
}

func (s *breakglassSuite) openDuplicateID(t *testing.T) {
	st := s.newStore(t)
	e := s.newEvent(t, s.name(t, "alice"), s.name(t, "prod"), 0)
	s.open(t, st, e)
	// Same ID, different invoker and profile: only the ID collides.
	dup := s.newEvent(t, s.name(t, "bob"), s.name(t, "dev"), 0)
	dup.ID = e.ID
	if err := st.Open(t.Context(), dup, breakglass.Limits{}); !errors.Is(err, breakglass.ErrConflict) {
		t.Fatalf("Open with an existing ID: got %v, want ErrConflict", err)
	}
	if diff := diffEvent(e, s.get(t, st, e.ID)); diff != "" {
		t.Fatalf("failed Open changed the stored event: %s", diff)
	}
	// The failed Open must not have taken bob's lock.
	s.open(t, st, s.newEvent(t, s.name(t, "bob"), s.name(t, "dev"), time.Second))
}

func (s *breakglassSuite) secondOpenActiveExists(t *testing.T) {
	st := s.newStore(t)
	alice, bob := s.name(t, "alice"), s.name(t, "bob")
	prod, dev := s.name(t, "prod"), s.name(t, "dev")
	s.open(t, st, s.newEvent(t, alice, prod, 0))
	second := s.newEvent(t, alice, prod, time.Minute)
	if err := st.Open(t.Context(), second, breakglass.Limits{}); !errors.Is(err, breakglass.ErrActiveExists) {
		t.Fatalf("second Open for the same user and profile: got %v, want ErrActiveExists", err)
	}
	if _, err := st.Get(t.Context(), second.ID); !errors.Is(err, breakglass.ErrNotFound) {
		t.Fatalf("refused event was stored anyway: Get returned %v", err)
	}
	// The lock is per user and profile: other pairs are free.
	s.open(t, st, s.newEvent(t, alice, dev, time.Minute))
	s.open(t, st, s.newEvent(t, bob, prod, time.Minute))
}

// raceOpen has many processes' worth of Opens for one user and profile at
// once; exactly one may succeed.
func (s *breakglassSuite) raceOpen(t *testing.T) {
	st := s.newStore(t)
	alice, prod := s.name(t, "alice"), s.name(t, "prod")
	events := make([]*breakglass.Event, racers)
	for i := range events {
		events[i] = s.newEvent(t, alice, prod, time.Duration(i)*time.Millisecond)
	}
	errs := race(racers, func(i int) error {
		return st.Open(t.Context(), events[i], breakglass.Limits{})
	})
	winner := oneWinner(t, errs, breakglass.ErrActiveExists)
	checkIDs(t, "events after the race", s.list(t, st, breakglass.Query{Invoker: alice}), events[winner].ID)
}

// expiredDoesNotBlock checks that an event stored as active but past its
// ExpiresAt does not block a new one, and that expiring it later does not
// free the newer event's lock.
func (s *breakglassSuite) expiredDoesNotBlock(t *testing.T) {
	st := s.newStore(t)
	alice, prod := s.name(t, "alice"), s.name(t, "prod")
	old := s.newEvent(t, alice, prod, -2*time.Hour) // expired an hour ago
	s.open(t, st, old)
	current := s.newEvent(t, alice, prod, 0)
	if err := st.Open(t.Context(), current, breakglass.Limits{}); err != nil {
		t.Fatalf("Open after an expired event: %v", err)
	}
	if _, err := st.Change(t.Context(), old.ID, func(e *breakglass.Event) error { return e.Expire(s.base) }); err != nil {
		t.Fatalf("Change of the old event to expired: %v", err)
	}
	if err := st.Open(t.Context(), s.newEvent(t, alice, prod, time.Minute), breakglass.Limits{}); !errors.Is(err, breakglass.ErrActiveExists) {
		t.Fatalf("expiring an old event released the current event's lock: Open returned %v", err)
	}
}

func (s *breakglassSuite) closeReleasesLock(t *testing.T) {
	st := s.newStore(t)
	alice, prod := s.name(t, "alice"), s.name(t, "prod")
	e := s.newEvent(t, alice, prod, 0)
	s.open(t, st, e)
	s.closeAndUpdate(t, st, s.get(t, st, e.ID), s.base.Add(time.Minute))
	next := s.newEvent(t, alice, prod, 2*time.Minute)
	if err := st.Open(t.Context(), next, breakglass.Limits{}); err != nil {
		t.Fatalf("Open after closing the previous event: %v", err)
	}
	// And the new event holds the lock again.
	if err := st.Open(t.Context(), s.newEvent(t, alice, prod, 3*time.Minute), breakglass.Limits{}); !errors.Is(err, breakglass.ErrActiveExists) {
		t.Fatalf("Open while the reopened event is active: got %v, want ErrActiveExists", err)
	}
}

// refusedChangeKeepsLock: a change that fails after closing the event in
// memory writes nothing, and so releases no lock.
func (s *breakglassSuite) refusedChangeKeepsLock(t *testing.T) {
	st := s.newStore(t)
	alice, prod := s.name(t, "alice"), s.name(t, "prod")
	e := s.newEvent(t, alice, prod, 0)
	s.open(t, st, e)
	refused := errors.New("refused")
	if _, err := st.Change(t.Context(), e.ID, func(e *breakglass.Event) error {
		if err := e.Close(e.Invoker, "contract suite: done", s.base.Add(time.Minute)); err != nil {
			return err
		}
		return refused
	}); !errors.Is(err, refused) {
		t.Fatalf("failed change: got %v", err)
	}
	if diff := diffEvent(e, s.get(t, st, e.ID)); diff != "" {
		t.Fatalf("failed change changed the stored event: %s", diff)
	}
	if err := st.Open(t.Context(), s.newEvent(t, alice, prod, time.Minute), breakglass.Limits{}); !errors.Is(err, breakglass.ErrActiveExists) {
		t.Fatalf("failed change released the lock: Open returned %v", err)
	}
}

// cannotBecomeActiveAgain: reactivating an event would bypass the lock
// that keeps one active event per person and role; the store refuses it
// whatever the change does.
func (s *breakglassSuite) cannotBecomeActiveAgain(t *testing.T) {
	st := s.newStore(t)
	alice, prod := s.name(t, "alice"), s.name(t, "prod")
	e := s.newEvent(t, alice, prod, 0)
	s.open(t, st, e)
	s.closeAndUpdate(t, st, e, s.base.Add(time.Minute))
	closed := s.get(t, st, e.ID)
	_, err := st.Change(t.Context(), e.ID, func(e *breakglass.Event) error {
		e.Status, e.ClosedBy, e.CloseReason, e.ClosedAt = breakglass.StatusActive, "", "", time.Time{}
		return nil
	})
	if !errors.Is(err, breakglass.ErrTransition) {
		t.Fatalf("reactivating a closed event: got %v, want ErrTransition", err)
	}
	if diff := diffEvent(closed, s.get(t, st, e.ID)); diff != "" {
		t.Fatalf("refused reactivation changed the stored event: %s", diff)
	}
}

// diffEvent describes the differences between two events, or returns "" if
// they are equal field by field.
func diffEvent(want, got *breakglass.Event) string {
	var d diff
	add, field := d.add, d.field
	field("ID", want.ID, got.ID)
	field("Invoker", want.Invoker, got.Invoker)
	field("InvokerARN", want.InvokerARN, got.InvokerARN)
	field("Profile", want.Profile, got.Profile)
	field("RoleARN", want.RoleARN, got.RoleARN)
	field("ReasonCode", want.ReasonCode, got.ReasonCode)
	field("Justification", want.Justification, got.Justification)
	field("Duration", want.Duration, got.Duration)
	field("Status", want.Status, got.Status)
	field("ClosedBy", want.ClosedBy, got.ClosedBy)
	field("CloseReason", want.CloseReason, got.CloseReason)
	field("Version", want.Version, got.Version)
	add(sameTime("OpenedAt", want.OpenedAt, got.OpenedAt))
	add(sameTime("ExpiresAt", want.ExpiresAt, got.ExpiresAt))
	add(sameTime("ClosedAt", want.ClosedAt, got.ClosedAt))
	return d.String()
}

// wantLimit checks that err is a *breakglass.LimitError matching want and
// naming next as the next possible time.
func wantLimit(t *testing.T, what string, err, want error, next time.Time) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got %v, want %v", what, err, want)
	}
	le, ok := breakglass.AsLimitError(err)
	if !ok || !le.Next.Equal(next) {
		t.Fatalf("%s: got %#v, want a LimitError with next possible time %s", what, err, next)
	}
}

// dailyLimit opens events on different profiles until the daily limit
// refuses one, and checks the refusal names when the oldest ages out.
func (s *breakglassSuite) dailyLimit(t *testing.T) {
	st := s.newStore(t)
	alice := s.name(t, "alice")
	lim := breakglass.Limits{MaxPerDay: 2}
	first := s.newEvent(t, alice, s.name(t, "p1"), 0)
	if err := st.Open(t.Context(), first, lim); err != nil {
		t.Fatal(err)
	}
	if err := st.Open(t.Context(), s.newEvent(t, alice, s.name(t, "p2"), time.Minute), lim); err != nil {
		t.Fatal(err)
	}
	third := s.newEvent(t, alice, s.name(t, "p3"), 2*time.Minute)
	err := st.Open(t.Context(), third, lim)
	wantLimit(t, "third open within a day", err, breakglass.ErrLimit, first.OpenedAt.Add(24*time.Hour))
	if _, err := st.Get(t.Context(), third.ID); !errors.Is(err, breakglass.ErrNotFound) {
		t.Fatalf("refused event was stored anyway: Get returned %v", err)
	}
	// Another user is not limited by alice's events.
	if err := st.Open(t.Context(), s.newEvent(t, s.name(t, "bob"), s.name(t, "p3"), 2*time.Minute), lim); err != nil {
		t.Fatalf("another user's open: %v", err)
	}
	// A day after the first, one slot is free again.
	if err := st.Open(t.Context(), s.newEvent(t, alice, s.name(t, "p3"), 24*time.Hour+time.Second), lim); err != nil {
		t.Fatalf("open after the oldest aged out: %v", err)
	}
}

// cooldownSharedByRoleAliases closes an event on one profile and opens on
// another profile pinned to the same role: the cooldown applies.
func (s *breakglassSuite) cooldownSharedByRoleAliases(t *testing.T) {
	st := s.newStore(t)
	alice, role := s.name(t, "alice"), s.role(t, "Admin")
	lim := breakglass.Limits{Cooldown: 30 * time.Minute}
	e := s.roleEvent(t, alice, s.name(t, "prod"), role, 0)
	if err := st.Open(t.Context(), e, lim); err != nil {
		t.Fatal(err)
	}
	closedAt := s.base.Add(5 * time.Minute)
	s.closeAndUpdate(t, st, s.get(t, st, e.ID), closedAt)
	err := st.Open(t.Context(), s.roleEvent(t, alice, s.name(t, "prod-alias"), role, 10*time.Minute), lim)
	wantLimit(t, "open on an alias inside the cooldown", err, breakglass.ErrLimit, closedAt.Add(30*time.Minute))
	// Another role is not cooling down.
	if err := st.Open(t.Context(), s.roleEvent(t, alice, s.name(t, "prod"), s.role(t, "Other"), 10*time.Minute), lim); err != nil {
		t.Fatalf("open on the same profile name pinned to another role: %v", err)
	}
	if err := st.Open(t.Context(), s.roleEvent(t, alice, s.name(t, "prod-alias"), role, 35*time.Minute), lim); err != nil {
		t.Fatalf("open on an alias after the cooldown: %v", err)
	}
}

// lockSharedByRoleAliases checks one active event per user and role, across
// profile names.
func (s *breakglassSuite) lockSharedByRoleAliases(t *testing.T) {
	st := s.newStore(t)
	alice, role := s.name(t, "alice"), s.role(t, "Admin")
	e := s.roleEvent(t, alice, s.name(t, "prod"), role, 0)
	s.open(t, st, e)
	err := st.Open(t.Context(), s.roleEvent(t, alice, s.name(t, "prod-alias"), role, time.Minute), breakglass.Limits{})
	wantLimit(t, "open on an alias while active", err, breakglass.ErrActiveExists, e.ExpiresAt)
	s.closeAndUpdate(t, st, s.get(t, st, e.ID), s.base.Add(2*time.Minute))
	s.open(t, st, s.roleEvent(t, alice, s.name(t, "prod-alias"), role, 3*time.Minute))
}

// roleLessEventsKeyedByProfile checks that events without a role keep
// their per-profile lock and cooldown.
func (s *breakglassSuite) roleLessEventsKeyedByProfile(t *testing.T) {
	st := s.newStore(t)
	alice, prod := s.name(t, "alice"), s.name(t, "prod")
	lim := breakglass.Limits{Cooldown: time.Hour}
	e := s.newEvent(t, alice, prod, 0)
	if err := st.Open(t.Context(), e, lim); err != nil {
		t.Fatal(err)
	}
	s.closeAndUpdate(t, st, s.get(t, st, e.ID), s.base.Add(time.Minute))
	err := st.Open(t.Context(), s.newEvent(t, alice, prod, 2*time.Minute), lim)
	wantLimit(t, "open inside the cooldown", err, breakglass.ErrLimit, s.base.Add(61*time.Minute))
	if err := st.Open(t.Context(), s.newEvent(t, alice, s.name(t, "dev"), 2*time.Minute), lim); err != nil {
		t.Fatalf("open on another profile: %v", err)
	}
}

// raceDailyLimit has one user open events on 16 profiles pinned to 16
// different roles at once, with a daily limit of 3: exactly 3 may succeed.
func (s *breakglassSuite) raceDailyLimit(t *testing.T) {
	st := s.newStore(t)
	alice := s.name(t, "alice")
	lim := breakglass.Limits{MaxPerDay: 3, Cooldown: time.Hour}
	events := make([]*breakglass.Event, racers)
	for i := range events {
		events[i] = s.roleEvent(t, alice, s.name(t, fmt.Sprintf("p%d", i)), s.role(t, fmt.Sprintf("r%d", i)), time.Duration(i)*time.Millisecond)
	}
	errs := race(racers, func(i int) error { return st.Open(t.Context(), events[i], lim) })
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, breakglass.ErrLimit):
			t.Errorf("racer %d: got %v, want success or ErrLimit", i, err)
		}
	}
	stored := s.list(t, st, breakglass.Query{Invoker: alice, Status: breakglass.StatusActive})
	if won != 3 || len(stored) != 3 {
		t.Fatalf("%d opens succeeded and %d events are stored, want 3 and 3", won, len(stored))
	}
}

// raceRoleAliases has one user open events on 16 aliases of one role at
// once, with a cooldown: exactly one may succeed.
func (s *breakglassSuite) raceRoleAliases(t *testing.T) {
	st := s.newStore(t)
	alice, role := s.name(t, "alice"), s.role(t, "Admin")
	lim := breakglass.Limits{Cooldown: time.Hour}
	events := make([]*breakglass.Event, racers)
	for i := range events {
		events[i] = s.roleEvent(t, alice, s.name(t, fmt.Sprintf("alias%d", i)), role, time.Duration(i)*time.Millisecond)
	}
	errs := race(racers, func(i int) error { return st.Open(t.Context(), events[i], lim) })
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, breakglass.ErrActiveExists) && !errors.Is(err, breakglass.ErrLimit):
			t.Errorf("racer %d: got %v, want success, ErrActiveExists or ErrLimit", i, err)
		}
	}
	stored := s.list(t, st, breakglass.Query{Invoker: alice})
	if won != 1 || len(stored) != 1 {
		t.Fatalf("%d opens succeeded and %d events are stored, want 1 and 1", won, len(stored))
	}
}
