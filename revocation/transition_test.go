package revocation

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// TestPruneList checks which entries are due to go: active ones whose
// every targeted credential has expired, an older entry only at its own
// expiry, and never one already final.
func TestPruneList(t *testing.T) {
	pruned := mk(6, TargetSession, sid(6), 0, time.Hour)
	pruned.Status, pruned.EndedAt = StatusPruned, t0.Add(time.Hour)
	lifted := mk(7, TargetBlock, "bob", 0, time.Hour)
	lifted.Status, lifted.EndedAt, lifted.LiftedBy = StatusLifted, t0.Add(time.Minute), "lead"
	entries := []*Entry{
		mk(1, TargetSession, sid(1), 0, time.Hour),
		mk(2, TargetGrant, "apr-0123456789abcdef", 0, 2*time.Hour),
		mk(3, TargetBlock, "alice", 0, 12*time.Hour),
		unblocked(4, "carol", 0, time.Hour, 90*time.Minute),
		older(5, 30*time.Minute, 3*time.Hour, roleA),
		pruned,
		lifted,
		nil,
	}
	tests := []struct {
		at   time.Duration
		want []int
	}{
		{0, nil},
		{time.Hour - time.Nanosecond, nil},
		{time.Hour, []int{1}},
		{90 * time.Minute, []int{1, 4}},
		{2 * time.Hour, []int{1, 2, 4}},
		{3*time.Hour - time.Second, []int{1, 2, 4}},
		{3 * time.Hour, []int{1, 2, 4, 5}},
		{12 * time.Hour, []int{1, 2, 3, 4, 5}},
	}
	for _, tt := range tests {
		var got []int
		for _, e := range Prune(entries, t0.Add(tt.at)) {
			got = append(got, int(e.ID[len(e.ID)-1]-'0'))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Prune at +%s = %v, want %v", tt.at, got, tt.want)
		}
	}
}

// TestPruneEntry checks the transition a store applies to each due entry.
func TestPruneEntry(t *testing.T) {
	e := mk(1, TargetSession, sid(1), 0, time.Hour)
	if err := e.Prune(t0.Add(time.Hour - time.Second)); !errors.Is(err, record.ErrTransition) {
		t.Fatalf("prune before expiry: %v", err)
	}
	if e.Status != StatusActive {
		t.Fatal("a refused prune changed the entry")
	}
	at := t0.Add(time.Hour)
	if err := e.Prune(at); err != nil {
		t.Fatal(err)
	}
	if e.Status != StatusPruned || !e.EndedAt.Equal(at) || e.Validate() != nil {
		t.Fatalf("pruned entry %+v", e)
	}
	if err := e.Prune(at); !errors.Is(err, record.ErrTransition) {
		t.Fatalf("prune twice: %v", err)
	}
}

// TestLift checks that only an active block is lifted, by someone.
func TestLift(t *testing.T) {
	at := t0.Add(time.Hour)
	b := mk(1, TargetBlock, "alice", 0, 12*time.Hour)
	if err := b.Lift(at, "", ""); !errors.Is(err, record.ErrInvalid) {
		t.Fatalf("lift by no one: %v", err)
	}
	if err := b.Lift(time.Time{}, "lead", ""); !errors.Is(err, record.ErrInvalid) {
		t.Fatalf("lift at no time: %v", err)
	}
	if b.Status != StatusActive {
		t.Fatal("a refused lift changed the block")
	}
	if err := b.Lift(at, "lead", "arn:aws:iam::111122223333:user/lead"); err != nil {
		t.Fatal(err)
	}
	if b.Status != StatusLifted || !b.EndedAt.Equal(at) || b.LiftedBy != "lead" || b.Validate() != nil {
		t.Fatalf("lifted block %+v", b)
	}
	if err := b.Lift(at, "lead", ""); !errors.Is(err, record.ErrTransition) {
		t.Fatalf("lift twice: %v", err)
	}
	s := mk(2, TargetSession, sid(2), 0, time.Hour)
	if err := s.Lift(at, "lead", ""); !errors.Is(err, record.ErrTransition) {
		t.Fatalf("lift a session entry: %v", err)
	}
	if b.ActiveAt(at) {
		t.Fatal("a lifted block is still rendered")
	}
}
