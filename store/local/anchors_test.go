package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/logging"
	"github.com/sentinel-cli/sentinel/store/storetest"
)

func hexHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestAnchorsMoveForwardOnly: the record of a log only ever moves to a
// higher seq; the same head again is accepted (a retry); a lower seq or a
// different hash at the same seq (a fork) is refused and changes nothing.
func TestAnchorsMoveForwardOnly(t *testing.T) {
	for _, opts := range []Options{{}, {PerOperation: true}} {
		s := openTemp(t, opts)
		a := s.Anchors()
		ctx := context.Background()
		const log = "host:/home/a/decisions.jsonl"
		if _, ok, err := a.LastAnchor(ctx, log); ok || err != nil {
			t.Fatalf("empty store: ok=%v err=%v", ok, err)
		}
		h10 := logging.Head{Log: log, Seq: 10, Hash: hexHash("10")}
		steps := []struct {
			name string
			head logging.Head
			ok   bool
			want int64 // seq held afterwards
		}{
			{"first", h10, true, 10},
			{"same again", h10, true, 10},
			{"forward", logging.Head{Log: log, Seq: 20, Hash: hexHash("20")}, true, 20},
			{"backward", logging.Head{Log: log, Seq: 15, Hash: hexHash("15")}, false, 20},
			{"fork", logging.Head{Log: log, Seq: 20, Hash: hexHash("other")}, false, 20},
			{"bad hash", logging.Head{Log: log, Seq: 30, Hash: "zz"}, false, 20},
			{"zero seq", logging.Head{Log: log, Seq: 0, Hash: hexHash("0")}, false, 20},
			{"another log", logging.Head{Log: "host:/other", Seq: 1, Hash: hexHash("1")}, true, 20},
		}
		for _, st := range steps {
			err := a.Anchor(ctx, st.head)
			if (err == nil) != st.ok {
				t.Fatalf("%s: error %v", st.name, err)
			}
			if st.name == "backward" || st.name == "fork" {
				if !errors.Is(err, logging.ErrAnchorBehind) {
					t.Fatalf("%s: error %v, want ErrAnchorBehind", st.name, err)
				}
			}
			got, ok, err := a.LastAnchor(ctx, log)
			if err != nil || !ok || got.Seq != st.want {
				t.Fatalf("%s: holds %+v ok=%v err=%v, want seq %d", st.name, got, ok, err, st.want)
			}
		}
	}
}

// TestAnchorRecordIsEvidence: a damaged record is reported as corrupt, not
// trusted.
func TestAnchorRecordIsEvidence(t *testing.T) {
	s := openTemp(t, Options{})
	const log = "host:/l"
	err := s.run(context.Background(), true, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketAnchors)
		if err != nil {
			return err
		}
		return b.Put(keyPart(log), []byte(`{"seq":-4,"hash":"nope"}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Anchors().LastAnchor(context.Background(), log); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("LastAnchor of a damaged record: %v", err)
	}
	if err := s.Anchors().Anchor(context.Background(), logging.Head{Log: log, Seq: 1, Hash: hexHash("1")}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Anchor over a damaged record: %v", err)
	}
}

// TestTeamAnchors runs the team service's anchor contract on both
// transaction modes of the embedded store.
func TestTeamAnchors(t *testing.T) {
	for _, opts := range []Options{{}, {PerOperation: true}} {
		storetest.TestTeamAnchors(t, openTemp(t, opts))
	}
}

// TestTeamAnchorLimit bounds the logs one caller anchors.
func TestTeamAnchorLimit(t *testing.T) {
	storetest.TestTeamAnchorLimit(t, openTemp(t, Options{}))
}
