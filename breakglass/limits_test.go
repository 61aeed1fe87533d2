package breakglass

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/person"
)

// now is the instant every limit case is checked at.
var now = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

// ev builds a history entry: who, where, opened how long before now, for how
// long, and closed how long after opening (0: never closed).
func ev(invoker, profile string, openedAgo, duration, closedAfter time.Duration) *Event {
	opened := now.Add(-openedAgo)
	e := &Event{
		ID: "0123456789abcdef", Invoker: invoker, InvokerARN: userARN(invoker), Profile: profile, Status: StatusActive,
		OpenedAt: opened, Duration: duration, ExpiresAt: opened.Add(duration),
	}
	if closedAfter > 0 {
		e.Status = StatusClosed
		e.ClosedAt = opened.Add(closedAfter)
	}
	return e
}

// userARN is the ARN of IAM user name; alice is her person key.
func userARN(name string) string { return "arn:aws:iam::111122223333:user/" + name }

var alice = person.KeyOf(userARN("alice"))

func TestCheckLimits(t *testing.T) {
	const cooldown = 30 * time.Minute
	tests := []struct {
		name      string
		history   []*Event
		maxPerDay int
		wantErr   error
		// wantNext is the "next possible" time the message must give.
		wantNext time.Time
	}{
		{name: "no history", maxPerDay: 3},
		{name: "nil entries are skipped", history: []*Event{nil}, maxPerDay: 3},
		{
			name:    "active event on the profile",
			history: []*Event{ev("alice", "prod", 10*time.Minute, time.Hour, 0)},
			wantErr: ErrActiveExists,
		},
		{
			name:    "active event in another case of the name",
			history: []*Event{ev("ALICE", "prod", 10*time.Minute, time.Hour, 0)},
			wantErr: ErrActiveExists,
		},
		{
			name:    "active event on another profile does not block",
			history: []*Event{ev("alice", "dev", 10*time.Minute, time.Hour, 0)},
		},
		{
			name:    "another user's active event does not block",
			history: []*Event{ev("bob", "prod", 10*time.Minute, time.Hour, 0)},
		},
		{
			name:     "closed inside the cooldown",
			history:  []*Event{ev("alice", "prod", 30*time.Minute, time.Hour, 20*time.Minute)}, // closed 10m ago
			wantErr:  ErrLimit,
			wantNext: now.Add(20 * time.Minute),
		},
		{
			name:    "closed exactly a cooldown ago",
			history: []*Event{ev("alice", "prod", 40*time.Minute, time.Hour, 10*time.Minute)}, // closed 30m ago
		},
		{
			name:     "expired inside the cooldown, never closed",
			history:  []*Event{ev("alice", "prod", 70*time.Minute, time.Hour, 0)}, // expired 10m ago, still stored active
			wantErr:  ErrLimit,
			wantNext: now.Add(20 * time.Minute),
		},
		{
			name:    "expired long ago",
			history: []*Event{ev("alice", "prod", 3*time.Hour, time.Hour, 0)},
		},
		{
			name: "cooldown counts from the latest end",
			history: []*Event{
				ev("alice", "prod", 5*time.Hour, time.Hour, 0),                 // ended 4h ago
				ev("alice", "prod", 45*time.Minute, time.Hour, 40*time.Minute), // ended 5m ago
			},
			wantErr:  ErrLimit,
			wantNext: now.Add(25 * time.Minute),
		},
		{
			name:    "cooldown is per profile",
			history: []*Event{ev("alice", "dev", 30*time.Minute, time.Hour, 20*time.Minute)},
		},
		{
			name: "daily limit reached across profiles",
			history: []*Event{
				ev("alice", "dev", 20*time.Hour, time.Hour, 0),
				ev("alice", "stage", 10*time.Hour, time.Hour, 0),
				ev("alice", "prod", 5*time.Hour, time.Hour, 0),
			},
			maxPerDay: 3,
			wantErr:   ErrLimit,
			wantNext:  now.Add(4 * time.Hour), // the oldest leaves the window
		},
		{
			name: "daily limit well exceeded waits for enough to age out",
			history: []*Event{
				ev("alice", "dev", 23*time.Hour, time.Hour, 0),
				ev("alice", "dev", 20*time.Hour, time.Hour, 0),
				ev("alice", "dev", 8*time.Hour, time.Hour, 0),
			},
			maxPerDay: 2,
			wantErr:   ErrLimit,
			wantNext:  now.Add(4 * time.Hour), // two must age out: the second oldest goes in 4h
		},
		{
			name: "events older than a day do not count",
			history: []*Event{
				ev("alice", "dev", 24*time.Hour, time.Hour, 0),
				ev("alice", "dev", 30*time.Hour, time.Hour, 0),
				ev("alice", "dev", 5*time.Hour, time.Hour, 0),
			},
			maxPerDay: 2,
		},
		{
			name: "other users do not count",
			history: []*Event{
				ev("bob", "dev", 5*time.Hour, time.Hour, 0),
				ev("bob", "dev", 6*time.Hour, time.Hour, 0),
			},
			maxPerDay: 1,
		},
		{
			name: "no daily limit when zero",
			history: []*Event{
				ev("alice", "dev", 5*time.Hour, time.Hour, 0),
				ev("alice", "dev", 6*time.Hour, time.Hour, 0),
			},
			maxPerDay: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckLimits(tt.history, alice, "prod", now, Limits{Cooldown: cooldown, MaxPerDay: tt.maxPerDay})
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if !tt.wantNext.IsZero() && !strings.Contains(err.Error(), "next break-glass possible at "+tt.wantNext.Format(time.RFC3339)) {
				t.Errorf("error %q does not give the next possible time %s", err, tt.wantNext.Format(time.RFC3339))
			}
		})
	}
}

