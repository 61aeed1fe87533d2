package local

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestGroupCommit: concurrent writers share transactions, every write that
// succeeds is in the file, a failing one gets its own error and changes
// nothing, and the others are committed without it.
func TestGroupCommit(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "g.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bucket := []byte("b")
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket(bucket); return err }); err != nil {
		t.Fatal(err)
	}
	var g groupCommit
	var commits atomic.Int64
	commit := func(fn func(*bolt.Tx) error) error {
		commits.Add(1)
		return db.Update(fn)
	}
	errOdd := errors.New("refused")
	const writers = 64
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = g.do(func(tx *bolt.Tx) error {
				if err := tx.Bucket(bucket).Put(fmt.Appendf(nil, "k%02d", i), []byte("v")); err != nil {
					return err
				}
				if i%8 == 7 {
					return errOdd // after a write: it must be rolled back
				}
				return nil
			}, commit)
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if want := i%8 == 7; want != errors.Is(err, errOdd) || (!want && err != nil) {
			t.Errorf("writer %d: err %v", i, err)
		}
	}
	err = db.View(func(tx *bolt.Tx) error {
		for i := 0; i < writers; i++ {
			got := tx.Bucket(bucket).Get(fmt.Appendf(nil, "k%02d", i)) != nil
			if want := i%8 != 7; got != want {
				t.Errorf("key %d stored %v, want %v", i, got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if g.leading || len(g.pending) != 0 {
		t.Errorf("left leading=%v with %d pending", g.leading, len(g.pending))
	}
	t.Logf("%d writers in %d transactions", writers, commits.Load())
}
