package dynamodb

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/request"
)

// base is a fixed instant with a nanosecond part.
var base = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)

func TestSortKeysSortLikeTimes(t *testing.T) {
	// RFC 3339 with trimmed fractions would sort .1 before .09; the fixed
	// width layout must not.
	times := []time.Time{
		base,
		base.Add(-90 * time.Millisecond),
		time.Date(2026, 3, 14, 15, 9, 26, 100000000, time.UTC),
		time.Date(2026, 3, 14, 15, 9, 26, 90000000, time.UTC),
		time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC),
		time.Date(2025, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 3, 14, 20, 0, 0, 0, time.FixedZone("UTC+5", 5*3600)), // 15:00 UTC
	}
	keys := make([]string, len(times))
	for i, tm := range times {
		keys[i] = sortKey(tm, "0123456789abcdef")
	}
	sort.Strings(keys)
	sorted := append([]time.Time(nil), times...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Before(sorted[j]) })
	for i := range sorted {
		if want := sortKey(sorted[i], "0123456789abcdef"); keys[i] != want {
			t.Fatalf("sorted keys[%d] = %s, want %s", i, keys[i], want)
		}
	}
	// Equal times order by ID.
	if a, b := sortKey(base, "0000000000000001"), sortKey(base, "0000000000000002"); a >= b {
		t.Errorf("sort keys of equal times do not order by ID: %s >= %s", a, b)
	}
}

func TestTTLFor(t *testing.T) {
	tests := []struct {
		end  time.Time
		want int64
	}{
		{time.Unix(1000, 0), 1000 + 3600},
		{time.Unix(1000, 1), 1001 + 3600}, // rounded up: never before end + retention
		{time.Unix(1000, 999999999), 1001 + 3600},
	}
	for _, tt := range tests {
		if got := ttlFor(tt.end, time.Hour); got != tt.want {
			t.Errorf("ttlFor(%v) = %d, want %d", tt.end, got, tt.want)
		}
	}
}

func TestBusinessEnds(t *testing.T) {
	pending := &request.Request{Status: request.StatusPending, CreatedAt: base, UpdatedAt: base, ExpiresAt: base.Add(24 * time.Hour)}
	approved := &request.Request{Status: request.StatusApproved, Duration: 8 * time.Hour, CreatedAt: base, UpdatedAt: base.Add(time.Hour),
		DecidedAt: base.Add(20 * time.Hour), ExpiresAt: base.Add(24 * time.Hour)}
	denied := &request.Request{Status: request.StatusDenied, CreatedAt: base, UpdatedAt: base.Add(time.Hour), DecidedAt: base.Add(time.Hour),
		ExpiresAt: base.Add(24 * time.Hour)}
	closedLate := &breakglass.Event{Status: breakglass.StatusClosed, OpenedAt: base, ExpiresAt: base.Add(time.Hour), ClosedAt: base.Add(2 * time.Hour)}
	active := &breakglass.Event{Status: breakglass.StatusActive, OpenedAt: base, ExpiresAt: base.Add(time.Hour)}
	for _, tt := range []struct {
		name string
		got  time.Time
		want time.Time
	}{
		{"pending request: its expiry", request.Kind.End(pending), pending.ExpiresAt},
		{"approved request: its window end", request.Kind.End(approved), base.Add(28 * time.Hour)},
		{"denied request: its expiry", request.Kind.End(denied), denied.ExpiresAt},
		{"active event: its expiry", breakglass.Kind.End(active), active.ExpiresAt},
		{"event closed after expiry: its closing", breakglass.Kind.End(closedLate), closedLate.ClosedAt},
	} {
		if !tt.got.Equal(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestLockIDs(t *testing.T) {
	pairs := [][2]string{
		{"a#b", "c"}, {"a", "b#c"}, {"ab", "c"}, {"a", "bc"}, {"", "abc"}, {"abc", ""},
		{"alice", "prod"}, {"Alice", "prod"}, {"alice", "prod "},
		{strings.Repeat("ü", 256), strings.Repeat("é", 256)},
	}
	seen := map[string][2]string{}
	for _, p := range pairs {
		id := lockID(p[0], p[1])
		if other, dup := seen[id]; dup {
			t.Errorf("lockID(%q, %q) = lockID(%q, %q) = %s", p[0], p[1], other[0], other[1], id)
		}
		seen[id] = p
		if !strings.HasPrefix(id, lockPrefix) || len(id) > 100 {
			t.Errorf("lockID(%q, %q) = %q, want a short ID starting with %q", p[0], p[1], id, lockPrefix)
		}
		if lockID(p[0], p[1]) != id {
			t.Errorf("lockID(%q, %q) is not stable", p[0], p[1])
		}
	}
}
