package local

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/store/storetest"
)

// openTemp opens a store in a fresh temporary directory and closes it when
// the test ends.
func openTemp(t *testing.T, opts Options) *Store {
	t.Helper()
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
	storetest.TestRequestStore(t, func(*testing.T) request.Store { return handleRequests{h} })
	storetest.TestBreakglassStore(t, func(*testing.T) breakglass.Store { return handleBreakglass{h} })
}

// handles opens a new *Store on path for every call of with.
type handles struct{ path string }

func (h *handles) with(fn func(s *Store) error) error {
	s, err := Open(h.path, Options{})
	if err != nil {
		return err
	}
	opErr := fn(s)
	if err := s.Close(); err != nil && opErr == nil {
		return err
	}
	return opErr
}

// handleRequests is a request.Store that opens the file per call.
type handleRequests struct{ h *handles }

func (r handleRequests) Create(ctx context.Context, q *request.Request) error {
	return r.h.with(func(s *Store) error { return s.Requests().Create(ctx, q) })
}

func (r handleRequests) Get(ctx context.Context, id string) (out *request.Request, err error) {
	err = r.h.with(func(s *Store) error { out, err = s.Requests().Get(ctx, id); return err })
	return out, err
}

func (r handleRequests) Change(ctx context.Context, id string, fn func(*request.Request) error) (out *request.Request, err error) {
	err = r.h.with(func(s *Store) error { out, err = s.Requests().Change(ctx, id, fn); return err })
	return out, err
}

func (r handleRequests) IDsWithPrefix(ctx context.Context, prefix string, limit int) (out []string, err error) {
	err = r.h.with(func(s *Store) error { out, err = s.Requests().IDsWithPrefix(ctx, prefix, limit); return err })
	return out, err
}

func (r handleRequests) List(ctx context.Context, q record.Query[request.Status]) (out []*request.Request, err error) {
	err = r.h.with(func(s *Store) error { out, err = s.Requests().List(ctx, q); return err })
	return out, err
}

// handleBreakglass is a breakglass.Store that opens the file per call.
type handleBreakglass struct{ h *handles }

func (b handleBreakglass) Open(ctx context.Context, e *breakglass.Event, lim breakglass.Limits) error {
	return b.h.with(func(s *Store) error { return s.Breakglass().Open(ctx, e, lim) })
}

func (b handleBreakglass) Get(ctx context.Context, id string) (out *breakglass.Event, err error) {
	err = b.h.with(func(s *Store) error { out, err = s.Breakglass().Get(ctx, id); return err })
	return out, err
}

func (b handleBreakglass) Change(ctx context.Context, id string, fn func(*breakglass.Event) error) (out *breakglass.Event, err error) {
	err = b.h.with(func(s *Store) error { out, err = s.Breakglass().Change(ctx, id, fn); return err })
	return out, err
}

func (b handleBreakglass) List(ctx context.Context, q record.Query[breakglass.Status]) (out []*breakglass.Event, err error) {
	err = b.h.with(func(s *Store) error { out, err = s.Breakglass().List(ctx, q); return err })
	return out, err
}
