package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// Fixture describes one record kind to the contract suite: how to make a
// valid record and the few changes the suite makes. The suite itself
// (Contract) is written once and run for every kind on every backend.
type Fixture[T any, S ~string] struct {
	Kind *record.Kind[T, S]
	// Store returns the store under test; it is called once per subtest.
	Store func(t *testing.T) record.Reader[T, S]
	// Create stores a new record: Store.Create, or Open for a kind that
	// has no plain Create.
	Create func(t *testing.T, st record.Reader[T, S], r *T) error
	// New returns a valid new record of owner on profile, begun at at, in
	// the kind's first status, whose time runs out within a day.
	New func(t *testing.T, owner, profile string, at time.Time) *T
	// Fill sets every optional field of a new record, so that a backend
	// that forgets one fails the round trip; the record stays storable.
	Fill func(t *testing.T, r *T, at time.Time)
	// Finish moves a record from its first status to a final one, as
	// actor (an approval, a close, a revocation).
	Finish func(r *T, actor string, at time.Time) error
	// Expire records that a record's time ran out.
	Expire func(r *T, at time.Time) error
	// Bump, when set, changes a record without moving its status, adding
	// one to Count (an approval of several needed, a touch). Kinds that
	// have no such change leave it nil.
	Bump  func(r *T, actor string, at time.Time) error
	Count func(r *T) int
	// Owner and Profile are the names of the indexes by owner and by
	// profile.
	Owner, Profile string
	// SetID and SetStatus set a field by hand, for the changes the store
	// must refuse whatever the domain allows.
	SetID     func(r *T, id string)
	SetStatus func(r *T, s S)
	// Diff describes how got differs from want, field by field, or "".
	Diff func(want, got *T) string
}

// contract is one run of the suite for one kind.
type contract[T any, S ~string] struct {
	f      Fixture[T, S]
	prefix string
	base   time.Time
}

// Contract runs the generic record.Store contract for one kind: create,
// get, change (version, lost races, refused moves, errors), list by every
// index with lazy expiry and limits, and races.
func Contract[T any, S ~string](t *testing.T, f Fixture[T, S]) {
	c := &contract[T, S]{f: f, prefix: uniquePrefix(t), base: baseTime()}
	t.Run("CreateGetRoundTrip", c.createGetRoundTrip)
	t.Run("CreateDuplicate", c.createDuplicate)
	t.Run("GetMissing", c.getMissing)
	t.Run("ChangeBumpsVersion", c.changeBumpsVersion)
	t.Run("ChangeLostRaceStartsAgain", c.changeLostRace)
	t.Run("ChangeLostRaceSameStatus", c.changeLostRaceSameStatus)
	t.Run("ChangeRefusesMove", c.changeRefusesMove)
	t.Run("ChangeErrorWritesNothing", c.changeErrorWritesNothing)
	t.Run("ChangeKeepsID", c.changeKeepsID)
	t.Run("ChangeMissing", c.changeMissing)
	t.Run("ListByOwner", func(t *testing.T) { c.listByKey(t, true) })
	t.Run("ListByProfile", func(t *testing.T) { c.listByKey(t, false) })
	t.Run("ListByStatus", c.listByStatus)
	t.Run("ListFollowsStatusChange", c.listFollowsStatusChange)
	t.Run("ListLapsed", c.listLapsed)
	t.Run("ListRefusals", c.listRefusals)
	t.Run("RaceFinish", c.raceFinish)
	t.Run("RaceBump", c.raceBump)
}

// name returns a user or profile name private to one subtest.
func (c *contract[T, S]) name(t *testing.T, what string) string {
	return fmt.Sprintf("%s-%s-%s", c.prefix, t.Name(), what)
}

func (c *contract[T, S]) first() S {
	for s, moves := range c.f.Kind.Machine.Moves {
		if _, lapses := c.f.Kind.Machine.Lapses[s]; lapses && len(moves) > 0 {
			return s
		}
	}
	panic("storetest: the kind has no status that lapses")
}

func (c *contract[T, S]) expired() S { return c.f.Kind.Machine.Lapses[c.first()] }

