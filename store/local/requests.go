package local

import (
	"context"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sentinel-cli/sentinel/request"
)

// requestStore is the request.Store view of a Store.
type requestStore struct{ s *Store }

var (
	requestsByRequester = index[request.Request]{bucketRequestsByRequester, func(r *request.Request) string { return r.Requester }}
	requestsByProfile   = index[request.Request]{bucketRequestsByProfile, func(r *request.Request) string { return r.Profile }}
	requestsByStatus    = index[request.Request]{bucketRequestsByStatus, func(r *request.Request) string { return string(r.Status) }}

	requests = &collection[request.Request]{
		what:     "request",
		items:    bucketRequests,
		indexes:  []index[request.Request]{requestsByRequester, requestsByProfile, requestsByStatus},
		id:       func(r *request.Request) string { return r.ID },
		sortTime: func(r *request.Request) time.Time { return r.CreatedAt },
		notFound: request.ErrNotFound,
	}
)

// Create stores a new request, or returns request.ErrConflict if the ID is
// taken.
func (rs *requestStore) Create(ctx context.Context, r *request.Request) error {
	if err := checkRequest(r); err != nil {
		return err
	}
	item := storedRequest(r)
	err := rs.s.run(ctx, true, func(tx *bolt.Tx) error {
		if requests.exists(tx, r.ID) {
			return fmt.Errorf("%w: request %s already exists", request.ErrConflict, r.ID)
		}
		return requests.put(tx, nil, item)
	})
	if err != nil {
		return fmt.Errorf("create request %s: %w", r.ID, err)
	}
	return nil
}

// Get returns the request with the given ID, or request.ErrNotFound.
func (rs *requestStore) Get(ctx context.Context, id string) (*request.Request, error) {
	var r *request.Request
	err := rs.s.run(ctx, false, func(tx *bolt.Tx) error {
		var err error
		r, err = requests.get(tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get request: %w", err)
	}
	return r, nil
}

// Update stores r if the stored copy still has r.Version and prevStatus,
// and then bumps r.Version. The check and the write are one transaction.
func (rs *requestStore) Update(ctx context.Context, r *request.Request, prevStatus request.Status) error {
	if err := checkRequest(r); err != nil {
		return err
	}
	item := storedRequest(r)
	item.Version = r.Version + 1
	err := rs.s.run(ctx, true, func(tx *bolt.Tx) error {
		old, err := requests.get(tx, r.ID)
		if err != nil {
			return err
		}
		if old.Version != r.Version || old.Status != prevStatus {
			return fmt.Errorf("%w: request %s is now %s at version %d (expected %s at version %d)",
				request.ErrConflict, r.ID, old.Status, old.Version, prevStatus, r.Version)
		}
		return requests.put(tx, old, item)
	})
	if err != nil {
		return fmt.Errorf("update request %s: %w", r.ID, err)
	}
	r.Version = item.Version
	return nil
}

// List returns the requests matching q, newest first, served by the index of
// the most selective key that is set.
func (rs *requestStore) List(ctx context.Context, q request.Query) ([]*request.Request, error) {
	if q.Limit < 0 {
		return nil, fmt.Errorf("list requests: %w: negative limit %d", request.ErrInvalid, q.Limit)
	}
	var (
		ix    index[request.Request]
		value string
	)
	switch {
	case q.Requester != "":
		ix, value = requestsByRequester, q.Requester
	case q.Profile != "":
		ix, value = requestsByProfile, q.Profile
	case q.Status != "":
		ix, value = requestsByStatus, string(q.Status)
	default:
		return nil, fmt.Errorf("list requests: %w: give a requester, a profile or a status", request.ErrInvalid)
	}
	keep := func(r *request.Request) bool {
		return (q.Requester == "" || r.Requester == q.Requester) &&
			(q.Profile == "" || r.Profile == q.Profile) &&
			(q.Status == "" || r.Status == q.Status)
	}
	var out []*request.Request
	err := rs.s.run(ctx, false, func(tx *bolt.Tx) error {
		var err error
		out, err = requests.list(tx, ix, value, keep, q.Limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	return out, nil
}

// checkRequest refuses a request the store cannot key.
func checkRequest(r *request.Request) error {
	switch {
	case r == nil:
		return fmt.Errorf("%w: nil request", request.ErrInvalid)
	case r.ID == "" || r.Requester == "" || r.Profile == "" || r.Status == "":
		return fmt.Errorf("%w: request needs an id, a requester, a profile and a status to be stored", request.ErrInvalid)
	}
	return nil
}

// storedRequest returns the copy of r to write: times in UTC, and no slice
// shared with the caller.
func storedRequest(r *request.Request) *request.Request {
	c := *r
	c.CreatedAt = c.CreatedAt.UTC()
	c.UpdatedAt = c.UpdatedAt.UTC()
	c.DecidedAt = c.DecidedAt.UTC()
	c.ExpiresAt = c.ExpiresAt.UTC()
	c.Reviews = slices.Clone(r.Reviews)
	for i := range c.Reviews {
		c.Reviews[i].At = c.Reviews[i].At.UTC()
	}
	return &c
}
