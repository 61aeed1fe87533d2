package breakglass

import (
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/internal/recordtest"
)

// active returns a fresh one-hour event by alice opened at t0.
func active(t *testing.T) *Event {
	t.Helper()
	e, err := New(validParams())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// subject makes the active events the shared transition tests start
// from.
var subject = recordtest.Subject[Event]{Fresh: active, Clone: recordtest.Copy[Event], Equal: recordtest.Same[Event]}

var (
	minute  = t0.Add(time.Minute)
	expires = t0.Add(time.Hour)
)

func TestTransitions(t *testing.T) {
	recordtest.Transitions(t, subject, []recordtest.Step[Event]{
		{
			Name: "close while active",
			Op:   func(e *Event) error { return e.Close("alice", "  incident resolved ", minute) },
			Check: func(t *testing.T, e *Event) {
				if e.Status != StatusClosed || !e.ClosedAt.Equal(minute) || e.ClosedBy != "alice" || e.CloseReason != "incident resolved" {
					t.Errorf("after close: %+v", *e)
				}
			},
		},
		{Name: "close by someone else", Op: func(e *Event) error { return e.Close("bob", "done", minute) }},
		{Name: "close just before expiry", Op: func(e *Event) error { return e.Close("alice", "done", expires.Add(-time.Nanosecond)) }},
		{Name: "close at expiry", Op: func(e *Event) error { return e.Close("alice", "done", expires) }, WantErr: ErrTransition},
		{Name: "close without reason", Op: func(e *Event) error { return e.Close("alice", "  ", minute) }, WantErr: ErrInvalid},
		{Name: "close with over-long reason", Op: func(e *Event) error { return e.Close("alice", strings.Repeat("é", MaxCloseReason+1), minute) }, WantErr: ErrInvalid},
		{Name: "close with longest reason", Op: func(e *Event) error { return e.Close("alice", strings.Repeat("é", MaxCloseReason), minute) }},
		{Name: "close by nobody", Op: func(e *Event) error { return e.Close("", "done", minute) }, WantErr: ErrInvalid},
		{Name: "expire before ExpiresAt", Op: func(e *Event) error { return e.Expire(expires.Add(-time.Nanosecond)) }, WantErr: ErrTransition},
		{
			Name: "expire at ExpiresAt",
			Op:   func(e *Event) error { return e.Expire(expires) },
			Check: func(t *testing.T, e *Event) {
				if e.Status != StatusExpired || !e.ClosedAt.IsZero() {
					t.Errorf("after expire: %+v", *e)
				}
			},
		},
	})
}

// TestFinalStatesAreFinal tries every operation on closed and expired
// events; all must fail with ErrTransition and change nothing.
func TestFinalStatesAreFinal(t *testing.T) {
	final := map[Status]func(e *Event) error{
		StatusClosed:  func(e *Event) error { return e.Close("alice", "done", minute) },
		StatusExpired: func(e *Event) error { return e.Expire(expires) },
	}
	ops := map[string]func(e *Event, now time.Time) error{
		"close":  func(e *Event, now time.Time) error { return e.Close("bob", "again", now) },
		"expire": func(e *Event, now time.Time) error { return e.Expire(now) },
	}
	recordtest.FinalStates(t, subject, func(e *Event) Status { return e.Status }, final, ops,
		[]time.Time{minute.Add(time.Minute), expires.Add(time.Hour)}, ErrTransition)
}

func TestReadingsOverTime(t *testing.T) {
	e := active(t)
	closed := active(t)
	if err := closed.Close("alice", "done", minute); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		e          *Event
		now        time.Time
		status     Status
		activeAt   bool
		remaining  time.Duration
		ended      bool
		endedAtWas time.Time
	}{
		{"active at opening", e, t0, StatusActive, true, time.Hour, false, time.Time{}},
		{"active mid-way", e, t0.Add(20 * time.Minute), StatusActive, true, 40 * time.Minute, false, time.Time{}},
		{"last nanosecond", e, expires.Add(-time.Nanosecond), StatusActive, true, time.Nanosecond, false, time.Time{}},
		{"at expiry", e, expires, StatusExpired, false, 0, true, expires},
		{"long after", e, expires.Add(time.Hour), StatusExpired, false, 0, true, expires},
		{"closed early", closed, minute.Add(time.Second), StatusClosed, false, 0, true, minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e.EffectiveStatus(tt.now); got != tt.status {
				t.Errorf("EffectiveStatus = %s, want %s", got, tt.status)
			}
			if got := tt.e.ActiveAt(tt.now); got != tt.activeAt {
				t.Errorf("ActiveAt = %v, want %v", got, tt.activeAt)
			}
			if got := tt.e.Remaining(tt.now); got != tt.remaining {
				t.Errorf("Remaining = %s, want %s", got, tt.remaining)
			}
			end, ok := tt.e.EndedAt(tt.now)
			if ok != tt.ended || !end.Equal(tt.endedAtWas) {
				t.Errorf("EndedAt = %s, %v; want %s, %v", end, ok, tt.endedAtWas, tt.ended)
			}
		})
	}
}
