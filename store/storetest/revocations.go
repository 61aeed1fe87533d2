package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/revocation"
)

// TestRevocationStore runs the revocation.Store contract against the
// stores newStore returns: entries round-trip and list by status and
// target, every entry write bumps the list version (in the same write, so
// concurrent writers never lose a bump), and the per-role lease is taken,
// refused, taken over once expired, and released only by its holder.
func TestRevocationStore(t *testing.T, newStore func(t *testing.T) revocation.Store) {
	prefix := uniquePrefix(t)
	base := baseTime()
	role := func(t *testing.T) string {
		return fmt.Sprintf("arn:aws:iam::111122223333:role/%s-%d", prefix, time.Now().UnixNano())
	}
	entry := func(t *testing.T, r string, at time.Time) *revocation.Entry {
		t.Helper()
		id, err := record.NewID()
		if err != nil {
			t.Fatal(err)
		}
		e, err := revocation.NewSession(id, revocation.Params{
			Roles: []string{r}, Now: at, ExpiresAt: at.Add(time.Hour), By: "alice", ByARN: "arn:aws:iam::111122223333:user/alice",
		})
		if err != nil {
			t.Fatalf("NewSession: %v", err)
		}
		return e
	}

	t.Run("RoundTripAndList", func(t *testing.T) {
		st := newStore(t)
		ctx := t.Context()
		r := role(t)
		e := entry(t, r, base)
		if err := st.Create(ctx, e); err != nil {
			t.Fatalf("Create: %v", err)
		}
		got, err := st.Get(ctx, e.ID)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if got.Value != e.Value || !slices.Equal(got.Roles, e.Roles) || !got.ExpiresAt.Equal(e.ExpiresAt) ||
			got.Status != revocation.StatusActive || got.By != "alice" {
			t.Fatalf("round trip: got %+v, want %+v", got, e)
		}
		byTarget, err := st.List(ctx, record.Query[revocation.Status]{Where: []record.Match{{Index: revocation.IndexTarget, Value: revocation.TargetKey(revocation.TargetSession, e.Value)}}})
		if err != nil || len(byTarget) != 1 || byTarget[0].ID != e.ID {
			t.Fatalf("list by target: %v, %v", byTarget, err)
		}
		active, err := st.List(ctx, record.Query[revocation.Status]{Status: revocation.StatusActive, At: base})
		if err != nil || !slices.ContainsFunc(active, func(x *revocation.Entry) bool { return x.ID == e.ID }) {
			t.Fatalf("list active: %v, %v", active, err)
		}
		// After its expiry the entry reads as pruned, and Prune stores it so.
		later := e.ExpiresAt.Add(time.Second)
		if _, err := st.Change(ctx, e.ID, func(x *revocation.Entry) error { return x.Prune(later) }); err != nil {
			t.Fatalf("prune: %v", err)
		}
		pruned, err := st.List(ctx, record.Query[revocation.Status]{Where: []record.Match{{Index: record.StatusIndex, Value: string(revocation.StatusPruned)}}})
		if err != nil || !slices.ContainsFunc(pruned, func(x *revocation.Entry) bool { return x.ID == e.ID }) {
			t.Fatalf("list pruned: %v, %v", pruned, err)
		}
	})

	t.Run("VersionFollowsEveryWrite", func(t *testing.T) {
		st := newStore(t)
		ctx := t.Context()
		v0, err := st.ListVersion(ctx)
		if err != nil {
			t.Fatalf("ListVersion: %v", err)
		}
		r := role(t)
		e := entry(t, r, base)
		if err := st.Create(ctx, e); err != nil {
			t.Fatal(err)
		}
		v1, _ := st.ListVersion(ctx)
		if v1 <= v0 {
			t.Fatalf("version after create %d, before %d", v1, v0)
		}
		if err := st.Create(ctx, e); !errors.Is(err, record.ErrConflict) {
			t.Fatalf("duplicate create: %v", err)
		}
		if v, _ := st.ListVersion(ctx); v != v1 {
			t.Fatalf("a refused create bumped the version: %d -> %d", v1, v)
		}
		if _, err := st.Change(ctx, e.ID, func(x *revocation.Entry) error { return x.Prune(x.ExpiresAt) }); err != nil {
			t.Fatal(err)
		}
		if v2, _ := st.ListVersion(ctx); v2 <= v1 {
			t.Fatalf("version after change %d, before %d", v2, v1)
		}
	})

	t.Run("RaceCreatesCountEach", func(t *testing.T) {
		st := newStore(t)
		ctx := t.Context()
		v0, _ := st.ListVersion(ctx)
		r := role(t)
		es := make([]*revocation.Entry, racers)
		for i := range es {
			es[i] = entry(t, r, base.Add(time.Duration(i)))
		}
		var ok atomic.Int64
		for i, err := range race(racers, func(i int) error { return st.Create(ctx, es[i]) }) {
			if err != nil {
				t.Errorf("create %d: %v", i, err)
				continue
			}
			ok.Add(1)
		}
		// Other subtests may share the table's version: at least ours.
		if v, _ := st.ListVersion(ctx); v-v0 < ok.Load() {
			t.Fatalf("version rose by %d for %d creates", v-v0, ok.Load())
		}
	})

	t.Run("Lease", func(t *testing.T) {
		st := newStore(t)
		ctx := t.Context()
		r := role(t)
		now := time.Now()
		if err := st.TakeLease(ctx, r, "a", now, now.Add(time.Minute)); err != nil {
			t.Fatalf("take: %v", err)
		}
		if err := st.TakeLease(ctx, r, "b", now, now.Add(time.Minute)); !errors.Is(err, revocation.ErrLeaseHeld) {
			t.Fatalf("take held lease: %v, want ErrLeaseHeld", err)
		}
		// Role ARNs compare ignoring case: the same lease.
		if err := st.TakeLease(ctx, strings.ToUpper(r), "b", now, now.Add(time.Minute)); !errors.Is(err, revocation.ErrLeaseHeld) {
			t.Fatalf("take held lease again: %v", err)
		}
		if err := st.TakeLease(ctx, r, "a", now, now.Add(2*time.Minute)); err != nil {
			t.Fatalf("holder retakes: %v", err)
		}
		if err := st.ReleaseLease(ctx, r, "b"); err != nil {
			t.Fatalf("release by another: %v", err)
		}
		if err := st.TakeLease(ctx, r, "b", now, now.Add(time.Minute)); !errors.Is(err, revocation.ErrLeaseHeld) {
			t.Fatalf("another's release freed the lease: %v", err)
		}
		// Expired: taken over.
		if err := st.TakeLease(ctx, r, "b", now.Add(3*time.Minute), now.Add(4*time.Minute)); err != nil {
			t.Fatalf("take over expired: %v", err)
		}
		if err := st.ReleaseLease(ctx, r, "b"); err != nil {
			t.Fatalf("release: %v", err)
		}
		if err := st.TakeLease(ctx, r, "a", now, now.Add(time.Minute)); err != nil {
			t.Fatalf("take after release: %v", err)
		}
		if err := st.TakeLease(ctx, r, "a", now, now); !errors.Is(err, record.ErrInvalid) {
			t.Fatalf("empty lease: %v", err)
		}
	})

	t.Run("RaceLeaseOneWins", func(t *testing.T) {
		st := newStore(t)
		ctx := t.Context()
		r := role(t)
		now := time.Now()
		var won atomic.Int64
		for _, err := range race(racers, func(i int) error {
			return st.TakeLease(ctx, r, fmt.Sprintf("h%d", i), now, now.Add(time.Minute))
		}) {
			switch {
			case err == nil:
				won.Add(1)
			case !errors.Is(err, revocation.ErrLeaseHeld):
				t.Errorf("take: %v", err)
			}
		}
		if won.Load() != 1 {
			t.Fatalf("%d holders took the lease", won.Load())
		}
	})
}
