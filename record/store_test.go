package record

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// thing is the record kind of these tests: pending lapses to expired,
// pending may become done, done and expired are final.
type thing struct {
	ID      string
	Owner   string
	Status  string
	Version int64
	Created time.Time
	Due     time.Time
	Note    string
}

var errThingNotFound = errors.New("thing not found")

var thingKind = &Kind[thing, string]{
	Name: "thing",
	Machine: Machine[string]{
		Moves:  map[string][]string{"pending": {"done", "expired"}, "done": nil, "expired": nil},
		Lapses: map[string]string{"pending": "expired"},
	},
	Errors:  Errors{NotFound: errThingNotFound},
	ID:      func(r *thing) string { return r.ID },
	Status:  func(r *thing) string { return r.Status },
	Version: func(r *thing) *int64 { return &r.Version },
	Created: func(r *thing) time.Time { return r.Created },
	Due:     func(r *thing, now time.Time) bool { return !now.Before(r.Due) },
	End:     func(r *thing) time.Time { return r.Due },
	Validate: func(r *thing) error {
		if r.ID == "" || r.Owner == "" {
			return Invalidf("thing %s needs an id and an owner", r.ID)
		}
		return nil
	},
	Normalize: func(r *thing) *thing { c := *r; return &c },
	Indexes: []Index[thing]{
		{Name: "owner", Key: func(r *thing) string { return r.Owner }, Fold: true},
		{Name: StatusIndex, Key: func(r *thing) string { return r.Status }},
	},
}

// memory is an in-memory Backend; conflicts makes the next n Replaces
// lose as if someone else had written first.
type memory struct {
	mu        sync.Mutex
	items     map[string]thing
	conflicts int
	replaces  int
	scans     []string
}

func newMemory() *memory { return &memory{items: map[string]thing{}} }

func (m *memory) Insert(_ context.Context, r *thing) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.items[r.ID]; ok {
		return fmt.Errorf("%w: thing %s exists", ErrConflict, r.ID)
	}
	m.items[r.ID] = *r
	return nil
}

func (m *memory) Load(_ context.Context, id string) (*thing, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.items[id]
	if !ok {
		return nil, &NotFoundError{Kind: "thing", ID: id}
	}
	return &r, nil
}

func (m *memory) Replace(_ context.Context, old, r *thing) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.replaces++
	cur, ok := m.items[r.ID]
	if !ok {
		return &NotFoundError{Kind: "thing", ID: r.ID}
	}
	if m.conflicts > 0 {
		m.conflicts--
		cur.Version++
		cur.Note += "+other"
		m.items[r.ID] = cur
		return fmt.Errorf("%w: lost", ErrConflict)
	}
	if cur.Version != old.Version {
		return fmt.Errorf("%w: version %d, want %d", ErrConflict, cur.Version, old.Version)
	}
	m.items[r.ID] = *r
	return nil
}

