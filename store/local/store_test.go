package local

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/request"
)

// testRequest returns a valid pending request for requester on "prod".
func testRequest(t testing.TB, requester string) *request.Request {
	t.Helper()
	id, err := request.NewID()
	if err != nil {
		t.Fatal(err)
	}
	r, err := request.New(request.NewParams{
		ID: id, Requester: requester, Profile: "prod",
		Justification: "deploy the hotfix for the outage", Duration: time.Hour,
		Now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestOpenPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "sentinel")
	path := filepath.Join(dir, "state.db")
	s := mustOpen(t, path, Options{})
	defer s.Close()
	for _, c := range []struct {
		path string
		want os.FileMode
	}{{dir, 0o700}, {path, 0o600}} {
		info, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != c.want {
			t.Errorf("%s has mode %v, want %v", c.path, got, c.want)
		}
	}
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
}

func TestOpenNoPath(t *testing.T) {
	if _, err := Open("", Options{}); err == nil {
		t.Fatal("Open with no path succeeded")
	}
}

// TestBusy holds the file with one handle and checks that a second one
// gives up after its lock timeout with the error a user can act on.
func TestBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	holder := mustOpen(t, path, Options{})
	defer holder.Close()

	began := time.Now()
	_, err := Open(path, Options{LockTimeout: 150 * time.Millisecond})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("Open while another handle holds the file: got %v, want ErrBusy", err)
	}
	want := "local store " + path + " is busy (another sentinel holds it); try again"
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if waited := time.Since(began); waited > 2*time.Second {
		t.Errorf("Open waited %s with a 150ms lock timeout", waited)
	}

	// A PerOperation store opened earlier meets the same lock per call.
	if err := holder.Close(); err != nil {
		t.Fatal(err)
	}
	perOp := mustOpen(t, path, Options{PerOperation: true, LockTimeout: 150 * time.Millisecond})
	defer perOp.Close()
	holder = mustOpen(t, path, Options{})
	defer holder.Close()
	if _, err := perOp.Requests().Get(context.Background(), "0123456789abcdef"); !errors.Is(err, ErrBusy) {
		t.Fatalf("per-operation Get while the file is held: got %v, want ErrBusy", err)
	}
}

// TestPerOperationReleasesLock checks that a PerOperation store does not
// keep the file locked between operations.
func TestPerOperationReleasesLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	perOp := mustOpen(t, path, Options{PerOperation: true})
	defer perOp.Close()
	r := testRequest(t, "alice")
	if err := perOp.Requests().Create(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	other := mustOpen(t, path, Options{LockTimeout: 150 * time.Millisecond})
	defer other.Close()
	if _, err := other.Requests().Get(context.Background(), r.ID); err != nil {
		t.Fatalf("Get through a second handle: %v", err)
	}
}

func TestCorruptFile(t *testing.T) {
	garbage := []byte(strings.Repeat("this is not a bbolt file. ", 1000))
	tests := []struct {
		name  string
		write func(t *testing.T, path string)
	}{
		{"text", func(t *testing.T, path string) { writeFile(t, path, garbage) }},
		{"short", func(t *testing.T, path string) { writeFile(t, path, []byte("hello")) }},
		{"damaged meta pages", func(t *testing.T, path string) {
			makeStore(t, path)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// Overwrite both meta pages (the first two pages) with garbage.
			copy(raw[16:], garbage[:8192-16])
			writeFile(t, path, raw)
		}},
		{"other schema", func(t *testing.T, path string) {
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = db.Update(func(tx *bolt.Tx) error {
				b, err := tx.CreateBucket(bucketMeta)
				if err != nil {
					return err
				}
				return b.Put([]byte("schema"), []byte("99"))
			})
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			tt.write(t, path)
			s, err := Open(path, Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open of a damaged file succeeded")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("error %q does not wrap ErrCorrupt", err)
			}
		})
	}
}

// TestCorruptValue checks that a damaged JSON value gives an error, not a
// panic or a half-filled request.
func TestCorruptValue(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	makeStore(t, path)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketRequests).Put([]byte("0123456789abcdef"), []byte("{not json")); err != nil {
			return err
		}
		// An index entry naming the damaged value, so List reaches it.
		return tx.Bucket(bucketRequestsByRequester).Put(indexKey("alice", time.Now(), "0123456789abcdef"), nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	s := mustOpen(t, path, Options{})
	defer s.Close()
	_, err = s.Requests().Get(context.Background(), "0123456789abcdef")
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Get of a damaged value: got %v, want ErrCorrupt naming the file", err)
	}
	if _, err := s.Requests().List(context.Background(), request.Query{Requester: "alice"}.Record(time.Now())); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("List through a damaged value: got %v, want ErrCorrupt", err)
	}
}

func TestClosed(t *testing.T) {
	for _, perOp := range []bool{false, true} {
		s := mustOpen(t, filepath.Join(t.TempDir(), "state.db"), Options{PerOperation: perOp})
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if _, err := s.Requests().Get(context.Background(), "0123456789abcdef"); !errors.Is(err, ErrClosed) {
			t.Fatalf("Get after Close (per operation %v): got %v, want ErrClosed", perOp, err)
		}
	}
}

func TestCancelledContext(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "state.db"), Options{})
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Requests().Create(ctx, testRequest(t, "alice")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Create with a cancelled context: got %v, want context.Canceled", err)
	}
}

