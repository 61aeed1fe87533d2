package session

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func validBlock() Block {
	return Block{UserARN: aliceARN, Until: t0.Add(24 * time.Hour), By: "bob", ByARN: "arn:aws:iam::111122223333:user/bob", Reason: " laptop stolen ", At: t0}
}

func TestNewBlock(t *testing.T) {
	b, err := NewBlock(validBlock())
	if err != nil {
		t.Fatalf("NewBlock: %v", err)
	}
	if b.Reason != "laptop stolen" || !b.At.Equal(t0) || b.LiftedBy != "" {
		t.Errorf("NewBlock returned %+v", *b)
	}
	in := validBlock()
	in.LiftedBy, in.LiftedAt = "mallory", t0
	if b, err := NewBlock(in); err != nil || b.LiftedBy != "" || !b.LiftedAt.IsZero() {
		t.Errorf("NewBlock kept a lift: %+v, %v", b, err)
	}
	in = validBlock()
	in.Until = time.Time{}
	if _, err := NewBlock(in); err != nil {
		t.Errorf("NewBlock without an end: %v", err)
	}
}

func TestNewBlockInvalid(t *testing.T) {
	tests := []struct {
		name string
		edit func(b *Block)
		want string
	}{
		{"no user ARN", func(b *Block) { b.UserARN = "" }, "blocked user ARN is required"},
		{"user ARN with newline", func(b *Block) { b.UserARN = aliceARN + "\n" }, "spaces"},
		{"user ARN with escape", func(b *Block) { b.UserARN = "arn\x1b[2J" }, "control character"},
		{"no blocker", func(b *Block) { b.By = "" }, "blocked by is required"},
		{"blocker ARN with NUL", func(b *Block) { b.ByARN = "arn\x00" }, "control character"},
		{"no reason", func(b *Block) { b.Reason = " " }, "at least 1"},
		{"reason too long", func(b *Block) { b.Reason = strings.Repeat("é", MaxReason+1) }, "at most 1000"},
		{"reason with escape", func(b *Block) { b.Reason = "stolen\x1b[1A" }, "control character"},
		{"no time", func(b *Block) { b.At = time.Time{} }, "block time is missing"},
		{"end at start", func(b *Block) { b.Until = b.At }, "not after its start"},
		{"end in year 10000", func(b *Block) { b.Until = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "1970-9999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := validBlock()
			tt.edit(&b)
			if _, err := NewBlock(b); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewBlock: got %v, want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
}

func TestBlockActiveAtAndLift(t *testing.T) {
	b, err := NewBlock(validBlock())
	if err != nil {
		t.Fatal(err)
	}
	end := t0.Add(24 * time.Hour)
	for _, tt := range []struct {
		now  time.Time
		want bool
	}{
		{t0.Add(-time.Hour), true}, // a clock behind the approver's still honours it
		{t0, true},
		{end.Add(-time.Nanosecond), true},
		{end, false},
	} {
		if got := b.ActiveAt(tt.now); got != tt.want {
			t.Errorf("ActiveAt(%s) = %v, want %v", tt.now, got, tt.want)
		}
	}
	forever := validBlock()
	forever.Until = time.Time{}
	fb, err := NewBlock(forever)
	if err != nil {
		t.Fatal(err)
	}
	if !fb.ActiveAt(t0.Add(100 * 365 * 24 * time.Hour)) {
		t.Error("a block without an end ended")
	}

	if err := b.Lift("", "", minute); !errors.Is(err, ErrInvalid) {
		t.Errorf("Lift by nobody: %v", err)
	}
	if err := b.Lift("carol", "", end); !errors.Is(err, ErrNotFound) {
		t.Errorf("Lift of an ended block: %v", err)
	}
	if err := b.Lift("carol", "arn:aws:iam::1:user/carol", minute); err != nil {
		t.Fatalf("Lift: %v", err)
	}
	if b.ActiveAt(minute) || b.LiftedBy != "carol" || !b.LiftedAt.Equal(minute) {
		t.Errorf("after Lift: %+v", *b)
	}
	if err := b.Validate(); err != nil {
		t.Errorf("lifted block does not validate: %v", err)
	}
	if err := b.Lift("carol", "", minute); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Lift: %v", err)
	}
	b.LiftedBy = ""
	if err := b.Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("lift time without lifter validates: %v", err)
	}
}

func TestFoldARN(t *testing.T) {
	if FoldARN("arn:aws:iam::1:user/Alice") != FoldARN("ARN:AWS:IAM::1:USER/alice") {
		t.Error("FoldARN does not ignore case")
	}
}
