package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/request"
)

// TestDamagedDataPage fills a store, scribbles over the root page of the
// requests bucket (the meta pages stay valid, so bbolt opens the file), and
// checks that reading through it returns ErrCorrupt instead of crashing the
// process with bbolt's panic.
func TestDamagedDataPage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := mustOpen(t, path, Options{})
	var ids []string
	for i := range 50 {
		r := testRequest(t, fmt.Sprintf("user%d", i%5))
		if err := s.Requests().Create(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	var root int
	err = db.View(func(tx *bolt.Tx) error {
		root = int(tx.Bucket(bucketRequests).Root())
		return nil
	})
	pageSize := db.Info().PageSize
	db.Close()
	if err != nil || root == 0 {
		t.Fatalf("find the requests bucket's root page: %v (root %d)", err, root)
	}

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := root * pageSize; i < (root+1)*pageSize; i++ {
		raw[i] = byte(i*7 + 3)
	}
	writeFile(t, path, raw)

	s = mustOpen(t, path, Options{})
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Requests().Get(ctx, ids[0]); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Errorf("Get through a damaged page: got %v, want ErrCorrupt", err)
	}
	if _, err := s.Requests().List(ctx, request.Query{Requester: "user1"}.Record(time.Now())); !errors.Is(err, ErrCorrupt) {
		t.Errorf("List through a damaged page: got %v, want ErrCorrupt", err)
	}
	if err := s.Requests().Create(ctx, testRequest(t, "user9")); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Create through a damaged page: got %v, want ErrCorrupt", err)
	}
}