// TestRefusesUnstorable covers the arguments the store itself refuses.
func TestRefusesUnstorable(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "state.db"), Options{})
	defer s.Close()
	ctx := context.Background()
	noProfile := testRequest(t, "alice")
	noProfile.Profile = ""
	for name, err := range map[string]error{
		"nil request":         s.Requests().Create(ctx, nil),
		"request, no profile": s.Requests().Create(ctx, noProfile),
	} {
		if !errors.Is(err, request.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
	stored := testRequest(t, "alice")
	if err := s.Requests().Create(ctx, stored); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Requests().Change(ctx, stored.ID, func(r *request.Request) error { r.Profile = ""; return nil }); !errors.Is(err, request.ErrInvalid) {
		t.Errorf("change that leaves no profile: got %v, want ErrInvalid", err)
	}
	if _, err := s.Requests().List(ctx, request.Query{Requester: "alice", Limit: -1}.Record(time.Now())); !errors.Is(err, request.ErrInvalid) {
		t.Errorf("negative limit: got %v, want ErrInvalid", err)
	}

	e := &breakglass.Event{ID: "0123456789abcdef", Invoker: "alice", Profile: "prod", Status: breakglass.StatusClosed}
	if err := s.Breakglass().Open(ctx, e, breakglass.Limits{}); !errors.Is(err, breakglass.ErrInvalid) {
		t.Errorf("Open of a closed event: got %v, want ErrInvalid", err)
	}
	if err := s.Breakglass().Open(ctx, nil, breakglass.Limits{}); !errors.Is(err, breakglass.ErrInvalid) {
		t.Errorf("Open of nil: got %v, want ErrInvalid", err)
	}
	e.Status, e.OpenedAt, e.ExpiresAt = breakglass.StatusActive, time.Now(), time.Now().Add(time.Hour)
	if err := s.Breakglass().Open(ctx, e, breakglass.Limits{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Breakglass().Change(ctx, e.ID, func(e *breakglass.Event) error { return e.Close("alice", "done", time.Now()) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Breakglass().Change(ctx, e.ID, func(e *breakglass.Event) error { e.Status = breakglass.StatusActive; return nil }); !errors.Is(err, breakglass.ErrTransition) {
		t.Errorf("change back to active: got %v, want ErrTransition", err)
	}
	if _, err := s.Breakglass().List(ctx, breakglass.Query{Invoker: "alice", Limit: -1}.Record(time.Now())); !errors.Is(err, breakglass.ErrInvalid) {
		t.Errorf("negative limit: got %v, want ErrInvalid", err)
	}
}

// TestNamesThatLookLikeSeparators checks that index and lock keys cannot
// collide whatever the names contain.
func TestNamesThatLookLikeSeparators(t *testing.T) {
	s := mustOpen(t, filepath.Join(t.TempDir(), "state.db"), Options{})
	defer s.Close()
	ctx := context.Background()
	open := func(invoker, profile string) error {
		id, err := breakglass.NewID()
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		return s.Breakglass().Open(ctx, &breakglass.Event{
			ID: id, Invoker: invoker, Profile: profile, Status: breakglass.StatusActive,
			OpenedAt: now, ExpiresAt: now.Add(time.Hour), Duration: time.Hour,
		}, breakglass.Limits{})
	}
	if err := open("a#b", "c"); err != nil {
		t.Fatal(err)
	}
	if err := open("a", "b#c"); err != nil {
		t.Fatalf("lock keys of a#b/c and a/b#c collide: %v", err)
	}
	if err := open("a\x00", "x"); err != nil {
		t.Fatal(err)
	}
	es, err := s.Breakglass().List(ctx, breakglass.Query{Invoker: "a"}.Record(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Profile != "b#c" {
		t.Fatalf("List for invoker a returned %d events, want only a/b#c", len(es))
	}
}

func mustOpen(t *testing.T, path string, opts Options) *Store {
	t.Helper()
	s, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// makeStore creates an empty store file at path.
func makeStore(t *testing.T, path string) {
	t.Helper()
	if err := mustOpen(t, path, Options{}).Close(); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestIndexesFollowUpdates looks inside the file: after updates, every index
// holds exactly one entry per item, and a closed event leaves no lock. Stale
// entries would be invisible through List (it re-checks each item) but would
// pile up and slow every listing.
func TestIndexesFollowUpdates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := mustOpen(t, path, Options{})
	ctx := context.Background()
	r := testRequest(t, "alice")
	if err := s.Requests().Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Requests().Change(ctx, r.ID, func(r *request.Request) error { return r.Approve("bob", "", "", r.CreatedAt.Add(time.Minute)) }); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	e, err := breakglass.New(breakglass.NewParams{
		ID: "0123456789abcdef", Invoker: "alice", Profile: "prod", ReasonCode: breakglass.ReasonRecovery,
		Justification: "restore the deleted bucket policy", Duration: time.Hour, Now: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Breakglass().Open(ctx, e, breakglass.Limits{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Breakglass().Change(ctx, e.ID, func(e *breakglass.Event) error { return e.Close("alice", "restored", now.Add(time.Minute)) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			want := 1
			revocationBucket := strings.HasPrefix(string(name), "revocation") // none written here
			if string(name) == string(bucketLocks) || revocationBucket || slices.ContainsFunc(sessionBuckets, func(b []byte) bool { return string(b) == string(name) }) {
				want = 0
			}
			if string(name) == string(bucketMeta) {
				want = 2 // the schema and the time of the last purge
			}
			if got := tx.Bucket(name).Stats().KeyN; got != want {
				t.Errorf("bucket %s holds %d keys, want %d", name, got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
