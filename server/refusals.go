package server

import (
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/proof"
)

// RefusalSummaryInterval is the shortest time between two auth.refused
// entries of one reason.
const RefusalSummaryInterval = time.Minute

// refusalSummary counts the calls refused before the caller was known
// and writes them to the log as auth.refused entries: the first refusal
// of a reason at once, then at most one entry per reason per interval,
// and whatever is still counted when the service stops. Anyone can send
// such calls, as fast as they like: one entry each would let them grow
// the log (and its chain) at will.
type refusalSummary struct {
	append func(*logging.Entry) error
	now    func() time.Time
	onErr  func(error)

	mu      sync.Mutex
	reasons map[string]*refusalCount
}

// refusalCount is one reason's count since its last entry.
type refusalCount struct {
	count    int64
	since    time.Time // first refusal counted
	lastLine time.Time // when the last entry was written; zero if none
}

func newRefusalSummary(appendEntry func(*logging.Entry) error, now func() time.Time, onErr func(error)) *refusalSummary {
	if now == nil {
		now = time.Now
	}
	return &refusalSummary{append: appendEntry, now: now, onErr: onErr, reasons: map[string]*refusalCount{}}
}

// note counts one refusal, and writes the reason's entry when its last
// one is at least an interval old.
func (s *refusalSummary) note(reason string) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.reasons[reason]
	if c == nil {
		c = &refusalCount{}
		s.reasons[reason] = c
	}
	if c.count == 0 {
		c.since = now
	}
	c.count++
	if c.lastLine.IsZero() || now.Sub(c.lastLine) >= RefusalSummaryInterval {
		s.writeLocked(reason, c, now)
	}
}

// flush writes the entry of every reason with a count: all of them when
// final (the service stops), else those whose last entry is at least an
// interval old (the periodic flush).
func (s *refusalSummary) flush(final bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range slices.Sorted(maps.Keys(s.reasons)) {
		c := s.reasons[r]
		if c.count > 0 && (final || c.lastLine.IsZero() || now.Sub(c.lastLine) >= RefusalSummaryInterval) {
			s.writeLocked(r, c, now)
		}
	}
}

func (s *refusalSummary) writeLocked(reason string, c *refusalCount, now time.Time) {
	since := c.since.UTC()
	e := logging.Entry{Time: now, Event: logging.EventAuthRefused, Reason: reason, Count: c.count, Since: &since}
	c.count, c.lastLine = 0, now
	if err := s.append(&e); err != nil && s.onErr != nil {
		s.onErr(err)
	}
}

// refusalReason names why a call was refused before its caller was
// known: the proof check's reason, or what stopped the call before it.
// It is a fixed word, never a value the caller sent.
func refusalReason(err error) string {
	if r := proof.ReasonOf(err); r != "" {
		return string(r)
	}
	var bad *badRequestError
	switch {
	case errors.Is(err, errBusy):
		return "busy"
	case errors.Is(err, errBodyTooLarge):
		return "body-too-large"
	case errors.As(err, &bad):
		return "bad-request"
	case errors.Is(err, ErrUnavailable):
		return "sts-unavailable"
	case errors.Is(err, errAuthConfig):
		return "verifier-misconfigured"
	}
	return "invalid-proof"
}
