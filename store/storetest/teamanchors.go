package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/logging"
)

// TeamAnchorStore is what the team service needs of a backend to keep its
// callers' log heads (broker.TeamAnchors has the same methods).
type TeamAnchorStore interface {
	PutTeamAnchor(ctx context.Context, ownerARN string, h logging.Head) error
	TeamAnchor(ctx context.Context, ownerARN, log string) (logging.Head, bool, error)
}

func anchorHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestTeamAnchors runs the contract of the team service's anchor records:
// forward only per (owner, log), owners and logs kept apart, ARN case
// ignored, bad heads refused, and racing writers leave the highest head.
func TestTeamAnchors(t *testing.T, s TeamAnchorStore) {
	ctx := context.Background()
	prefix := uniquePrefix(t)
	alice := "arn:aws:iam::111122223333:user/" + prefix + "alice"
	bob := "arn:aws:iam::111122223333:user/" + prefix + "bob"
	log := "laptop:/home/alice/" + prefix + "decisions.jsonl"
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	head := func(seq int64, tag string) logging.Head {
		return logging.Head{Log: log, File: "decisions.jsonl", Seq: seq, Hash: anchorHash(tag), Time: at}
	}
	if _, ok, err := s.TeamAnchor(ctx, alice, log); ok || err != nil {
		t.Fatalf("no record yet: ok=%v err=%v", ok, err)
	}
	steps := []struct {
		name   string
		head   logging.Head
		behind bool
		want   int64
	}{
		{"first", head(10, "10"), false, 10},
		{"retry", head(10, "10"), false, 10},
		{"forward", head(20, "20"), false, 20},
		{"back", head(15, "15"), true, 20},
		{"fork at the same seq", head(20, "other"), true, 20},
		{"forward again", head(21, "21"), false, 21},
	}
	for _, st := range steps {
		err := s.PutTeamAnchor(ctx, alice, st.head)
		if st.behind != errors.Is(err, logging.ErrAnchorBehind) || (!st.behind && err != nil) {
			t.Fatalf("%s: err = %v, behind want %v", st.name, err, st.behind)
		}
		got, ok, err := s.TeamAnchor(ctx, alice, log)
		if err != nil || !ok || got.Seq != st.want {
			t.Fatalf("%s: read back %+v ok=%v err=%v, want seq %d", st.name, got, ok, err, st.want)
		}
	}
	got, _, _ := s.TeamAnchor(ctx, alice, log)
	if want := head(21, "21"); got.Hash != want.Hash || got.Log != log || got.File != want.File || !got.Time.Equal(at) {
		t.Errorf("round trip: got %+v, want %+v", got, want)
	}
	// The ARN is compared without case, as IAM does.
	if got, ok, err := s.TeamAnchor(ctx, upper(alice), log); err != nil || !ok || got.Seq != 21 {
		t.Errorf("folded ARN: %+v ok=%v err=%v", got, ok, err)
	}
	// Another owner's record of the same log name is separate: bob can
	// neither read alice's nor hold hers back.
	if _, ok, err := s.TeamAnchor(ctx, bob, log); ok || err != nil {
		t.Errorf("bob sees alice's record: ok=%v err=%v", ok, err)
	}
	if err := s.PutTeamAnchor(ctx, bob, head(1, "bob")); err != nil {
		t.Fatalf("bob's first head: %v", err)
	}
	if got, _, _ := s.TeamAnchor(ctx, alice, log); got.Seq != 21 {
		t.Errorf("bob's write moved alice's record to %d", got.Seq)
	}
	// Another log of the same owner is separate too.
	other := head(3, "other-log")
	other.Log += ".2"
	if err := s.PutTeamAnchor(ctx, alice, other); err != nil {
		t.Fatalf("second log: %v", err)
	}
	// Bad input is refused and changes nothing.
	for name, h := range map[string]logging.Head{
		"seq 0":     {Log: log, Seq: 0, Hash: anchorHash("x")},
		"short":     {Log: log, Seq: 99, Hash: "abc"},
		"upper hex": {Log: log, Seq: 99, Hash: "A" + anchorHash("x")[1:]},
		"no log":    {Seq: 99, Hash: anchorHash("x")},
	} {
		if err := s.PutTeamAnchor(ctx, alice, h); err == nil || errors.Is(err, logging.ErrAnchorBehind) {
			t.Errorf("%s: err = %v, want a refusal of the input", name, err)
		}
	}
	if err := s.PutTeamAnchor(ctx, "", head(99, "x")); err == nil {
		t.Error("no owner: accepted")
	}
	if got, _, _ := s.TeamAnchor(ctx, alice, log); got.Seq != 21 {
		t.Errorf("refused input moved the record to %d", got.Seq)
	}
	// Racing writers: whatever order they land in, the record ends at the
	// highest seq and every lower write after it is refused.
	race := "race:" + log
	var wg sync.WaitGroup
	for i := int64(1); i <= 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := head(i, "race")
			h.Log, h.Hash = race, anchorHash("race"+string(rune('a'+i)))
			if err := s.PutTeamAnchor(ctx, alice, h); err != nil && !errors.Is(err, logging.ErrAnchorBehind) {
				t.Errorf("racer %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if got, ok, err := s.TeamAnchor(ctx, alice, race); err != nil || !ok || got.Seq != 16 {
		t.Errorf("after the race: %+v ok=%v err=%v, want seq 16", got, ok, err)
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