func (m *memory) Scan(_ context.Context, ix Index[thing], value string, limit int) ([]*thing, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.scans = append(m.scans, ix.Name+"="+value)
	var out []*thing
	for _, r := range m.items {
		k := ix.Key(&r)
		if ix.Fold {
			k, value = strings.ToLower(k), strings.ToLower(value)
		}
		if k == value {
			out = append(out, &r)
		}
	}
	slices.SortFunc(out, func(a, b *thing) int { return b.Created.Compare(a.Created) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newThing(id, owner string, created time.Duration) *thing {
	return &thing{ID: id, Owner: owner, Status: "pending", Created: t0.Add(created), Due: t0.Add(created + time.Hour)}
}

func TestMachine(t *testing.T) {
	m := thingKind.Machine
	for _, tt := range []struct {
		from, to string
		allowed  bool
	}{
		{"pending", "done", true},
		{"pending", "expired", true},
		{"pending", "pending", true},
		{"done", "done", true},
		{"done", "pending", false},
		{"expired", "done", false},
		{"pending", "nonsense", false},
		{"nonsense", "nonsense", false},
	} {
		if got := m.Allows(tt.from, tt.to); got != tt.allowed {
			t.Errorf("Allows(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.allowed)
		}
		err := m.Check("thing", "x", tt.from, tt.to)
		if (err == nil) != tt.allowed || (err != nil && !errors.Is(err, ErrTransition)) {
			t.Errorf("Check(%s, %s) = %v", tt.from, tt.to, err)
		}
	}
	for s, final := range map[string]bool{"pending": false, "done": true, "expired": true} {
		if m.Final(s) != final || !m.Known(s) {
			t.Errorf("%s: Final %v Known %v", s, m.Final(s), m.Known(s))
		}
	}
	if m.Known("nonsense") {
		t.Error("an unknown status is Known")
	}
	if got := m.Statuses(); len(got) != 3 {
		t.Errorf("Statuses = %v", got)
	}
}

func TestEffective(t *testing.T) {
	r := newThing("a", "alice", 0)
	for _, tt := range []struct {
		status string
		at     time.Time
		want   string
	}{
		{"pending", t0, "pending"},
		{"pending", t0.Add(time.Hour - 1), "pending"},
		{"pending", t0.Add(time.Hour), "expired"},
		{"done", t0.Add(48 * time.Hour), "done"},
		{"expired", t0, "expired"},
	} {
		r.Status = tt.status
		if got := thingKind.Effective(r, tt.at); got != tt.want {
			t.Errorf("Effective(%s at %s) = %s, want %s", tt.status, tt.at, got, tt.want)
		}
	}
}

func TestChange(t *testing.T) {
	boom := errors.New("boom")
	for _, tt := range []struct {
		name      string
		id        string
		conflicts int
		change    func(*thing) error
		wantErr   error
		wantCalls int
		wantNote  string
		wantVer   int64
	}{
		{name: "edit", id: "a", change: func(r *thing) error { r.Note += "x"; return nil }, wantCalls: 1, wantNote: "x", wantVer: 1},
		{name: "move", id: "a", change: func(r *thing) error { r.Status = "done"; return nil }, wantCalls: 1, wantVer: 1},
		{name: "lost races start again on a fresh copy", id: "a", conflicts: 3,
			change: func(r *thing) error { r.Note += "x"; return nil }, wantCalls: 4, wantNote: "+other+other+otherx", wantVer: 4},
		{name: "gives up", id: "a", conflicts: ChangeAttempts,
			change: func(r *thing) error { return nil }, wantErr: ErrConflict, wantCalls: ChangeAttempts, wantNote: strings.Repeat("+other", ChangeAttempts), wantVer: ChangeAttempts},
		{name: "function error", id: "a", change: func(r *thing) error { r.Note = "no"; return boom }, wantErr: boom, wantCalls: 1},
		{name: "refused move", id: "d", change: func(r *thing) error { r.Status = "pending"; return nil }, wantErr: ErrTransition, wantCalls: 1},
		{name: "unknown status", id: "a", change: func(r *thing) error { r.Status = "odd"; return nil }, wantErr: ErrTransition, wantCalls: 1},
		{name: "ID change", id: "a", change: func(r *thing) error { r.ID = "b"; return nil }, wantErr: ErrInvalid, wantCalls: 1},
		{name: "invalid result", id: "a", change: func(r *thing) error { r.Owner = ""; return nil }, wantErr: ErrInvalid, wantCalls: 1},
		{name: "missing", id: "zz", change: func(r *thing) error { return nil }, wantErr: errThingNotFound},
		{name: "no ID", id: "", change: func(r *thing) error { return nil }, wantErr: ErrNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := newMemory()
			s := NewStore(thingKind, m)
			ctx := context.Background()
			if err := s.Create(ctx, newThing("a", "alice", 0)); err != nil {
				t.Fatal(err)
			}
			d := newThing("d", "alice", 0)
			d.Status = "done"
			if err := s.Create(ctx, d); err != nil {
				t.Fatal(err)
			}
			before, _ := m.Load(ctx, tt.id)
			m.conflicts = tt.conflicts
			calls := 0
			got, err := s.Change(ctx, tt.id, func(r *thing) error { calls++; return tt.change(r) })
			if calls != tt.wantCalls {
				t.Errorf("change ran %d times, want %d", calls, tt.wantCalls)
			}
			stored, _ := m.Load(ctx, tt.id)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || got != nil {
					t.Fatalf("got %v, %v; want %v", got, err, tt.wantErr)
				}
				if stored != nil && (stored.Note != tt.wantNote || stored.Version != tt.wantVer || stored.Status != before.Status) {
					t.Fatalf("a refused change wrote: %+v", stored)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *got != *stored || got.Note != tt.wantNote || got.Version != tt.wantVer {
				t.Fatalf("returned %+v, stored %+v; want note %q version %d", got, stored, tt.wantNote, tt.wantVer)
			}
		})
	}
}

func TestCreateAndGet(t *testing.T) {
	m := newMemory()
	s := NewStore(thingKind, m)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		r    *thing
		want error
	}{
		{"nil", nil, ErrInvalid},
		{"no owner", &thing{ID: "x", Status: "pending"}, ErrInvalid},
		{"unknown status", &thing{ID: "x", Owner: "o", Status: "odd"}, ErrInvalid},
		{"good", newThing("x", "o", 0), nil},
		{"duplicate", newThing("x", "p", 0), ErrConflict},
	} {
		if err := s.Create(ctx, tt.r); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
	if r, err := s.Get(ctx, "x"); err != nil || r.Owner != "o" {
		t.Fatalf("Get: %+v %v", r, err)
	}
	_, err := s.Get(ctx, "y")
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, errThingNotFound) {
		t.Fatalf("Get of a missing thing: %v, want both not-found errors", err)
	}
	if !strings.HasPrefix(err.Error(), "thing not found: no thing with ID y") {
		t.Fatalf("message %q", err)
	}
	m.items["bad"] = thing{ID: "bad"}
	if _, err := s.Get(ctx, "bad"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Get of a damaged thing: %v, want ErrInvalid", err)
	}
}

func TestList(t *testing.T) {
	m := newMemory()
	s := NewStore(thingKind, m)
	ctx := context.Background()
	// a0 pending (lapses at t0+1h), a1 done, a2 stored expired, a3
	// pending (lapses at t0+4h), b0 of another owner.
	for _, r := range []*thing{newThing("a0", "Alice", 0), newThing("a1", "alice", time.Hour), newThing("a2", "alice", 2*time.Hour), newThing("a3", "alice", 3*time.Hour), newThing("b0", "bob", 4*time.Hour)} {
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for id, st := range map[string]string{"a1": "done", "a2": "expired"} {
		if _, err := s.Change(ctx, id, func(r *thing) error { r.Status = st; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	alice := []Match{{Index: "owner", Value: "ALICE"}}
	now := t0.Add(3*time.Hour + time.Minute) // a0 lapsed, a3 not
	for _, tt := range []struct {
		name string
		q    Query[string]
		want []string
	}{
		{"by owner, folded", Query[string]{Where: alice}, []string{"a3", "a2", "a1", "a0"}},
		{"by owner, limit", Query[string]{Where: alice, Limit: 2}, []string{"a3", "a2"}},
		{"pending leaves the lapsed out", Query[string]{Where: alice, Status: "pending", At: now}, []string{"a3"}},
		{"expired takes the lapsed in", Query[string]{Where: alice, Status: "expired", At: now}, []string{"a2", "a0"}},
		{"expired, limit", Query[string]{Where: alice, Status: "expired", At: now, Limit: 1}, []string{"a2"}},
		{"done", Query[string]{Where: alice, Status: "done", At: now}, []string{"a1"}},
		{"status alone, expired", Query[string]{Status: "expired", At: now}, []string{"a2", "a0"}},
		{"status alone, pending", Query[string]{Status: "pending", At: now}, []string{"b0", "a3"}},
		{"status alone, pending, limit", Query[string]{Status: "pending", At: now, Limit: 1}, []string{"b0"}},
		{"later everything pending lapsed", Query[string]{Status: "expired", At: t0.Add(48 * time.Hour)}, []string{"b0", "a3", "a2", "a0"}},
		{"two keys", Query[string]{Where: append(alice, Match{Index: StatusIndex, Value: "done"})}, []string{"a1"}},
		{"nobody", Query[string]{Where: []Match{{Index: "owner", Value: "carol"}}}, nil},
	} {
		got, err := s.List(ctx, tt.q)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		var ids []string
		for _, r := range got {
			ids = append(ids, r.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, ids, tt.want)
		}
	}
	if got, _ := s.Get(ctx, "a0"); got.Status != "pending" {
		t.Errorf("listing wrote a lapse: a0 is stored %s", got.Status)
	}
	for _, q := range []Query[string]{
		{},
		{Limit: 3},
		{Where: alice, Limit: -1},
		{Status: "pending"},
		{Where: []Match{{Index: "nope", Value: "x"}}},
	} {
		if _, err := s.List(ctx, q); !errors.Is(err, ErrInvalid) {
			t.Errorf("List %+v: got %v, want ErrInvalid", q, err)
		}
	}
	m.items["bad"] = thing{ID: "bad", Status: "done", Created: t0}
	if _, err := s.List(ctx, Query[string]{Status: "done", At: now}); !errors.Is(err, ErrInvalid) {
		t.Errorf("List over a damaged thing: got %v, want ErrInvalid", err)
	}
}

func TestListLetsTheBackendStopOnlyWhenNothingIsFiltered(t *testing.T) {
	m := newMemory()
	s := NewStore(thingKind, m)
	ctx := context.Background()
	for i := range 5 {
		if err := s.Create(ctx, newThing(fmt.Sprintf("a%d", i), "alice", time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	// The two newest have already lapsed; a backend cut at 2 would have
	// returned just them, and the listing nothing.
	for _, id := range []string{"a3", "a4"} {
		r := m.items[id]
		r.Due = t0
		m.items[id] = r
	}
	got, err := s.List(ctx, Query[string]{Where: []Match{{Index: "owner", Value: "alice"}}, Status: "pending", At: t0.Add(30 * time.Minute), Limit: 2})
	if err != nil || len(got) != 2 || got[0].ID != "a2" || got[1].ID != "a1" {
		t.Fatalf("got %v %v, want a2 and a1", got, err)
	}
}

func TestErrorsWrap(t *testing.T) {
	kindConflict := errors.New("thing changed concurrently")
	es := Errors{NotFound: errThingNotFound, Conflict: kindConflict}
	other := errors.New("disk on fire")
	for _, tt := range []struct {
		in       error
		matches  []error
		wantText string
	}{
		{&NotFoundError{Kind: "thing", ID: "x"}, []error{ErrNotFound, errThingNotFound}, "thing not found: no thing with ID x"},
		{fmt.Errorf("%w: lost", ErrConflict), []error{ErrConflict, kindConflict}, "thing changed concurrently: lost"},
		{Invalidf("bad"), []error{ErrInvalid}, "invalid: bad"},
		{other, []error{other}, "disk on fire"},
		{fmt.Errorf("%w: %w", errThingNotFound, ErrNotFound), []error{ErrNotFound, errThingNotFound}, "thing not found: not found"},
	} {
		got := es.Wrap(tt.in)
		for _, m := range tt.matches {
			if !errors.Is(got, m) {
				t.Errorf("Wrap(%v) = %v does not match %v", tt.in, got, m)
			}
		}
		if got.Error() != tt.wantText {
			t.Errorf("Wrap(%v) reads %q, want %q", tt.in, got, tt.wantText)
		}
	}
	if es.Wrap(nil) != nil {
		t.Error("Wrap(nil) is not nil")
	}
}
