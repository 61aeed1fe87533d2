package record

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestChecks(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want string // "" when the check passes
	}{
		{"good id", CheckID("0123456789abcdef"), ""},
		{"short id", CheckID("0123456789abcde"), "id must be 16 lowercase hex characters"},
		{"upper-case id", CheckID("0123456789ABCDEF"), "id must be 16 lowercase hex characters"},
		{"actor", Actor("reviewer", "bob", "arn:aws:iam::1:user/bob"), ""},
		{"actor without ARN", Actor("reviewer", "bob", ""), ""},
		{"actor without name", Actor("reviewer", "", "arn:aws:iam::1:user/bob"), "reviewer is required"},
		{"actor with a bad ARN", Actor("reviewer", "bob", "arn\n"), "reviewer ARN"},
		{"actor name too long", Actor("revoked by", strings.Repeat("b", MaxName+1), ""), "at most 256"},
		{"actor ARN too long", Actor("revoked by", "bob", strings.Repeat("a", MaxARN+1)), "at most 2048"},
		{"target", Target("prod", "arn:aws:iam::1:role/Admin"), ""},
		{"target without role", Target("prod", ""), ""},
		{"target without profile", Target("", ""), "profile is required"},
		{"target with a bad role", Target("prod", "arn\t"), "role ARN"},
		{"duration", Duration(time.Hour, 15*time.Minute, time.Hour), ""},
		{"shortest duration", Duration(15*time.Minute, 15*time.Minute, time.Hour), ""},
		{"duration too short", Duration(time.Minute, 15*time.Minute, time.Hour), "duration 1m0s must be between 15m0s and 1h0m0s"},
		{"duration too long", Duration(time.Hour+1, 15*time.Minute, time.Hour), "must be between"},
		{"maximum below minimum", Duration(time.Minute, 15*time.Minute, 10*time.Minute), "maximum duration 10m0s is below the minimum 15m0s"},
		{"required", Require(true, "never"), ""},
		{"not required", Require(false, "count %d is negative", -1), "count -1 is negative"},
	} {
		if tt.want == "" {
			if tt.err != nil {
				t.Errorf("%s: %v", tt.name, tt.err)
			}
			continue
		}
		if !errors.Is(tt.err, ErrInvalid) || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an ErrInvalid error mentioning %q", tt.name, tt.err, tt.want)
		}
	}
}

func TestMatches(t *testing.T) {
	got := Matches("user", "alice", "user_arn", "", "profile", "prod")
	want := []Match{{Index: "user", Value: "alice"}, {Index: "profile", Value: "prod"}}
	if !slices.Equal(got, want) {
		t.Errorf("Matches = %v, want %v", got, want)
	}
	if got := Matches("user", ""); got != nil {
		t.Errorf("Matches of empty values = %v, want none", got)
	}
}

func TestGuard(t *testing.T) {
	m := thingKind.Machine
	for _, tt := range []struct {
		from, to string
		move     bool
	}{
		{"pending", "done", true},
		{"pending", "expired", true},
		{"pending", "pending", false}, // staying is an edit, not a move
		{"done", "done", false},
		{"done", "expired", false},
		{"odd", "done", false},
	} {
		if got := m.CanMove(tt.from, tt.to); got != tt.move {
			t.Errorf("CanMove(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.move)
		}
		err := m.Guard("thing", "x", "finish", tt.from, tt.to)
		if tt.move != (err == nil) {
			t.Errorf("Guard(%s, %s) = %v", tt.from, tt.to, err)
		}
		if err != nil && (!errors.Is(err, ErrTransition) || err.Error() != "transition not allowed: cannot finish thing x: it is "+tt.from) {
			t.Errorf("Guard(%s, %s) = %q", tt.from, tt.to, err)
		}
	}
}
