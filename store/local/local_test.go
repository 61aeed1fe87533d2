package local

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/store/storetest"
)

// openTemp opens a store in a fresh temporary directory and closes it when
// the test ends.
func openTemp(t *testing.T, opts Options) *Store {
	t.Helper()
	if opts.LockTimeout == 0 {
		opts.LockTimeout = raceLockTimeout
	}
	s, err := Open(filepath.Join(t.TempDir(), "sentinel", "state.db"), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// TestContract runs the contract suite against one long-lived handle, the
// way a CLI command uses the store.
func TestContract(t *testing.T) {
	s := openTemp(t, Options{})
	storetest.TestRequestStore(t, func(*testing.T) request.Store { return s.Requests() })
	storetest.TestBreakglassStore(t, func(*testing.T) breakglass.Store { return s.Breakglass() })
}

// TestContractPerOperation runs the suite with the file opened per
// operation, as server mode would.
func TestContractPerOperation(t *testing.T) {
	s := openTemp(t, Options{PerOperation: true})
	storetest.TestRequestStore(t, func(*testing.T) request.Store { return s.Requests() })
	storetest.TestBreakglassStore(t, func(*testing.T) breakglass.Store { return s.Breakglass() })
}

// TestContractManyHandles runs the suite (races included) with every
// operation going through its own *Store: Open, one operation, Close. The
// goroutines of a race then meet only at bbolt's file lock, as separate
// sentinel processes do.
func TestContractManyHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	h := &handles{path: path}
	storetest.TestRequestStore(t, func(*testing.T) request.Store { return newHandleRequests(h) })
	storetest.TestBreakglassStore(t, func(*testing.T) breakglass.Store { return newHandleBreakglass(h) })
}

// raceLockTimeout is how long the contract's racing goroutines wait for
// the file lock. The races test who wins, not how long a loser waits, and
// under a loaded CI machine (make test runs packages side by side under
// -race) dozens of per-operation opens can queue past the default 5 s.
const raceLockTimeout = time.Minute

// handles opens a new *Store on path for every call of with.
type handles struct{ path string }

func (h *handles) with(fn func(s *Store) error) error {
	s, err := Open(h.path, Options{LockTimeout: raceLockTimeout})
	if err != nil {
		return err
	}
	opErr := fn(s)
	if err := s.Close(); err != nil && opErr == nil {
		return err
	}
	return opErr
}

// handleBackend is the local backend with every primitive operation
// going through its own *Store: Open, one operation, Close. A Change is
// then a read and a conditional write by two "processes", as when two
// sentinel commands race.
type handleBackend[T any, S ~string] struct {
	h *handles
	c *collection[T, S]
}

func (b handleBackend[T, S]) Insert(ctx context.Context, r *T) error {
	return b.h.with(func(s *Store) error { return (&backend[T, S]{s: s, c: b.c}).Insert(ctx, r) })
}

func (b handleBackend[T, S]) Load(ctx context.Context, id string) (out *T, err error) {
	err = b.h.with(func(s *Store) error { out, err = (&backend[T, S]{s: s, c: b.c}).Load(ctx, id); return err })
	return out, err
}

func (b handleBackend[T, S]) Replace(ctx context.Context, old, r *T) error {
	return b.h.with(func(s *Store) error { return (&backend[T, S]{s: s, c: b.c}).Replace(ctx, old, r) })
}

func (b handleBackend[T, S]) Scan(ctx context.Context, ix record.Index[T], value string, limit int) (out []*T, err error) {
	err = b.h.with(func(s *Store) error {
		out, err = (&backend[T, S]{s: s, c: b.c}).Scan(ctx, ix, value, limit)
		return err
	})
	return out, err
}

// handleRequests is a request.Store that opens the file per operation.
type handleRequests struct {
	*record.Generic[request.Request, request.Status]
	h *handles
}

func newHandleRequests(h *handles) handleRequests {
	return handleRequests{Generic: record.NewStore(request.Kind, handleBackend[request.Request, request.Status]{h, requests}), h: h}
}

func (r handleRequests) IDsWithPrefix(ctx context.Context, prefix string, limit int) (out []string, err error) {
	err = r.h.with(func(s *Store) error { out, err = s.Requests().IDsWithPrefix(ctx, prefix, limit); return err })
	return out, err
}

// handleBreakglass is a breakglass.Store that opens the file per
// operation.
type handleBreakglass struct {
	record.Reader[breakglass.Event, breakglass.Status]
	h *handles
}

func newHandleBreakglass(h *handles) handleBreakglass {
	return handleBreakglass{Reader: record.NewStore(breakglass.Kind, handleBackend[breakglass.Event, breakglass.Status]{h, events}), h: h}
}

func (b handleBreakglass) Open(ctx context.Context, e *breakglass.Event, lim breakglass.Limits) error {
	return b.h.with(func(s *Store) error { return s.Breakglass().Open(ctx, e, lim) })
}
