package teamclient_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/session"
)

func headHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestAnchorsThroughTheService: the client's anchor records a head under
// the signer's identity, refuses to go back (ErrAnchorBehind), reads back
// the caller's own head only, and none is (false, nil).
func TestAnchorsThroughTheService(t *testing.T) {
	aliceC, bobC := aliceAndBob(t, "")
	alice, bob := aliceC.Anchors(), bobC.Anchors()
	ctx := context.Background()
	const log = "laptop:/home/alice/decisions.jsonl"
	if _, ok, err := alice.LastAnchor(ctx, log); ok || err != nil {
		t.Fatalf("before any anchor: ok=%v err=%v", ok, err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := logging.Head{Log: log, File: "decisions.jsonl", Seq: 7, Hash: headHash("7"), Time: at}
	if err := alice.Anchor(ctx, h); err != nil {
		t.Fatal(err)
	}
	back := h
	back.Seq, back.Hash = 6, headHash("6")
	if err := alice.Anchor(ctx, back); !errors.Is(err, logging.ErrAnchorBehind) {
		t.Fatalf("going back: %v, want ErrAnchorBehind", err)
	}
	got, ok, err := alice.LastAnchor(ctx, log)
	if err != nil || !ok || got.Seq != 7 || got.Hash != h.Hash || !got.Time.Equal(at) || got.File != h.File {
		t.Fatalf("read back %+v ok=%v err=%v", got, ok, err)
	}
	if _, ok, err := bob.LastAnchor(ctx, log); ok || err != nil {
		t.Fatalf("bob reads alice's head: ok=%v err=%v", ok, err)
	}
	if err := alice.Anchor(ctx, logging.Head{Log: log, Seq: 8, Hash: "nothex"}); err == nil {
		t.Fatal("a malformed head was sent")
	}
	if alice.String() == "" {
		t.Error("no name")
	}
}

// TestReviewEndBlockThroughTheService: reviewable listing, the end of a
// session by its user, and blocks by an approver, all through the client.
func TestReviewEndBlockThroughTheService(t *testing.T) {
	s := startService(t, "")
	alice := s.person(t, "alice", "AKIATESTALICE0000021", "")
	bob := s.person(t, "bob", "AKIATESTBOB000000022", "")
	ctx := context.Background()

	r, err := alice.CreateRequest(ctx, broker.RequestInput{Profile: "prod", Justification: "deploy the hotfix now"})
	if err != nil {
		t.Fatal(err)
	}
	list, err := bob.ListReviewable(ctx)
	if err != nil || len(list) != 1 || list[0].ID != r.ID {
		t.Fatalf("bob's reviewable: %v, %v", list, err)
	}
	if list, err := alice.ListReviewable(ctx); err != nil || len(list) != 0 {
		t.Fatalf("alice may review her own: %v, %v", list, err)
	}

	g, err := alice.Issue(ctx, broker.Input{Profile: "dev", Mode: policy.ModeServer})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.EndSession(ctx, g.SessionID); !errors.Is(err, broker.ErrForbidden) {
		t.Fatalf("bob ends alice's session: %v", err)
	}
	se, err := alice.EndSession(ctx, g.SessionID)
	if err != nil || se.Status != session.StatusExpired {
		t.Fatalf("end: %+v, %v", se, err)
	}
	if _, err := alice.EndSession(ctx, g.SessionID); !errors.Is(err, session.ErrTransition) {
		t.Fatalf("second end: %v", err)
	}

	g, err = alice.Issue(ctx, broker.Input{Profile: "dev", Mode: policy.ModeServer})
	if err != nil {
		t.Fatal(err)
	}
	aliceARN := "arn:aws:iam::111122223333:user/alice"
	if _, err := alice.BlockUser(ctx, "arn:aws:iam::111122223333:user/bob", "no", 0); !errors.Is(err, broker.ErrForbidden) {
		t.Fatalf("alice, no approver, blocks: %v", err)
	}
	rev, err := bob.BlockUser(ctx, aliceARN, "stolen laptop", time.Hour)
	if err != nil || rev.Block.UserARN != aliceARN || len(rev.Revoked) != 1 || rev.Revoked[0].ID != g.SessionID {
		t.Fatalf("block: %+v, %v", rev, err)
	}
	if _, err := alice.Issue(ctx, broker.Input{Profile: "dev", Mode: policy.ModeServer}); !errors.Is(err, broker.ErrRevoked) {
		t.Fatalf("blocked alice got credentials: %v", err)
	}
	if err := bob.UnblockUser(ctx, aliceARN); err != nil {
		t.Fatal(err)
	}
	if err := bob.UnblockUser(ctx, aliceARN); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("second unblock: %v", err)
	}
	// A fresh client (a new exec): the revoked session stays revoked.
	again := s.person(t, "alice", "AKIATESTALICE0000023", "")
	if _, err := again.Issue(ctx, broker.Input{Profile: "dev", Mode: policy.ModeServer}); err != nil {
		t.Fatalf("after unblock: %v", err)
	}
	if _, err := bob.BlockUser(ctx, aliceARN, "x", 1500*time.Millisecond); !errors.Is(err, session.ErrInvalid) {
		t.Fatalf("fractional duration: %v", err)
	}
}
