package server

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/logging"
)

// The summary writes the first refusal of a reason at once, then at most
// one line per reason per interval, and everything left at the final
// flush; counts add up whatever runs concurrently.
func TestRefusalSummary(t *testing.T) {
	var (
		mu    sync.Mutex
		lines []logging.Entry
		clock = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	s := newRefusalSummary(func(e *logging.Entry) error {
		mu.Lock()
		lines = append(lines, *e)
		mu.Unlock()
		return nil
	}, now, nil)

	const workers, each = 8, 500
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				s.note(fmt.Sprintf("reason-%d", w%2))
				if i%100 == 0 {
					s.flush(false)
				}
			}
		}(w)
	}
	wg.Wait()
	mu.Lock()
	if len(lines) != 2 {
		t.Fatalf("%d lines within the first minute, want one per reason: %+v", len(lines), lines)
	}
	clock = clock.Add(30 * time.Second)
	mu.Unlock()
	s.flush(false) // not a minute yet: nothing
	s.note("reason-0")
	mu.Lock()
	if len(lines) != 2 {
		t.Fatalf("a line within the minute: %+v", lines[2:])
	}
	clock = clock.Add(30 * time.Second)
	mu.Unlock()
	s.flush(false) // a minute since the first lines: both written
	s.note("reason-1")
	s.flush(true)
	mu.Lock()
	defer mu.Unlock()
	total := map[string]int64{}
	for _, e := range lines {
		if e.Event != logging.EventAuthRefused || e.Since == nil || e.Since.After(e.Time) {
			t.Errorf("line %+v", e)
		}
		total[e.Reason] += e.Count
	}
	if total["reason-0"] != workers/2*each+1 || total["reason-1"] != workers/2*each+1 || len(lines) != 5 {
		t.Fatalf("counts %v in %d lines", total, len(lines))
	}
}
