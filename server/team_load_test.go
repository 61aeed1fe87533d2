package server_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/session"
)

// 32 clients for a bounded time against one service with the embedded
// store: every credentials call is exactly one decision entry, every
// issuance on a session is counted on it (no lost touch), and the race
// detector finds nothing.
func TestTeamConcurrentLoad(t *testing.T) {
	tm := newTeam(t, teamOptions{quiet: true})
	loadAgainst(t, tm, 32, 1500*time.Millisecond)
}

// loadAgainst runs clients goroutines, each a person of its own, for d,
// and checks the log and the sessions.
func loadAgainst(t *testing.T, tm *team, clients int, d time.Duration) {
	t.Helper()
	type result struct {
		calls   int
		issued  map[string]int64 // per session
		refused int
	}
	results := make([]result, clients)
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			user := fmt.Sprintf("user%02d", i)
			res := result{issued: map[string]int64{}}
			sid := ""
			for n := 0; time.Now().Before(deadline); n++ {
				body := map[string]any{"profile": "dev"}
				if sid != "" && n%10 != 0 {
					body["session_id"] = sid // every tenth call starts a new session
				}
				c, a := tm.credentials(user, body)
				res.calls++
				if a.status != http.StatusOK {
					res.refused++
					continue
				}
				sid = c.SessionID
				res.issued[sid]++
			}
			results[i] = res
		}(i)
	}
	wg.Wait()

	calls, refused := 0, 0
	issued := map[string]int64{}
	for _, r := range results {
		calls += r.calls
		refused += r.refused
		for s, n := range r.issued {
			issued[s] += n
		}
	}
	if refused != 0 {
		t.Errorf("%d of %d calls refused", refused, calls)
	}
	es := tm.entries()
	decisions := map[string]int{}
	for _, e := range es {
		if e.Event == logging.EventDecision {
			decisions[e.RequestID]++
		}
	}
	n := 0
	for id, k := range decisions {
		n += k
		if k != 1 {
			t.Errorf("request %s logged %d times", id, k)
		}
	}
	if n != calls {
		t.Errorf("%d decision entries for %d calls", n, calls)
	}
	if _, err := logging.VerifyFile(tm.logPath); err != nil {
		t.Errorf("log chain: %v", err)
	}
	st := tm.stores.Sessions()
	for id, want := range issued {
		s, err := st.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if s.RequestCount != want || s.Status != session.StatusActive {
			t.Errorf("session %s: count %d status %s, want %d issuances", id, s.RequestCount, s.Status, want)
		}
	}
	t.Logf("%d calls by %d clients in %s, %d sessions, %d log entries", calls, clients, d, len(issued), len(es))
}