func (c *contract[T, S]) create(t *testing.T, st record.Reader[T, S], r *T) {
	t.Helper()
	if err := c.f.Create(t, st, r); err != nil {
		t.Fatalf("create %s: %v", c.f.Kind.ID(r), err)
	}
}

func (c *contract[T, S]) get(t *testing.T, st record.Reader[T, S], id string) *T {
	t.Helper()
	r, err := st.Get(t.Context(), id)
	if err != nil {
		t.Fatalf("Get %s: %v", id, err)
	}
	return r
}

func (c *contract[T, S]) change(t *testing.T, st record.Reader[T, S], id string, fn func(*T) error) *T {
	t.Helper()
	r, err := st.Change(t.Context(), id, fn)
	if err != nil {
		t.Fatalf("Change %s: %v", id, err)
	}
	return r
}

func (c *contract[T, S]) finished(t *testing.T, st record.Reader[T, S], r *T, actor string) *T {
	t.Helper()
	return c.change(t, st, c.f.Kind.ID(r), func(r *T) error { return c.f.Finish(r, actor, c.base.Add(time.Minute)) })
}

// unchanged fails t if the stored record differs from want.
func (c *contract[T, S]) unchanged(t *testing.T, st record.Reader[T, S], want *T, after string) {
	t.Helper()
	if diff := c.f.Diff(want, c.get(t, st, c.f.Kind.ID(want))); diff != "" {
		t.Fatalf("%s changed the stored %s: %s", after, c.f.Kind.Name, diff)
	}
}

// list runs q and returns the IDs in order.
func (c *contract[T, S]) list(t *testing.T, st record.Reader[T, S], q record.Query[S]) []string {
	t.Helper()
	if q.At.IsZero() {
		q.At = c.base
	}
	rs, err := st.List(t.Context(), q)
	if err != nil {
		t.Fatalf("List %+v: %v", q, err)
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = c.f.Kind.ID(r)
	}
	return ids
}

// wantErr fails t unless err matches the kind's own error, which callers
// check.
func wantErr(t *testing.T, what string, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: got %v, want %v", what, err, kind)
	}
}

