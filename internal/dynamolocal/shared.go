package dynamolocal

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// Shared is the one DynamoDB Local of a test binary, started by the first
// test that asks for its Endpoint, so that a run of the other tests costs
// no java process. Its zero value is ready to use.
type Shared struct {
	once sync.Once
	inst *Instance
	err  error
}

// Endpoint starts DynamoDB Local once and returns its loopback URL. Where
// it cannot run it skips tb, unless the environment requires it (see
// Required), in which case tb fails: a missing `npm ci` must not pass
// silently.
func (s *Shared) Endpoint(tb testing.TB) string {
	tb.Helper()
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		s.inst, s.err = Start(ctx)
	})
	switch {
	case errors.Is(s.err, ErrUnavailable) && !Required():
		tb.Skipf("skipping the DynamoDB tests: %v", s.err)
	case s.err != nil:
		tb.Fatalf("start DynamoDB Local: %v", s.err)
	}
	return s.inst.Endpoint()
}

// Stop stops the instance if Endpoint started one; later Endpoint calls
// do not start another.
func (s *Shared) Stop() {
	if s.inst != nil {
		s.inst.Stop()
	}
}
