package revocation

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/record"
)

// TestValidate checks what a store refuses to write or act on: each case
// edits a valid stored entry.
func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		base func() *Entry
		edit func(*Entry)
		ok   bool
	}{
		{"session", sess, func(*Entry) {}, true},
		{"bad ID", sess, func(e *Entry) { e.ID = "x" }, false},
		{"unknown target", sess, func(e *Entry) { e.Target = "user" }, false},
		{"unknown status", sess, func(e *Entry) { e.Status = "revoked" }, false},
		{"negative version", sess, func(e *Entry) { e.Version = -1 }, false},
		{"pruned with end", sess, func(e *Entry) { e.Status, e.EndedAt = StatusPruned, e.ExpiresAt }, true},
		{"pruned without end", sess, func(e *Entry) { e.Status = StatusPruned }, false},
		{"active with end", sess, func(e *Entry) { e.EndedAt = e.ExpiresAt }, false},
		{"lifted session", sess, func(e *Entry) {
			e.Status, e.EndedAt, e.LiftedBy = StatusLifted, e.ExpiresAt, "lead"
		}, false},
		{"lifted block", blk, func(e *Entry) {
			e.Status, e.EndedAt, e.LiftedBy = StatusLifted, e.ExpiresAt, "lead"
		}, true},
		{"lifted block by no one", blk, func(e *Entry) { e.Status, e.EndedAt = StatusLifted, e.ExpiresAt }, false},
		{"active block naming a lifter", blk, func(e *Entry) { e.LiftedBy = "lead" }, false},
		{"block time on a block", blk, func(e *Entry) { e.BlockedAt = t0 }, false},
		{"unblocked", unb, func(*Entry) {}, true},
		{"unblocked without block time", unb, func(e *Entry) { e.BlockedAt = time.Time{} }, false},
		{"unblocked blocked after the unblock", unb, func(e *Entry) { e.BlockedAt = e.CreatedAt.Add(time.Hour) }, false},
		{"unblocked kept past the block's credentials", unb, func(e *Entry) {
			e.ExpiresAt = e.BlockedAt.Add(MaxCredentialLifetime + MaxSkew + time.Second)
		}, false},
		{"older", old, func(*Entry) {}, true},
		{"older with a value", old, func(e *Entry) { e.Value = "alice" }, false},
		{"older of two roles", old, func(e *Entry) { e.Roles = []string{roleA, roleB} }, false},
		{"older without its time", old, func(e *Entry) { e.IssuedBefore = time.Time{} }, false},
		{"issued-before on a session", sess, func(e *Entry) { e.IssuedBefore = t0 }, false},
		{"label widened after the fact", blk, func(e *Entry) { e.Value = "a*" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.base()
			if err := e.Validate(); err != nil {
				t.Fatalf("base entry: %v", err)
			}
			tt.edit(e)
			err := Kind.Validate(e)
			if tt.ok != (err == nil) {
				t.Fatalf("Validate = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, record.ErrInvalid) {
				t.Fatalf("error %v does not match record.ErrInvalid", err)
			}
		})
	}
	if err := (*Entry)(nil).Validate(); !errors.Is(err, record.ErrInvalid) {
		t.Fatalf("nil entry: %v", err)
	}
}

func sess() *Entry { return mk(1, TargetSession, sid(1), 0, time.Hour) }
func blk() *Entry  { return mk(2, TargetBlock, "alice", 0, 12*time.Hour) }
func unb() *Entry  { return unblocked(3, "alice", 0, time.Hour, 12*time.Hour) }
func old() *Entry  { return older(4, 0, time.Hour, roleA) }

// TestKind checks the declaration: an active entry reads as pruned once
// due, only active moves, and Normalize copies.
func TestKind(t *testing.T) {
	e := sess()
	if got := Kind.Effective(e, t0.Add(time.Hour-time.Nanosecond)); got != StatusActive {
		t.Fatalf("before expiry: %s", got)
	}
	if got := Kind.Effective(e, t0.Add(time.Hour)); got != StatusPruned {
		t.Fatalf("at expiry: %s", got)
	}
	moves := []struct {
		from, to Status
		ok       bool
	}{
		{StatusActive, StatusPruned, true},
		{StatusActive, StatusLifted, true},
		{StatusPruned, StatusActive, false},
		{StatusLifted, StatusActive, false},
		{StatusLifted, StatusPruned, false},
		{StatusPruned, StatusLifted, false},
	}
	for _, m := range moves {
		if got := Kind.Machine.Allows(m.from, m.to); got != m.ok {
			t.Errorf("%s -> %s allowed = %v, want %v", m.from, m.to, got, m.ok)
		}
	}
	in := mk(5, TargetSession, sid(5), 0, time.Hour, roleA, roleB)
	in.CreatedAt = in.CreatedAt.In(time.FixedZone("x", 3600))
	out := Kind.Normalize(in)
	out.Roles[0] = "changed"
	if in.Roles[0] != roleA || out.CreatedAt.Location() != time.UTC {
		t.Fatalf("Normalize shares roles or keeps the zone: %+v", out)
	}
	ix, ok := Kind.Index(IndexTarget)
	if !ok || ix.Key(in) != "session:"+sid(5) {
		t.Fatalf("target index key %q", ix.Key(in))
	}
	if ix, ok := Kind.Index(record.StatusIndex); !ok || ix.Key(in) != "active" {
		t.Fatal("no status index")
	}
}

// TestEntryJSON checks that an entry survives the JSON the stores keep,
// and that the times a target does not use are left out.
func TestEntryJSON(t *testing.T) {
	for _, e := range []*Entry{sess(), blk(), unb(), old()} {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var back Entry
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if err := back.Validate(); err != nil || !reflect.DeepEqual(Kind.Normalize(&back), Kind.Normalize(e)) {
			t.Fatalf("round trip of %s: %v\n%+v\n%+v", b, err, back, *e)
		}
		if e.Target == TargetSession && bytes.Contains(b, []byte("blocked_at")) {
			t.Fatalf("unused time written: %s", b)
		}
	}
}
