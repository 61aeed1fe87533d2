package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/logging"
)

// TestTeamAnchorLimit runs the bound on the logs one caller anchors:
// logging.MaxTeamAnchorLogs first records pass, the next one is
// logging.ErrAnchorLimit, an anchored log still moves forward, and
// another caller (or the same ARN in another case, which is the same
// caller) is counted on its own.
func TestTeamAnchorLimit(t *testing.T, s TeamAnchorStore) {
	ctx := context.Background()
	prefix := uniquePrefix(t)
	owner := "arn:aws:iam::111122223333:user/" + prefix + "carol"
	other := "arn:aws:iam::111122223333:user/" + prefix + "dave"
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	head := func(i int, seq int64) logging.Head {
		log := fmt.Sprintf("laptop-%03d:/home/carol/decisions.jsonl", i)
		return logging.Head{Log: log, File: "decisions.jsonl", Seq: seq, Hash: anchorHash(fmt.Sprint(log, seq)), Time: at}
	}
	for i := 0; i < logging.MaxTeamAnchorLogs; i++ {
		if err := s.PutTeamAnchor(ctx, owner, head(i, 1)); err != nil {
			t.Fatalf("log %d: %v", i, err)
		}
	}
	if err := s.PutTeamAnchor(ctx, owner, head(logging.MaxTeamAnchorLogs, 1)); !errors.Is(err, logging.ErrAnchorLimit) {
		t.Fatalf("log %d: %v, want ErrAnchorLimit", logging.MaxTeamAnchorLogs, err)
	}
	// The same caller, its ARN in other case.
	upper := "arn:aws:iam::111122223333:user/" + prefix + "CAROL"
	if err := s.PutTeamAnchor(ctx, upper, head(logging.MaxTeamAnchorLogs+1, 1)); !errors.Is(err, logging.ErrAnchorLimit) {
		t.Fatalf("same caller in other case: %v, want ErrAnchorLimit", err)
	}
	if _, ok, err := s.TeamAnchor(ctx, owner, head(logging.MaxTeamAnchorLogs, 1).Log); ok || err != nil {
		t.Fatalf("the refused log was recorded: ok=%v err=%v", ok, err)
	}
	// Anchored logs still move forward, and retries still pass.
	for _, i := range []int{0, logging.MaxTeamAnchorLogs - 1} {
		if err := s.PutTeamAnchor(ctx, owner, head(i, 2)); err != nil {
			t.Fatalf("forward on log %d: %v", i, err)
		}
		if err := s.PutTeamAnchor(ctx, owner, head(i, 2)); err != nil {
			t.Fatalf("retry on log %d: %v", i, err)
		}
		if err := s.PutTeamAnchor(ctx, owner, head(i, 1)); !errors.Is(err, logging.ErrAnchorBehind) {
			t.Fatalf("back on log %d: %v, want ErrAnchorBehind", i, err)
		}
	}
	if err := s.PutTeamAnchor(ctx, other, head(logging.MaxTeamAnchorLogs, 1)); err != nil {
		t.Fatalf("another caller: %v", err)
	}
}
