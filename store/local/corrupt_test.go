package local

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/request"
)

// corpusStore writes a store holding requests and break-glass events
// (enough of them to spread over many pages) and returns its bytes and
// the page size and high-water mark bbolt reports.
func corpusStore(t *testing.T) (raw []byte, pageSize, hwm int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	s := mustOpen(t, path, Options{})
	ctx := context.Background()
	for i := range 120 {
		if err := s.Requests().Create(ctx, testRequest(t, fmt.Sprintf("user%d", i%7))); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 40 {
		id, _ := breakglass.NewID()
		e, err := breakglass.New(breakglass.NewParams{
			ID: id, Invoker: fmt.Sprintf("user%d", i%7), Profile: fmt.Sprintf("prof%d", i),
			ReasonCode: breakglass.ReasonIncident, Justification: "the payment API is down again",
			Duration: time.Hour, Now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Breakglass().Open(ctx, e, breakglass.Limits{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	pageSize = db.Info().PageSize
	err = db.View(func(tx *bolt.Tx) error { hwm = int(tx.Size()); return nil })
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	raw, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw, pageSize, hwm
}

// exercise opens the store at path and reads and writes through it. Every
// error must be ErrCorrupt (the damage was found) or one a healthy store
// gives (the damage was elsewhere); any panic or fault escaping would kill
// the test binary. It returns the first error.
func exercise(t *testing.T, path string) (first error) {
	t.Helper()
	note := func(what string, err error) {
		if err == nil || errors.Is(err, request.ErrNotFound) || errors.Is(err, breakglass.ErrNotFound) ||
			errors.Is(err, breakglass.ErrActiveExists) {
			return
		}
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, want nil or ErrCorrupt", what, err)
		}
		if first == nil {
			first = err
		}
	}
	for _, opts := range []Options{{}, {PerOperation: true}} {
		s, err := Open(path, opts)
		note("Open", err)
		if err != nil {
			continue
		}
		ctx := context.Background()
		_, err = s.Requests().List(ctx, request.Query{Status: request.StatusPending}.Record(time.Now()))
		note("List requests", err)
		_, err = s.Breakglass().List(ctx, breakglass.Query{Invoker: "user3"}.Record(time.Now()))
		note("List events", err)
		_, err = s.Requests().Get(ctx, "0123456789abcdef")
		note("Get", err)
		note("Create", s.Requests().Create(ctx, testRequest(t, "user9")))
		note("Close", s.Close())
	}
	return first
}

// TestTruncatedStore cuts the file at every page boundary and at odd
// offsets: every cut below the high-water mark is refused at Open with
// ErrCorrupt, and none crashes.
func TestTruncatedStore(t *testing.T) {
	raw, pageSize, hwm := corpusStore(t)
	var cuts []int
	for off := 0; off < len(raw); off += pageSize {
		cuts = append(cuts, off)
	}
	for _, odd := range []int{1, 15, 16, 79, 80, 81, 1023, 1025, pageSize + 7, pageSize*2 - 1, pageSize*3 + 333, hwm - 1, hwm + 1, len(raw) - 1} {
		if odd > 0 && odd < len(raw) {
			cuts = append(cuts, odd)
		}
	}
	dir := t.TempDir()
	for _, cut := range cuts {
		path := filepath.Join(dir, fmt.Sprintf("cut-%d.db", cut))
		writeFile(t, path, raw[:cut])
		err := exercise(t, path)
		switch {
		case cut == 0:
			if err != nil {
				t.Errorf("an empty file is a new store, got %v", err)
			}
		case cut < hwm || cut%pageSize != 0:
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("cut at %d (high-water mark %d): got %v, want ErrCorrupt", cut, hwm, err)
			}
		}
	}
	if len(cuts) < 10 {
		t.Fatalf("only %d cuts: the corpus is too small to mean anything", len(cuts))
	}
}

// TestCorruptedStore overwrites random bytes (seeded, so failures repeat) and
// checks that whatever happens is an error, never a crash.
func TestCorruptedStore(t *testing.T) {
	raw, _, _ := corpusStore(t)
	rng := rand.New(rand.NewPCG(7, 42))
	dir := t.TempDir()
	rounds := 300
	if testing.Short() {
		rounds = 50
	}
	for i := range rounds {
		bad := append([]byte(nil), raw...)
		for range 1 + rng.IntN(8) {
			bad[rng.IntN(len(bad))] = byte(rng.Uint32())
		}
		path := filepath.Join(dir, fmt.Sprintf("bad-%d.db", i))
		writeFile(t, path, bad)
		exercise(t, path)
	}
}

// TestDamagedMetaPages breaks the checksum of one and then both meta pages:
// one good copy is enough for bbolt, none is ErrCorrupt.
func TestDamagedMetaPages(t *testing.T) {
	raw, pageSize, _ := corpusStore(t)
	dir := t.TempDir()
	one := append([]byte(nil), raw...)
	one[boltPageHeader+20] ^= 0xff // meta 0's root
	path := filepath.Join(dir, "one.db")
	writeFile(t, path, one)
	if err := exercise(t, path); err != nil {
		t.Errorf("one good meta page: %v", err)
	}
	both := append([]byte(nil), one...)
	both[pageSize+boltPageHeader+20] ^= 0xff
	path = filepath.Join(dir, "both.db")
	writeFile(t, path, both)
	if err := exercise(t, path); !errors.Is(err, ErrCorrupt) {
		t.Errorf("no good meta page: got %v, want ErrCorrupt", err)
	}
}
