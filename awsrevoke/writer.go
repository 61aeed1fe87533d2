package awsrevoke

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/record"
	"github.com/sentinel-cli/sentinel/revocation"
	"github.com/sentinel-cli/sentinel/vault"
)

// Defaults of the zero Writer.
const (
	// DefaultLeaseTTL is how long a role's lease is taken for: far longer
	// than one role's write takes, short enough that a crashed holder's
	// lease is taken over soon.
	DefaultLeaseTTL = 20 * time.Second
	// DefaultLeaseWait is how long a writer waits for another's lease:
	// past DefaultLeaseTTL, so that a crashed holder never blocks it.
	DefaultLeaseWait = 25 * time.Second
	// renderAttempts bounds the render-write-check rounds under one lease.
	renderAttempts = 8
)

// leasePoll is how often a waiting writer tries the lease again.
const leasePoll = 10 * time.Millisecond

// Writer renders and writes the SentinelRevocations policy of roles from
// the revocation list in Store.
type Writer struct {
	Store revocation.Store
	// Client returns the IAM client of an account (Accounts.Client).
	Client ClientFor
	// Holder names this process in the leases (for the
	// debugging of a stuck lease); every Sync adds a random ID of its own to it.
	Holder string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Longest returns a role's longest session (its MaxSessionDuration),
	// kept by a size-limit fallback entry; nil means
	// revocation.MaxCredentialLifetime for every role.
	Longest func(role string) time.Duration
	// LeaseTTL and LeaseWait override the defaults.
	LeaseTTL, LeaseWait time.Duration
}

// Result is what happened to one role.
type Result struct {
	Role string
	// SHA256 is the hex SHA-256 of the document written; empty when the
	// policy was deleted or the write failed.
	SHA256 string
	// Deleted means the role had no entry left and its policy was
	// deleted (or was not there).
	Deleted bool
	// NoRole means IAM has no such role: no credential of it can be used,
	// so there is nothing to deny (a profile of the config may name a role
	// that was never made, or was deleted).
	NoRole bool
	// Fallback means the entries did not fit the role's inline policy
	// budget: the document denies every session of the role issued
	// before IssuedBefore, innocent ones included.
	Fallback     bool
	IssuedBefore time.Time
	// Covered lists the IDs of the entries the written document denies.
	Covered []string
	// Err is why the write failed (an *Error); the store is unchanged
	// by a failure, and the next Sync writes the role again.
	Err error
}

// NewHolder returns a random lease holder ID.
func NewHolder() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "w-" + hex.EncodeToString(b[:]), nil
}

func (w *Writer) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// Failed returns the results that failed.
func Failed(rs []Result) []Result {
	var out []Result
	for _, r := range rs {
		if r.Err != nil {
			out = append(out, r)
		}
	}
	return out
}

// Sync writes the policy of each role, one after the other, and returns
// one result per role in the same order. A role that fails does not stop
// the others.
func (w *Writer) Sync(ctx context.Context, roles []string) []Result {
	// Each Sync holds the leases under an ID of its own, even within one
	// process: two goroutines of one service revoking at once must not
	// both hold a role's lease.
	holder, err := NewHolder()
	if err != nil {
		out := make([]Result, len(roles))
		for i, r := range roles {
			out[i] = Result{Role: r, Err: &Error{Op: "lease", Role: r, Err: err}}
		}
		return out
	}
	if w.Holder != "" {
		holder = w.Holder + "/" + holder
	}
	out := make([]Result, 0, len(roles))
	for _, role := range roles {
		out = append(out, w.syncRole(ctx, role, holder))
	}
	return out
}

// SyncAll prunes the entries due at now and writes the policy of every
// role the stored list names, whatever the entries' status, so that a
// role whose last entry went is cleared too (sessions sync-aws).
func (w *Writer) SyncAll(ctx context.Context) ([]Result, error) {
	var all []*revocation.Entry
	for _, st := range revocation.AllStatuses {
		got, err := w.Store.List(ctx, record.Query[revocation.Status]{Where: []record.Match{{Index: record.StatusIndex, Value: string(st)}}})
		if err != nil {
			return nil, &Error{Op: "store", Err: err}
		}
		all = append(all, got...)
	}
	if err := w.prune(ctx, all); err != nil {
		return nil, err
	}
	return w.Sync(ctx, revocation.Roles(all)), nil
}

// prune marks the due entries pruned.
func (w *Writer) prune(ctx context.Context, entries []*revocation.Entry) error {
	now := w.now()
	for _, e := range revocation.Prune(entries, now) {
		_, err := w.Store.Change(ctx, e.ID, func(x *revocation.Entry) error { return x.Prune(now) })
		if err != nil && !errors.Is(err, record.ErrTransition) {
			return &Error{Op: "store", Err: fmt.Errorf("prune %s: %w", e.ID, err)}
		}
	}
	return nil
}