func (c *contract[T, S]) createGetRoundTrip(t *testing.T) {
	st := c.f.Store(t)
	r := c.f.New(t, c.name(t, "alice"), c.name(t, "prod"), c.base)
	c.f.Fill(t, r, c.base)
	c.create(t, st, r)
	got := c.get(t, st, c.f.Kind.ID(r))
	if diff := c.f.Diff(r, got); diff != "" {
		t.Fatalf("round trip changed the %s: %s", c.f.Kind.Name, diff)
	}
	// A fresh record leaves optional fields zero; they must stay zero.
	p := c.f.New(t, c.name(t, "alice"), c.name(t, "prod"), c.base.Add(time.Second))
	c.create(t, st, p)
	c.unchanged(t, st, p, "the round trip")
	// Changing a returned copy must not change the stored one.
	if err := c.f.Finish(got, c.name(t, "mallory"), c.base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	c.unchanged(t, st, r, "changing a returned copy")
	// Nor may changing the caller's copy after Create.
	if err := c.f.Finish(p, c.name(t, "mallory"), c.base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := c.get(t, st, c.f.Kind.ID(p)); c.f.Kind.Status(got) != c.first() {
		t.Fatalf("changing the created copy changed the stored status to %s", c.f.Kind.Status(got))
	}
}

func (c *contract[T, S]) createDuplicate(t *testing.T) {
	st := c.f.Store(t)
	r := c.f.New(t, c.name(t, "alice"), c.name(t, "prod"), c.base)
	c.create(t, st, r)
	dup := c.f.New(t, c.name(t, "bob"), c.name(t, "dev"), c.base.Add(time.Second))
	*c.f.Kind.Version(dup) = 0
	id := c.f.Kind.ID(r)
	dup = c.withID(dup, id)
	wantErr(t, "create with an existing ID", c.f.Create(t, st, dup), c.f.Kind.Errors.Conflict)
	c.unchanged(t, st, r, "a failed create")
}

// withID returns a copy of r with the given ID, through a round trip of
// the kind's own fields: the ID is the only field the suite sets by hand.
func (c *contract[T, S]) withID(r *T, id string) *T {
	cp := c.f.Kind.Normalize(r)
	c.f.SetID(cp, id)
	return cp
}

func (c *contract[T, S]) getMissing(t *testing.T) {
	st := c.f.Store(t)
	id, err := record.NewID()
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Get(t.Context(), id)
	wantErr(t, "Get of a missing ID", err, c.f.Kind.Errors.NotFound)
	_, err = st.Get(t.Context(), "")
	wantErr(t, "Get of no ID", err, c.f.Kind.Errors.NotFound)
}

func (c *contract[T, S]) changeBumpsVersion(t *testing.T) {
	st := c.f.Store(t)
	r := c.f.New(t, c.name(t, "alice"), c.name(t, "prod"), c.base)
	c.create(t, st, r)
	id := c.f.Kind.ID(r)
	want := int64(0)
	if c.f.Bump != nil {
		for i, actor := range []string{"bob", "carol"} {
			got := c.change(t, st, id, func(r *T) error { return c.f.Bump(r, c.name(t, actor), c.base.Add(time.Minute)) })
			want++
			if v := *c.f.Kind.Version(got); v != want || c.f.Count(got) != i+1 {
				t.Fatalf("after change %d: version %d count %d, want %d and %d", i+1, v, c.f.Count(got), want, i+1)
			}
			c.unchanged(t, st, got, "nothing")
		}
	}
	got := c.finished(t, st, r, c.name(t, "dave"))
	want++
	if v := *c.f.Kind.Version(got); v != want {
		t.Fatalf("after the final change: version %d, want %d", v, want)
	}
	if s := c.f.Kind.Status(got); !c.f.Kind.Machine.Final(s) {
		t.Fatalf("after the final change: status %s is not final", s)
	}
	c.unchanged(t, st, got, "nothing")
}

// changeLostRace: another writer moves the record while a change is
// being made; the change starts again on a fresh copy, where the
// domain's own rules refuse it (it is final now), and nothing of the
// loser is written. This is the lost update that the version catches.
func (c *contract[T, S]) changeLostRace(t *testing.T) {
	st := c.f.Store(t)
	r := c.f.New(t, c.name(t, "alice"), c.name(t, "prod"), c.base)
	c.create(t, st, r)
	id := c.f.Kind.ID(r)
	var winner *T
	calls := 0
	_, err := st.Change(t.Context(), id, func(r *T) error {
		calls++
		if calls == 1 {
			w, err := st.Change(t.Context(), id, func(r *T) error { return c.f.Finish(r, c.name(t, "bob"), c.base.Add(time.Minute)) })
			if err != nil {
				return fmt.Errorf("the other writer: %w", err)
			}
			winner = w
		}
		return c.f.Finish(r, c.name(t, "carol"), c.base.Add(2*time.Minute))
	})
	if !errors.Is(err, c.f.Kind.Errors.Transition) || calls != 2 || winner == nil {
		t.Fatalf("a change that lost the race: err %v after %d calls, want a refusal on the second", err, calls)
	}
	c.unchanged(t, st, winner, "the losing change")
	if v := *c.f.Kind.Version(winner); v != 1 {
		t.Fatalf("winner's version %d, want 1", v)
	}
}

// changeLostRaceSameStatus is the lost update only the version catches:
// two changes that both leave the status as it is (two approvals of
// several needed, two touches). Both must land.
func (c *contract[T, S]) changeLostRaceSameStatus(t *testing.T) {
	if c.f.Bump == nil {
		t.Skipf("%s has no change that keeps its status", c.f.Kind.Name)
	}
	st := c.f.Store(t)
	r := c.f.New(t, c.name(t, "alice"), c.name(t, "prod"), c.base)
	c.create(t, st, r)
	id := c.f.Kind.ID(r)
	calls := 0
	got, err := st.Change(t.Context(), id, func(r *T) error {
		calls++
		if calls == 1 {
			if _, err := st.Change(t.Context(), id, func(r *T) error { return c.f.Bump(r, c.name(t, "bob"), c.base.Add(time.Minute)) }); err != nil {
				return fmt.Errorf("the other writer: %w", err)
			}
		}
		return c.f.Bump(r, c.name(t, "carol"), c.base.Add(2*time.Minute))
	})
	if err != nil || calls != 2 {
		t.Fatalf("a change that lost the race: err %v after %d calls, want success on the second", err, calls)
	}
	if c.f.Count(got) != 2 || *c.f.Kind.Version(got) != 2 {
		t.Fatalf("after both changes: count %d version %d, want 2 and 2", c.f.Count(got), *c.f.Kind.Version(got))
	}
	c.unchanged(t, st, got, "nothing")
}

// changeRefusesMove: the store checks the status move against the kind's
// machine, whatever the change function does.
func (c *contract[T, S]) changeRefusesMove(t *testing.T) {
	st := c.f.Store(t)
	r := c.f.New(t, c.name(t, "alice"), c.name(t, "prod"), c.base)
	c.create(t, st, r)
	done := c.finished(t, st, r, c.name(t, "bob"))
	_, err := st.Change(t.Context(), c.f.Kind.ID(r), func(r *T) error {
		c.f.SetStatus(r, c.first())
		return nil
	})
	wantErr(t, "moving a final record back", err, c.f.Kind.Errors.Transition)
	c.unchanged(t, st, done, "a refused move")
	var unknown S = "no-such-status"
	fresh := c.f.New(t, c.name(t, "alice"), c.name(t, "prod"), c.base.Add(time.Second))
	c.create(t, st, fresh)
	_, err = st.Change(t.Context(), c.f.Kind.ID(fresh), func(r *T) error {
		c.f.SetStatus(r, unknown)
		return nil
	})
	if err == nil {
		t.Fatal("a change to an unknown status was stored")
	}
	c.unchanged(t, st, fresh, "a move to an unknown status")
}

func (c *contract[T, S]) changeErrorWritesNothing(t *testing.T) {
	st := c.f.Store(t)
	r := c.f.New(t, c.name(t, "alice"), c.name(t, "prod"), c.base)
	c.create(t, st, r)
	boom := errors.New("the change refused")
	_, err := st.Change(t.Context(), c.f.Kind.ID(r), func(r *T) error {
		if err := c.f.Finish(r, c.name(t, "bob"), c.base.Add(time.Minute)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Change whose function failed: got %v, want its error", err)
	}
	c.unchanged(t, st, r, "a failed change function")
}

func (c *contract[T, S]) changeKeepsID(t *testing.T) {
	st := c.f.Store(t)
	r := c.f.New(t, c.name(t, "alice"), c.name(t, "prod"), c.base)
	c.create(t, st, r)
	other, err := record.NewID()
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Change(t.Context(), c.f.Kind.ID(r), func(r *T) error {
		c.f.SetID(r, other)
		return nil
	})
	wantErr(t, "a change of the ID", err, c.f.Kind.Errors.Invalid)
	c.unchanged(t, st, r, "a refused change of the ID")
	_, err = st.Get(t.Context(), other)
	wantErr(t, "Get of the ID a change tried", err, c.f.Kind.Errors.NotFound)
}

func (c *contract[T, S]) changeMissing(t *testing.T) {
	st := c.f.Store(t)
	r := c.f.New(t, c.name(t, "alice"), c.name(t, "prod"), c.base)
	id := c.f.Kind.ID(r)
	called := false
	_, err := st.Change(t.Context(), id, func(r *T) error { called = true; return nil })
	wantErr(t, "Change of a missing record", err, c.f.Kind.Errors.NotFound)
	if called {
		t.Fatal("Change called its function for a missing record")
	}
	_, err = st.Get(t.Context(), id)
	wantErr(t, "Get after a failed Change", err, c.f.Kind.Errors.NotFound)
}

// listByKey lists by the owner index (owner true) or the profile index,
// alone and with the other key, a status and limits.
func (c *contract[T, S]) listByKey(t *testing.T, owner bool) {
	st := c.f.Store(t)
	alice, bob := c.name(t, "alice"), c.name(t, "bob")
	prod, dev := c.name(t, "prod"), c.name(t, "dev")
	// Created out of order, so a store that returns insertion order fails.
	var r2, r0, r1, other *T
	if owner {
		r2 = c.f.New(t, alice, dev, c.base.Add(2*time.Second))
		r0 = c.f.New(t, alice, prod, c.base)
		r1 = c.f.New(t, alice, prod, c.base.Add(time.Second))
		other = c.f.New(t, bob, prod, c.base.Add(3*time.Second))
	} else {
		r2 = c.f.New(t, alice, prod, c.base.Add(2*time.Second))
		r0 = c.f.New(t, alice, prod, c.base)
		r1 = c.f.New(t, bob, prod, c.base.Add(time.Second))
		other = c.f.New(t, alice, dev, c.base.Add(3*time.Second))
	}
	for _, r := range []*T{r2, r0, r1, other} {
		c.create(t, st, r)
	}
	r1 = c.finished(t, st, r1, c.name(t, "carol"))
	id := c.f.Kind.ID
	key, value, second, secondValue := c.f.Owner, alice, c.f.Profile, prod
	if !owner {
		key, value, second, secondValue = c.f.Profile, prod, c.f.Owner, bob
	}
	where := []record.Match{{Index: key, Value: value}}
	final := c.f.Kind.Status(r1)
	checkIDs(t, "by key", c.list(t, st, record.Query[S]{Where: where}), id(r2), id(r1), id(r0))
	checkIDs(t, "by key, limit 2", c.list(t, st, record.Query[S]{Where: where, Limit: 2}), id(r2), id(r1))
	if owner {
		checkIDs(t, "by both keys", c.list(t, st, record.Query[S]{Where: append(where, record.Match{Index: second, Value: secondValue})}), id(r1), id(r0))
	} else {
		checkIDs(t, "by both keys", c.list(t, st, record.Query[S]{Where: append(where, record.Match{Index: second, Value: secondValue})}), id(r1))
	}
	checkIDs(t, "by key and status", c.list(t, st, record.Query[S]{Where: where, Status: c.first()}), id(r2), id(r0))
	checkIDs(t, "by key, status and limit", c.list(t, st, record.Query[S]{Where: where, Status: c.first(), Limit: 1}), id(r2))
	checkIDs(t, "by key and final status", c.list(t, st, record.Query[S]{Where: where, Status: final}), id(r1))
	checkIDs(t, "by unknown key", c.list(t, st, record.Query[S]{Where: []record.Match{{Index: key, Value: c.name(t, "nobody")}}}))

	rs, err := st.List(t.Context(), record.Query[S]{Where: where})
	if err != nil {
		t.Fatal(err)
	}
	if diff := c.f.Diff(r1, rs[1]); diff != "" {
		t.Fatalf("List returned a different %s than was stored: %s", c.f.Kind.Name, diff)
	}
}

// listByStatus lists by status alone. Other subtests (and other runs, on
// a shared store) hold records with the same status, so it checks only
// that every result has the status, that the results are newest first,
// and that this subtest's records appear in the right order.
func (c *contract[T, S]) listByStatus(t *testing.T) {
	st := c.f.Store(t)
	alice, prod := c.name(t, "alice"), c.name(t, "prod")
	var mine []string
	var final S
	for i := range 3 {
		r := c.f.New(t, alice, prod, c.base.Add(time.Duration(i)*time.Second))
		c.create(t, st, r)
		final = c.f.Kind.Status(c.finished(t, st, r, c.name(t, "bob")))
		mine = append([]string{c.f.Kind.ID(r)}, mine...)
	}
	c.create(t, st, c.f.New(t, alice, prod, c.base.Add(5*time.Second)))

	rs, err := st.List(t.Context(), record.Query[S]{Status: final, At: c.base})
	if err != nil {
		t.Fatalf("List by status: %v", err)
	}
	var seen []string
	for i, r := range rs {
		if s := c.f.Kind.Status(r); s != final {
			t.Fatalf("List by status %s returned %s with status %s", final, c.f.Kind.ID(r), s)
		}
		if i > 0 && c.f.Kind.Created(r).After(c.f.Kind.Created(rs[i-1])) {
			t.Fatalf("List by status is not newest first")
		}
		if slices.Contains(mine, c.f.Kind.ID(r)) {
			seen = append(seen, c.f.Kind.ID(r))
		}
	}
	checkIDs(t, "this subtest's records", seen, mine...)

	limited, err := st.List(t.Context(), record.Query[S]{Status: final, At: c.base, Limit: 2})
	if err != nil {
		t.Fatalf("List by status with limit: %v", err)
	}
	if len(limited) != 2 {
		t.Fatalf("List by status with limit 2 returned %d records", len(limited))
	}
	for _, r := range limited {
		if s := c.f.Kind.Status(r); s != final {
			t.Fatalf("List by status with limit returned status %s", s)
		}
	}
}

// listFollowsStatusChange checks that the status index moves with Change
// and that listings return the record as changed.
func (c *contract[T, S]) listFollowsStatusChange(t *testing.T) {
	st := c.f.Store(t)
	alice, prod := c.name(t, "alice"), c.name(t, "prod")
	r := c.f.New(t, alice, prod, c.base)
	c.create(t, st, r)
	id := c.f.Kind.ID(r)
	owner := []record.Match{{Index: c.f.Owner, Value: alice}}
	checkIDs(t, "first status before the change", c.list(t, st, record.Query[S]{Where: owner, Status: c.first()}), id)
	r = c.finished(t, st, r, c.name(t, "bob"))
	final := c.f.Kind.Status(r)
	checkIDs(t, "first status after the change", c.list(t, st, record.Query[S]{Where: owner, Status: c.first()}))
	checkIDs(t, "final status after the change", c.list(t, st, record.Query[S]{Where: owner, Status: final}), id)
	checkIDs(t, "by owner after the change", c.list(t, st, record.Query[S]{Where: owner}), id)
	checkIDs(t, "by profile after the change", c.list(t, st, record.Query[S]{Where: []record.Match{{Index: c.f.Profile, Value: prod}}}), id)

	rs, err := st.List(t.Context(), record.Query[S]{Status: final, At: c.base})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, got := range rs {
		if c.f.Kind.ID(got) == id {
			found = true
			if diff := c.f.Diff(r, got); diff != "" {
				t.Fatalf("List by status returned a stale copy: %s", diff)
			}
		}
	}
	if !found {
		t.Fatalf("List by status %s misses %s", final, id)
	}
}

// listLapsed: a record whose time ran out reads, and is listed, as the
// status it lapses to, with nothing written (lazy expiry); one whose
// expiry was recorded is listed the same way.
func (c *contract[T, S]) listLapsed(t *testing.T) {
	st := c.f.Store(t)
	alice, prod := c.name(t, "alice"), c.name(t, "prod")
	lapsed := c.f.New(t, alice, prod, c.base)
	recorded := c.f.New(t, alice, prod, c.base.Add(time.Second))
	c.create(t, st, lapsed)
	c.create(t, st, recorded)
	later := c.base.Add(48 * time.Hour)
	recorded = c.change(t, st, c.f.Kind.ID(recorded), func(r *T) error { return c.f.Expire(r, later) })
	owner := []record.Match{{Index: c.f.Owner, Value: alice}}
	id := c.f.Kind.ID
	checkIDs(t, "first status, now", c.list(t, st, record.Query[S]{Where: owner, Status: c.first()}), id(lapsed))
	checkIDs(t, "expired, now", c.list(t, st, record.Query[S]{Where: owner, Status: c.expired()}), id(recorded))
	checkIDs(t, "first status, later", c.list(t, st, record.Query[S]{Where: owner, Status: c.first(), At: later}))
	checkIDs(t, "expired, later", c.list(t, st, record.Query[S]{Where: owner, Status: c.expired(), At: later}), id(recorded), id(lapsed))
	checkIDs(t, "expired, later, limit 1", c.list(t, st, record.Query[S]{Where: owner, Status: c.expired(), At: later, Limit: 1}), id(recorded))
	checkIDs(t, "every status, later", c.list(t, st, record.Query[S]{Where: owner, At: later}), id(recorded), id(lapsed))

	// By status alone, the lapsed record is found under the status it
	// lapsed to, although it is stored under the first.
	rs, err := st.List(t.Context(), record.Query[S]{Status: c.expired(), At: later})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, r := range rs {
		if c.f.Kind.Effective(r, later) != c.expired() {
			t.Fatalf("List by status expired returned %s, effective %s", id(r), c.f.Kind.Effective(r, later))
		}
		if id(r) == id(lapsed) || id(r) == id(recorded) {
			seen = append(seen, id(r))
		}
	}
	checkIDs(t, "this subtest's expired records by status", seen, id(recorded), id(lapsed))
	if s := c.f.Kind.Status(c.get(t, st, id(lapsed))); s != c.first() {
		t.Fatalf("listing wrote the lapse: stored status %s", s)
	}
}

func (c *contract[T, S]) listRefusals(t *testing.T) {
	st := c.f.Store(t)
	for _, q := range []record.Query[S]{
		{},
		{Limit: 5},
		{Where: []record.Match{{Index: c.f.Owner, Value: "x"}}, Limit: -1},
		{Where: []record.Match{{Index: "no-such-index", Value: "x"}}},
		{Status: c.first()}, // no present time
	} {
		_, err := st.List(t.Context(), q)
		wantErr(t, fmt.Sprintf("List %+v", q), err, c.f.Kind.Errors.Invalid)
	}
}

// raceFinish has many actors make the final move at once; each reads the
// record first, inside Change, so exactly one write may win and every
// other actor finds the record final on its retry.
func (c *contract[T, S]) raceFinish(t *testing.T) {
	st := c.f.Store(t)
	r := c.f.New(t, c.name(t, "alice"), c.name(t, "prod"), c.base)
	c.create(t, st, r)
	id := c.f.Kind.ID(r)
	stored := make([]*T, racers)
	errs := race(racers, func(i int) error {
		var err error
		stored[i], err = st.Change(t.Context(), id, func(r *T) error {
			return c.f.Finish(r, c.name(t, fmt.Sprintf("actor%d", i)), c.base.Add(time.Minute))
		})
		return err
	})
	winner := oneWinner(t, errs, c.f.Kind.Errors.Transition)
	got := c.get(t, st, id)
	if !c.f.Kind.Machine.Final(c.f.Kind.Status(got)) || *c.f.Kind.Version(got) != 1 {
		t.Fatalf("after the race: status %s version %d, want final at version 1", c.f.Kind.Status(got), *c.f.Kind.Version(got))
	}
	if diff := c.f.Diff(stored[winner], got); diff != "" {
		t.Fatalf("the stored record is not the winner's (actor%d): %s", winner, diff)
	}
}

// raceBump has many actors change a record at once without moving its
// status: every change lands, none lost (Change retries lost races).
func (c *contract[T, S]) raceBump(t *testing.T) {
	if c.f.Bump == nil {
		t.Skipf("%s has no change that keeps its status", c.f.Kind.Name)
	}
	st := c.f.Store(t)
	r := c.f.New(t, c.name(t, "alice"), c.name(t, "prod"), c.base)
	c.create(t, st, r)
	id := c.f.Kind.ID(r)
	const n = 8
	errs := race(n, func(i int) error {
		_, err := st.Change(t.Context(), id, func(r *T) error {
			return c.f.Bump(r, c.name(t, fmt.Sprintf("actor%d", i)), c.base.Add(time.Minute))
		})
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
	}
	got := c.get(t, st, id)
	if c.f.Count(got) != n || *c.f.Kind.Version(got) != n {
		t.Fatalf("after %d concurrent changes: count %d version %d", n, c.f.Count(got), *c.f.Kind.Version(got))
	}
}