func TestCheckLimitsRefusesNegativeSettings(t *testing.T) {
	if err := CheckLimits(nil, alice, "prod", now, Limits{Cooldown: -time.Minute}); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative cooldown: got %v, want ErrInvalid", err)
	}
	if err := CheckLimits(nil, alice, "prod", now, Limits{MaxPerDay: -1}); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative daily limit: got %v, want ErrInvalid", err)
	}
}

// TestCheckLimitsKeyedByRole checks that events on aliases of one role share
// the lock, the cooldown and the daily count, and that events without a role
// are keyed by their profile.
func TestCheckLimitsKeyedByRole(t *testing.T) {
	const role = "arn:aws:iam::111122223333:role/Admin"
	withRole := func(e *Event, arn string) *Event { e.RoleARN = arn; return e }
	tests := []struct {
		name    string
		history []*Event
		key     string
		wantErr error
		next    time.Time
	}{
		{
			name:    "active on an alias of the role",
			history: []*Event{withRole(ev("alice", "prod-alias", 10*time.Minute, time.Hour, 0), role)},
			key:     role, wantErr: ErrActiveExists, next: now.Add(50 * time.Minute),
		},
		{
			name:    "role compared ignoring case",
			history: []*Event{withRole(ev("alice", "prod-alias", 10*time.Minute, time.Hour, 0), strings.ToUpper(role))},
			key:     role, wantErr: ErrActiveExists, next: now.Add(50 * time.Minute),
		},
		{
			name:    "cooldown on an alias of the role",
			history: []*Event{withRole(ev("alice", "prod-alias", 30*time.Minute, time.Hour, 20*time.Minute), role)},
			key:     role, wantErr: ErrLimit, next: now.Add(20 * time.Minute),
		},
		{
			name:    "same profile name, other role",
			history: []*Event{withRole(ev("alice", "prod", 10*time.Minute, time.Hour, 0), "arn:aws:iam::111122223333:role/Other")},
			key:     role,
		},
		{
			name:    "profile key for events without a role",
			history: []*Event{ev("alice", "prod", 10*time.Minute, time.Hour, 0)},
			key:     "prod", wantErr: ErrActiveExists, next: now.Add(50 * time.Minute),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckLimits(tt.history, alice, tt.key, now, Limits{Cooldown: 30 * time.Minute})
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			le, ok := AsLimitError(err)
			if !ok || !le.Next.Equal(tt.next) {
				t.Fatalf("got %#v, want a *LimitError with Next %s", err, tt.next)
			}
		})
	}
}

func TestLimitKey(t *testing.T) {
	e := &Event{Profile: "prod"}
	if got := e.LimitKey(); got != "prod" {
		t.Errorf("LimitKey without a role = %q, want the profile", got)
	}
	e.RoleARN = "arn:aws:iam::111122223333:role/Admin"
	if got := e.LimitKey(); got != e.RoleARN {
		t.Errorf("LimitKey with a role = %q, want the role", got)
	}
}

// TestCheckLimitsArePeople: the limits belong to a person key. A role
// session that calls itself alice does not hold alice's lock or spend her
// quota, and a role's sessions share one quota whatever their names.
func TestCheckLimitsArePeople(t *testing.T) {
	asRole := func(e *Event, session string) *Event {
		e.Invoker, e.InvokerARN = session, "arn:aws:sts::111122223333:assumed-role/ci/"+session
		return e
	}
	ci := person.KeyOf("arn:aws:sts::111122223333:assumed-role/ci/anything")
	namesake := []*Event{
		asRole(ev("", "prod", 10*time.Minute, time.Hour, 0), "alice"),
		asRole(ev("", "dev", 20*time.Minute, time.Hour, 0), "alice"),
	}
	if err := CheckLimits(namesake, alice, "prod", now, Limits{Cooldown: time.Hour, MaxPerDay: 1}); err != nil {
		t.Errorf("a role session named alice limits alice: %v", err)
	}
	if err := CheckLimits(namesake, ci, "prod", now, Limits{}); !errors.Is(err, ErrActiveExists) {
		t.Errorf("the role's own lock: %v, want ErrActiveExists", err)
	}
	rotated := []*Event{
		asRole(ev("", "dev", 3*time.Hour, time.Hour, 10*time.Minute), "s1"),
		asRole(ev("", "dev2", 2*time.Hour, time.Hour, 10*time.Minute), "s2"),
	}
	if err := CheckLimits(rotated, ci, "prod", now, Limits{MaxPerDay: 2}); !errors.Is(err, ErrLimit) {
		t.Errorf("rotating session names past max_per_day: %v, want ErrLimit", err)
	}
	legacy := []*Event{{ID: "0123456789abcdef", Invoker: "alice", Profile: "prod", Status: StatusActive, OpenedAt: now, ExpiresAt: now.Add(time.Hour)}}
	if err := CheckLimits(legacy, alice, "prod", now, Limits{}); err != nil {
		t.Errorf("an event without an ARN keys nobody: %v", err)
	}
}
