package local

import (
	"sync"

	bolt "go.etcd.io/bbolt"
)

// groupCommit shares one write transaction, and so one fsync, among the
// writers that arrive while another transaction is committing. It replaces
// bbolt's db.Batch, which waits MaxBatchDelay for company even when the
// file is idle and runs the batch on a timer goroutine (where a panic on a
// damaged page would not reach guard). Here the first writer commits at
// once; whoever arrives meanwhile queues, and when the commit is done the
// first of them leads the next transaction with all the others.
//
// Each queued function runs whole, in arrival order, inside the shared
// transaction. When one returns an error the transaction is rolled back,
// that caller gets its error, and the rest run again in a fresh
// transaction: a function may therefore run more than once and must read
// everything it checks from tx and change nothing outside it.
type groupCommit struct {
	mu      sync.Mutex
	pending []*groupCall
	leading bool
}

// groupCall is one writer's function and, once its transaction is done,
// its result.
type groupCall struct {
	fn   func(*bolt.Tx) error
	err  error
	wake chan struct{} // closed when done, or when this call is to lead
	lead bool
	done bool
}

// do runs fn in a write transaction shared with concurrent callers, by
// commit (a db.Update wrapped in the store's guard). It returns fn's error,
// or the transaction's.
func (g *groupCommit) do(fn func(*bolt.Tx) error, commit func(func(*bolt.Tx) error) error) error {
	c := &groupCall{fn: fn, wake: make(chan struct{})}
	g.mu.Lock()
	g.pending = append(g.pending, c)
	if g.leading {
		g.mu.Unlock()
		<-c.wake
		if c.done {
			return c.err
		}
		// Handed the lead: c is first in pending.
		g.mu.Lock()
	}
	g.leading = true
	calls := g.pending
	g.pending = nil
	g.mu.Unlock()

	runGroup(calls, commit)

	g.mu.Lock()
	if len(g.pending) > 0 {
		next := g.pending[0]
		next.lead = true
		close(next.wake)
	} else {
		g.leading = false
	}
	g.mu.Unlock()
	return c.err
}

// runGroup commits calls in as few transactions as their errors allow and
// wakes each caller with its result (all but the leader, calls[0], whose
// result the caller reads directly).
func runGroup(calls []*groupCall, commit func(func(*bolt.Tx) error) error) {
	finish := func(c *groupCall, err error) {
		c.err, c.done = err, true
		if !c.lead {
			close(c.wake)
		}
	}
	for len(calls) > 0 {
		failed := -1
		err := commit(func(tx *bolt.Tx) error {
			failed = -1
			for i, c := range calls {
				if err := c.fn(tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if err != nil && failed >= 0 {
			// Only calls[failed] failed: the others run again without it.
			finish(calls[failed], err)
			calls = append(calls[:failed:failed], calls[failed+1:]...)
			continue
		}
		for _, c := range calls {
			finish(c, err)
		}
		return
	}
}