// syncRole writes one role's policy under its lease.
func (w *Writer) syncRole(ctx context.Context, role, holder string) Result {
	res := Result{Role: role}
	fail := func(op string, err error) Result {
		res.Err = &Error{Op: op, Role: role, Err: err}
		res.SHA256 = ""
		return res
	}
	account, name, err := splitRoleARN(role)
	if err != nil {
		return fail("render", err)
	}
	if err := w.takeLease(ctx, role, holder); err != nil {
		return fail("lease", err)
	}
	defer func() {
		// A lease left behind expires on its own; its release is
		// best-effort and must outlive a cancelled ctx.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = w.Store.ReleaseLease(rctx, role, holder)
	}()
	client, err := w.Client(ctx, account)
	if err != nil {
		return fail("iam client", err)
	}
	for range renderAttempts {
		before, err := w.Store.ListVersion(ctx)
		if err != nil {
			return fail("store", err)
		}
		active, err := w.Store.List(ctx, record.Query[revocation.Status]{Where: []record.Match{{Index: record.StatusIndex, Value: string(revocation.StatusActive)}}})
		if err != nil {
			return fail("store", err)
		}
		budget, err := budgetOf(ctx, client, name)
		if errors.Is(err, vault.ErrNoSuchEntity) {
			return Result{Role: role, NoRole: true}
		}
		if err != nil {
			return fail("list policies", err)
		}
		now := w.now()
		doc, err := revocation.Render(active, role, now, budget)
		if err != nil {
			return fail("render", err)
		}
		if doc.Fallback {
			longest := revocation.MaxCredentialLifetime
			if w.Longest != nil {
				longest = w.Longest(role)
			}
			older, err := revocation.NewOlder(role, doc.IssuedBefore, longest)
			if err != nil {
				return fail("render", err)
			}
			// The store holds the fallback before IAM does, so a later
			// render keeps it.
			if err := w.Store.Create(ctx, older); err != nil {
				return fail("store", err)
			}
			before++
		}
		if doc.Empty {
			if err := client.DeleteRolePolicy(ctx, name, revocation.PolicyName); err != nil && !errors.Is(err, vault.ErrNoSuchEntity) {
				return fail("delete policy", err)
			}
		} else if err := client.PutRolePolicy(ctx, name, revocation.PolicyName, string(doc.JSON)); err != nil {
			return fail("put policy", err)
		}
		res = Result{Role: role, SHA256: doc.SHA256, Deleted: doc.Empty, Covered: doc.Covered,
			Fallback: res.Fallback || doc.Fallback, IssuedBefore: doc.IssuedBefore}
		after, err := w.Store.ListVersion(ctx)
		if err != nil {
			return fail("store", err)
		}
		if after == before {
			return res
		}
	}
	// The list kept changing under the lease: other writers are taking
	// the lease after this one and will render the newer list.
	return res
}

// takeLease takes role's lease, waiting up to LeaseWait for another
// holder's to be released or to expire.
func (w *Writer) takeLease(ctx context.Context, role, holder string) error {
	ttl, wait := w.LeaseTTL, w.LeaseWait
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	if wait <= 0 {
		wait = DefaultLeaseWait
	}
	deadline := time.Now().Add(wait)
	for {
		now := w.now()
		err := w.Store.TakeLease(ctx, role, holder, now, now.Add(ttl))
		if err == nil || !errors.Is(err, revocation.ErrLeaseHeld) || time.Now().After(deadline) {
			return err
		}
		t := time.NewTimer(leasePoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// budgetOf is what the role's other inline policies leave of IAM's
// aggregate limit.
func budgetOf(ctx context.Context, client RolePolicies, roleName string) (int, error) {
	names, err := client.ListRolePolicies(ctx, roleName)
	if err != nil {
		return 0, err
	}
	used := 0
	for _, n := range names {
		if n == revocation.PolicyName {
			continue
		}
		doc, err := client.GetRolePolicy(ctx, roleName, n)
		if err != nil {
			return 0, err
		}
		used += revocation.PolicySize([]byte(doc))
	}
	return revocation.RoleInlineLimit - used, nil
}

// splitRoleARN returns a role ARN's account and role name (IAM's API
// names roles without their path).
func splitRoleARN(role string) (account, name string, err error) {
	if !revocation.ValidRoleARN(role) {
		return "", "", record.Invalidf("%q is not a role ARN", role)
	}
	parts := strings.SplitN(role, ":", 6)
	res := parts[5]
	return parts[4], res[strings.LastIndex(res, "/")+1:], nil
}
