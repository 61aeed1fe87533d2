package revocation

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRoles checks the set of roles a full re-render visits: every role
// of every entry, pruned ones included, once whatever its case.
func TestRoles(t *testing.T) {
	pruned := mk(3, TargetSession, sid(3), 0, time.Hour, roleC)
	pruned.Status, pruned.EndedAt = StatusPruned, t0.Add(time.Hour)
	upper := strings.Replace(roleA, "deploy", "DEPLOY", 1)
	got := Roles([]*Entry{
		mk(1, TargetSession, sid(1), 0, time.Hour, roleB, roleA),
		nil,
		mk(2, TargetBlock, "alice", 0, time.Hour, upper),
		pruned,
	})
	want := []string{roleC, roleA, roleB}
	if !slices.Equal(got, want) {
		t.Fatalf("Roles = %v, want %v", got, want)
	}
	if Roles(nil) != nil {
		t.Fatal("no entries, some roles")
	}
}
