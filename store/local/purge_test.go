package local

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

type purgeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *purgeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *purgeClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// The embedded store drops requests, break-glass events and sessions 90
// days after their business life ends, as DynamoDB's time to live does:
// Open purges once a day, index entries go with the items, and what is
// still within its retention stays.
func TestPurgeDropsItemsPastTheirRetention(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := &purgeClock{t: t0}
	path := filepath.Join(t.TempDir(), "sentinel", "state.db")
	open := func() *Store {
		t.Helper()
		s, err := Open(path, Options{Now: clock.now})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	s := open()
	old := testRequest(t, "alice") // created at t0, pending
	if err := s.Requests().Create(ctx, old); err != nil {
		t.Fatal(err)
	}
	ev, err := breakglass.New(breakglass.NewParams{
		ID: "0123456789abcdef", Invoker: "alice", Profile: "prod", ReasonCode: breakglass.ReasonRecovery,
		Justification: "restore the deleted bucket policy", Duration: time.Hour, Now: t0,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Breakglass().Open(ctx, ev, breakglass.Limits{}); err != nil {
		t.Fatal(err)
	}
	se := testSession(t, "alice") // t0 to t0+1h
	if err := s.Sessions().Create(ctx, se); err != nil {
		t.Fatal(err)
	}
	// One request made later, still within its retention at the end.
	fresh, err := request.New(request.NewParams{
		ID: "fedcba9876543210", Requester: "alice", Profile: "prod",
		Justification: "deploy the hotfix for the outage", Duration: time.Hour, Now: t0.Add(60 * 24 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Requests().Create(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	present := func(s *Store) (req, evt, ses bool) {
		t.Helper()
		_, err := s.Requests().Get(ctx, old.ID)
		req = err == nil
		if err != nil && !errors.Is(err, request.ErrNotFound) {
			t.Fatal(err)
		}
		_, err = s.Breakglass().Get(ctx, ev.ID)
		evt = err == nil
		if err != nil && !errors.Is(err, breakglass.ErrNotFound) {
			t.Fatal(err)
		}
		_, err = s.Sessions().Get(ctx, se.ID)
		ses = err == nil
		if err != nil && !errors.Is(err, session.ErrNotFound) {
			t.Fatal(err)
		}
		return
	}

	// 89 days on: everything is kept.
	clock.set(t0.Add(89 * 24 * time.Hour))
	s = open()
	if r, e, x := present(s); !r || !e || !x {
		t.Fatalf("dropped within the retention: request %v event %v session %v", r, e, x)
	}
	s.Close()

	// 92 days on (and more than a day after the last purge): the three
	// old items are gone, the fresh request stays, and the listings,
	// which walk the indexes, find nothing dangling.
	clock.set(t0.Add(92 * 24 * time.Hour))
	s = open()
	defer s.Close()
	if r, e, x := present(s); r || e || x {
		t.Fatalf("kept past the retention: request %v event %v session %v", r, e, x)
	}
	reqs, err := s.Requests().List(ctx, request.Query{Requester: "alice"}.Record(time.Now()))
	if err != nil || len(reqs) != 1 || reqs[0].ID != fresh.ID {
		t.Fatalf("requests after the purge: %v %v", reqs, err)
	}
	for _, q := range []request.Query{{Profile: "prod"}, {Status: request.StatusPending}} {
		if got, err := s.Requests().List(ctx, q.Record(fresh.CreatedAt)); err != nil || len(got) != 1 {
			t.Fatalf("requests by %+v: %d %v", q, len(got), err)
		}
	}
	if got, err := s.Breakglass().List(ctx, breakglass.Query{Invoker: "alice"}.Record(time.Now())); err != nil || len(got) != 0 {
		t.Fatalf("events after the purge: %v %v", got, err)
	}
	if got, err := s.Sessions().List(ctx, session.Query{User: "alice"}.Record(time.Now())); err != nil || len(got) != 0 {
		t.Fatalf("sessions after the purge: %v %v", got, err)
	}
	// An explicit purge finds nothing more to drop; past the fresh
	// request's retention it goes too.
	if n, err := s.Purge(ctx); err != nil || n != 0 {
		t.Fatalf("Purge = %d, %v", n, err)
	}
	clock.set(t0.Add(200 * 24 * time.Hour))
	if n, err := s.Purge(ctx); err != nil || n != 1 {
		t.Fatalf("Purge = %d, %v; want the fresh request", n, err)
	}
}
