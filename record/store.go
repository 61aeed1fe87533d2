package record

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Backend is what a storage engine implements, once, for every kind: the
// four primitive operations the generic Store is built on. Every method
// must be safe for concurrent use by many goroutines and processes.
type Backend[T any] interface {
	// Insert stores a new record, or returns an ErrConflict error if its ID
	// is taken.
	Insert(ctx context.Context, r *T) error
	// Load returns the record with the given ID, or an ErrNotFound error.
	Load(ctx context.Context, id string) (*T, error)
	// Replace stores r in place of old (the copy read by Load) only if the
	// stored record still has old's version, in one conditional write. A
	// lost race returns an ErrConflict error and changes nothing; a record
	// that is gone returns an ErrNotFound error.
	Replace(ctx context.Context, old, r *T) error
	// Scan returns the records whose value for ix is value (folded when
	// ix.Fold), newest first, at most limit of them (0: all).
	Scan(ctx context.Context, ix Index[T], value string, limit int) ([]*T, error)
}

// Match is one condition of a Query: the record's value for the named
// index equals Value (ignoring case on a folded index).
type Match struct {
	Index string
	Value string
}

// Query selects records for Store.List. At least one Where or a Status
// must be given, so that every listing is served by an index.
type Query[S ~string] struct {
	// Where lists conditions that must all hold; the first one picks the
	// index that serves the listing.
	Where []Match
	// Status keeps the records whose effective status at At is Status;
	// the zero value keeps every status.
	Status S
	// At is the present for effective statuses.
	At time.Time
	// Limit caps the number returned after filtering; 0 means no cap.
	Limit int
}

// ChangeAttempts is how many times Change reads and writes before it
// gives up on a record that keeps changing under it.
const ChangeAttempts = 16

// StatusIndex is the name of the index every kind is listed by status
// under.
const StatusIndex = "status"

// Store is what every kind's store offers; each kind's own Store interface
// embeds it and adds the operations that are truly its own.
type Store[T any, S ~string] interface {
	// Create stores a new record (checked with the kind's Validate), or
	// returns an ErrConflict error if its ID is taken.
	Create(ctx context.Context, r *T) error
	Reader[T, S]
}

// Reader is Store without Create, for a kind whose records come into
// being only through an operation of its own (a break-glass event is
// opened, with its lock and limits checked in the same write).
type Reader[T any, S ~string] interface {
	// Get returns the record with the given ID, or an ErrNotFound error.
	Get(ctx context.Context, id string) (*T, error)
	// Change applies change to a fresh copy of the record and stores it
	// with a conditional write, retrying a lost race (see Generic.Change).
	Change(ctx context.Context, id string, change func(*T) error) (*T, error)
	// List returns the records that match q, newest first.
	List(ctx context.Context, q Query[S]) ([]*T, error)
}

// Generic is the one implementation of Store: one kind over one backend,
// with the kind's declaration applied in one place.
type Generic[T any, S ~string] struct {
	Kind    *Kind[T, S]
	Backend Backend[T]
}

// NewStore returns the generic store of kind k over backend b.
func NewStore[T any, S ~string](k *Kind[T, S], b Backend[T]) *Generic[T, S] {
	return &Generic[T, S]{Kind: k, Backend: b}
}

// Create validates r and stores a copy of it, or returns an ErrConflict
// error if its ID is taken.
func (s *Generic[T, S]) Create(ctx context.Context, r *T) error {
	return s.Kind.Errors.Wrap(s.create(ctx, r))
}

func (s *Generic[T, S]) create(ctx context.Context, r *T) error {
	if r == nil {
		return Invalidf("no %s given", s.Kind.Name)
	}
	if err := s.Kind.Validate(r); err != nil {
		return err
	}
	if !s.Kind.Machine.Known(s.Kind.Status(r)) {
		return Invalidf("%s %s has unknown status %q", s.Kind.Name, s.Kind.ID(r), s.Kind.Status(r))
	}
	return s.Backend.Insert(ctx, s.Kind.Normalize(r))
}

// Get returns the record with the given ID, checked with the kind's
// Validate: a damaged record is an error, never acted on.
func (s *Generic[T, S]) Get(ctx context.Context, id string) (*T, error) {
	v, err := s.get(ctx, id)
	return v, s.Kind.Errors.Wrap(err)
}

func (s *Generic[T, S]) get(ctx context.Context, id string) (*T, error) {
	if id == "" {
		return nil, &NotFoundError{Kind: s.Kind.Name}
	}
	r, err := s.Backend.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.Kind.Validate(r); err != nil {
		return nil, fmt.Errorf("stored %s %s: %w", s.Kind.Name, id, err)
	}
	return r, nil
}

