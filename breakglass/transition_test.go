package breakglass

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
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

var (
	minute  = t0.Add(time.Minute)
	expires = t0.Add(time.Hour)
)

func TestTransitions(t *testing.T) {
	tests := []struct {
		name    string
		op      func(e *Event) error
		wantErr error
		check   func(t *testing.T, e *Event)
	}{
		{
			name: "close while active",
			op:   func(e *Event) error { return e.Close("alice", "  incident resolved ", minute) },
			check: func(t *testing.T, e *Event) {
				if e.Status != StatusClosed || !e.ClosedAt.Equal(minute) || e.ClosedBy != "alice" || e.CloseReason != "incident resolved" {
					t.Errorf("after close: %+v", *e)
				}
			},
		},
		{name: "close by someone else", op: func(e *Event) error { return e.Close("bob", "done", minute) }},
		{name: "close just before expiry", op: func(e *Event) error { return e.Close("alice", "done", expires.Add(-time.Nanosecond)) }},
		{name: "close at expiry", op: func(e *Event) error { return e.Close("alice", "done", expires) }, wantErr: ErrTransition},
		{name: "close without reason", op: func(e *Event) error { return e.Close("alice", "  ", minute) }, wantErr: ErrInvalid},
		{name: "close with over-long reason", op: func(e *Event) error { return e.Close("alice", strings.Repeat("é", MaxCloseReason+1), minute) }, wantErr: ErrInvalid},
		{name: "close with longest reason", op: func(e *Event) error { return e.Close("alice", strings.Repeat("é", MaxCloseReason), minute) }},
		{name: "close by nobody", op: func(e *Event) error { return e.Close("", "done", minute) }, wantErr: ErrInvalid},
		{name: "expire before ExpiresAt", op: func(e *Event) error { return e.Expire(expires.Add(-time.Nanosecond)) }, wantErr: ErrTransition},
		{
			name: "expire at ExpiresAt",
			op:   func(e *Event) error { return e.Expire(expires) },
			check: func(t *testing.T, e *Event) {
				if e.Status != StatusExpired || !e.ClosedAt.IsZero() {
					t.Errorf("after expire: %+v", *e)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := active(t)
			before := *e
			err := tt.op(e)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
				if *e != before {
					t.Fatalf("failed call changed the event: %+v", *e)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.check != nil {
				tt.check(t, e)
			}
		})
	}
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
	for status, reach := range final {
		for name, op := range ops {
			for _, now := range []time.Time{minute.Add(time.Minute), expires.Add(time.Hour)} {
				e := active(t)
				if err := reach(e); err != nil {
					t.Fatalf("reach %s: %v", status, err)
				}
				before := *e
				if err := op(e, now); !errors.Is(err, ErrTransition) {
					t.Errorf("%s on a %s event at %s: got %v, want ErrTransition", name, status, now, err)
				}
				if !reflect.DeepEqual(*e, before) {
					t.Errorf("%s on a %s event changed it", name, status)
				}
			}
		}
	}
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
