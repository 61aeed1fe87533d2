package logging

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestReadLogSkipsUnreadableLines(t *testing.T) {
	ls := logLines(t, 3)
	path := filepath.Join(t.TempDir(), "decisions.jsonl")
	writeFile(t, path, join(ls[0], []byte("not json\n"), ls[1], ls[2][:20]))
	var seqs []int64
	st, err := ReadLog(path, func(r Record) error {
		seqs = append(seqs, r.Entry.Seq)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The torn last line is not shown (it may still be being written).
	if len(seqs) != 2 || seqs[0] != 1 || seqs[1] != 2 || st.Skipped != 1 || st.LastSeq != 2 {
		t.Fatalf("seqs %v, stats %+v", seqs, st)
	}
	stop := errors.New("stop")
	if _, err := ReadLog(path, func(Record) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("error from fn: %v", err)
	}
	if _, err := ReadLog(filepath.Join(t.TempDir(), "none.jsonl"), func(Record) error { return nil }); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing log: %v", err)
	}
}

// TestFollow appends to a log, through rotations, while Follow reads it:
// every entry after the starting seq arrives once, in order.
func TestFollow(t *testing.T) {
	path := writeRotatingLog(t, 3, 1500, nil)
	l, err := OpenWith(path, Options{MaxBytes: 1500})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var seqs []int64
	done := make(chan error, 1)
	go func() {
		done <- Follow(ctx, path, 3, 30*time.Millisecond, func(r Record) error {
			mu.Lock()
			seqs = append(seqs, r.Entry.Seq)
			mu.Unlock()
			return nil
		})
	}()
	for i := 0; i < 20; i++ {
		if err := l.Append(decision("alice")); err != nil {
			t.Fatal(err)
		}
		if i%8 == 0 {
			time.Sleep(40 * time.Millisecond)
		}
	}
	rep, err := VerifyLog(path, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(seqs)
		mu.Unlock()
		if int64(n) >= rep.LastSeq-3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(rep.Files) < 3 {
		t.Fatalf("only %d files: the test did not rotate", len(rep.Files))
	}
	mu.Lock()
	defer mu.Unlock()
	if int64(len(seqs)) != rep.LastSeq-3 {
		t.Fatalf("followed %d entries (%v), want %d", len(seqs), seqs, rep.LastSeq-3)
	}
	for i, s := range seqs {
		if s != int64(i+4) {
			t.Fatalf("followed seqs %v", seqs)
		}
	}
}

// TestFollowReadsPastAGap: a rotated file that is gone (removed by hand)
// leaves a gap at the start of the chain; Follow, which lists the chain
// again when a file starts past the next seq (a rotation under it), must
// still read what follows the gap rather than wait for it for ever.
func TestFollowReadsPastAGap(t *testing.T) {
	path := writeRotatingLog(t, 12, 1500, nil)
	files, err := ChainFiles(path)
	if err != nil || len(files) < 3 {
		t.Fatalf("chain %v, %v: the test needs rotated files", files, err)
	}
	if err := os.Remove(files[0]); err != nil {
		t.Fatal(err)
	}
	st, err := ReadLog(path, func(Record) error { return nil })
	if err != nil || st.Gap == nil {
		t.Fatalf("read %+v, %v: want a gap", st, err)
	}
	last := st.LastSeq
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var seqs []int64
	err = Follow(ctx, path, 0, 10*time.Millisecond, func(r Record) error {
		seqs = append(seqs, r.Entry.Seq)
		if r.Entry.Seq == last {
			cancel()
		}
		return nil
	})
	if err != nil || len(seqs) == 0 || seqs[len(seqs)-1] != last || seqs[0] == 1 {
		t.Fatalf("followed %v, %v: want the entries after the gap, up to %d", seqs, err, last)
	}
}