// Change reads the record, lets change edit a copy, checks the status
// move against the kind's machine, validates, and writes the result if
// nobody changed the record meanwhile; a lost race starts again on a
// fresh copy, up to ChangeAttempts times. change may therefore run more
// than once and must not act outside the record. An error from change
// ends Change with that error and writes nothing. Change returns the
// record as stored.
func (s *Generic[T, S]) Change(ctx context.Context, id string, change func(*T) error) (*T, error) {
	v, err := s.change(ctx, id, change)
	return v, s.Kind.Errors.Wrap(err)
}

func (s *Generic[T, S]) change(ctx context.Context, id string, change func(*T) error) (*T, error) {
	k := s.Kind
	for attempt := 1; ; attempt++ {
		old, err := s.get(ctx, id)
		if err != nil {
			return nil, err
		}
		next := k.Normalize(old)
		if err := change(next); err != nil {
			return nil, err
		}
		if k.ID(next) != id {
			return nil, Invalidf("a change may not alter the ID of %s %s", k.Name, id)
		}
		if err := k.Machine.Check(k.Name, id, k.Status(old), k.Status(next)); err != nil {
			return nil, err
		}
		if err := k.Validate(next); err != nil {
			return nil, err
		}
		next = k.Normalize(next)
		*k.Version(next) = *k.Version(old) + 1
		err = s.Backend.Replace(ctx, old, next)
		if err == nil {
			return next, nil
		}
		if !errors.Is(err, ErrConflict) || attempt == ChangeAttempts {
			return nil, err
		}
		if err := pause(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// pause waits a short random time before the next attempt of a change, so
// that writers who keep colliding spread out.
func pause(ctx context.Context, attempt int) error {
	// Jitter from crypto/rand, as all randomness here; it cannot fail.
	var b [8]byte
	_, _ = rand.Read(b[:])
	d := time.Duration(binary.LittleEndian.Uint64(b[:]) % uint64(attempt*int(time.Millisecond)))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// List returns the records that match q, newest first. It is served by the
// index of q's first condition, or by the status index when q has none.
// Asking for a status that others lapse to (expired) also reads the
// records stored in those statuses that are due; asking for a status that
// lapses leaves its due records out.
func (s *Generic[T, S]) List(ctx context.Context, q Query[S]) ([]*T, error) {
	v, err := s.list(ctx, q)
	return v, s.Kind.Errors.Wrap(err)
}

func (s *Generic[T, S]) list(ctx context.Context, q Query[S]) ([]*T, error) {
	k := s.Kind
	if q.Limit < 0 {
		return nil, Invalidf("list %ss: negative limit %d", k.Name, q.Limit)
	}
	var zero S
	if q.Status != zero && q.At.IsZero() {
		return nil, Invalidf("list %ss by status: no present time given", k.Name)
	}
	where := make([]Index[T], len(q.Where))
	for i, m := range q.Where {
		ix, ok := k.Index(m.Index)
		if !ok {
			return nil, Invalidf("list %ss: no index %q", k.Name, m.Index)
		}
		where[i] = ix
	}
	type scan struct {
		ix    Index[T]
		value string
	}
	var scans []scan
	switch {
	case len(q.Where) > 0:
		scans = []scan{{where[0], q.Where[0].Value}}
	case q.Status != zero:
		ix, ok := k.Index(StatusIndex)
		if !ok {
			return nil, Invalidf("list %ss: no status index", k.Name)
		}
		scans = []scan{{ix, string(q.Status)}}
		for from, to := range k.Machine.Lapses {
			if to == q.Status && from != q.Status {
				scans = append(scans, scan{ix, string(from)})
			}
		}
	default:
		return nil, Invalidf("list %ss: give at least one key or a status", k.Name)
	}
	keep := func(r *T) bool {
		for i, m := range q.Where {
			if !sameKey(where[i], where[i].Key(r), m.Value) {
				return false
			}
		}
		return q.Status == zero || k.Effective(r, q.At) == q.Status
	}
	// Only a listing that filters nothing in code may let the backend stop
	// at the limit.
	scanLimit := 0
	if len(scans) == 1 && len(q.Where) <= 1 && (q.Status == zero || len(q.Where) == 0 && len(k.Machine.Lapses) == 0) {
		scanLimit = q.Limit
	}
	var out []*T
	for _, sc := range scans {
		got, err := s.Backend.Scan(ctx, sc.ix, sc.value, scanLimit)
		if err != nil {
			return nil, err
		}
		for _, r := range got {
			if err := k.Validate(r); err != nil {
				return nil, fmt.Errorf("stored %s %s: %w", k.Name, k.ID(r), err)
			}
			if keep(r) {
				out = append(out, r)
			}
		}
	}
	if len(scans) > 1 {
		slices.SortStableFunc(out, func(a, b *T) int { return k.Created(b).Compare(k.Created(a)) })
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// sameKey compares an index value with a wanted one, ignoring case on a
// folded index.
func sameKey[T any](ix Index[T], got, want string) bool {
	if ix.Fold {
		return strings.EqualFold(got, want)
	}
	return got == want
}
