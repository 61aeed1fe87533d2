package local

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/internal/safefile"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
)

// DefaultLockTimeout is how long Open (and, with PerOperation, each
// operation) waits for another process to release the file.
const DefaultLockTimeout = 5 * time.Second

// schemaVersion is the layout this code reads and writes, kept in the meta
// bucket so a future layout change can be recognised instead of misread.
const schemaVersion = "1"

// Errors that callers may want to tell apart with errors.Is.
var (
	// ErrBusy means another process held the file for longer than the lock
	// timeout.
	ErrBusy = errors.New("local store is busy")
	// ErrCorrupt means the file is not a readable sentinel store.
	ErrCorrupt = errors.New("local store is corrupt")
	// ErrClosed means the Store was used after Close.
	ErrClosed = errors.New("local store is closed")
)

// Options tunes Open. The zero value is ready to use.
type Options struct {
	// LockTimeout is how long to wait for another sentinel process to
	// release the file; 0 means DefaultLockTimeout.
	LockTimeout time.Duration
	// PerOperation opens and locks the file only for the length of each
	// operation instead of from Open to Close, so that a long-running
	// process does not lock every other sentinel command out. Reads then
	// take a shared lock, so they can run side by side.
	PerOperation bool
	// Retention is how long a request, break-glass event or session is
	// kept after its business life ends; 0 means DefaultRetention. Open
	// drops older ones once a day, as DynamoDB's time to live does.
	Retention time.Duration
	// Now is the clock of the purge; nil means time.Now.
	Now func() time.Time
}

// Store is a bbolt-backed store of requests and break-glass events. It is
// safe for concurrent use; Close it when done to release the file.
type Store struct {
	path string
	opts Options

	mu     sync.Mutex
	db     *bolt.DB // nil with PerOperation
	closed bool
	// group shares write transactions among concurrent writers (batch).
	group groupCommit
}

// Open opens (creating if needed) the store file at path. The directory is
// created with mode 0700 and the file with 0600. It returns an error wrapping
// ErrBusy if another process holds the file past opts.LockTimeout, and one
// wrapping ErrCorrupt if the file is not a sentinel store.
func Open(path string, opts Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("open local store: no path given")
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if err := checkFiles(path); err != nil {
		return nil, err
	}
	s := &Store{path: path, opts: opts}
	db, err := s.openDB(true)
	if err != nil {
		return nil, err
	}
	if err := s.guard(func() error { return prepare(db) }); err != nil {
		db.Close()
		return nil, fmt.Errorf("open local store %s: %w", path, err)
	}
	if err := s.guard(func() error { return s.purgeIfDue(db) }); err != nil {
		db.Close()
		return nil, fmt.Errorf("open local store %s: purge: %w", path, err)
	}
	if opts.PerOperation {
		if err := db.Close(); err != nil {
			return nil, fmt.Errorf("close local store %s: %w", path, err)
		}
		return s, nil
	}
	s.db = db
	return s, nil
}

// checkFiles creates the store's directory (0700) if needed and refuses a
// directory or file that someone else may have written, before bbolt maps
// the file: a symbolic link, another user's file, or one that group or
// others can write (a *safefile.Error). Approvals in such a file are not
// evidence of anything. A missing file is fine: bbolt creates it 0600.
func checkFiles(path string) error {
	if err := safefile.MkdirAll(filepath.Dir(path)); err != nil {
		return fmt.Errorf("open local store: directory: %w", err)
	}
	if err := safefile.Check(path); err != nil {
		return fmt.Errorf("open local store: %w", err)
	}
	return nil
}

// Close releases the file. Operations after Close return ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.db == nil {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close local store %s: %w", s.path, err)
	}
	return nil
}

// Path returns the file the store was opened on.
func (s *Store) Path() string { return s.path }

// prepare makes sure the file has every bucket and the schema this code
// reads. It looks first in a read transaction, so that opening an existing
// store writes (and syncs) nothing.
func prepare(db *bolt.DB) error {
	ready := false
	err := db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil || meta.Get([]byte("schema")) == nil {
			return nil
		}
		if err := checkSchema(meta.Get([]byte("schema"))); err != nil {
			return err
		}
		ready = true
		for _, name := range allBuckets {
			if tx.Bucket(name) == nil {
				ready = false
			}
		}
		return nil
	})
	if err != nil || ready {
		return err
	}
	return db.Update(initialize)
}

// checkSchema refuses a file written in another layout.
func checkSchema(v []byte) error {
	if string(v) != schemaVersion {
		return fmt.Errorf("%w: schema version %q, this sentinel reads %q", ErrCorrupt, v, schemaVersion)
	}
	return nil
}

// initialize creates any missing bucket and records the schema version.
func initialize(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket(bucketMeta)
	if v := meta.Get([]byte("schema")); v != nil {
		return checkSchema(v)
	}
	return meta.Put([]byte("schema"), []byte(schemaVersion))
}

// openDB opens the bbolt file, read-write or read-only (a shared lock), and
// turns bbolt's lock timeout and format errors into ones a user can act on.
func (s *Store) openDB(write bool) (*bolt.DB, error) {
	if err := checkFile(s.path); err != nil {
		return nil, fmt.Errorf("open local store %s: %w", s.path, err)
	}
	var db *bolt.DB
	err := s.guard(func() error {
		var err error
		// safefile.Open checks every open, so a file swapped for a link
		// after Open (PerOperation reopens it) is refused too.
		db, err = bolt.Open(s.path, 0o600, &bolt.Options{Timeout: s.opts.LockTimeout, ReadOnly: !write, OpenFile: safefile.Open})
		return err
	})
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, &busyError{path: s.path}
	case errors.Is(err, ErrCorrupt):
		// A panic that guard turned into an error.
		return nil, fmt.Errorf("open local store %s: %w", s.path, err)
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch),
		errors.Is(err, bolterrors.ErrChecksum):
		return nil, fmt.Errorf("open local store %s: %w: not a sentinel state file, or damaged (%v)", s.path, ErrCorrupt, err)
	default:
		return nil, fmt.Errorf("open local store %s: %w", s.path, err)
	}
}

// batch runs fn in a write transaction that concurrent callers may share
// (groupCommit): each fn still runs whole, in order, inside the
// transaction, so no count is lost and no check is skipped, and returns
// only once that transaction is on disk; if one of them fails, the others
// run again in a fresh transaction. fn must therefore change nothing
// outside the transaction. Opened per operation, there is no one to share
// with, and it is an ordinary write.
func (s *Store) batch(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	s.mu.Lock()
	closed, db := s.closed, s.db
	s.mu.Unlock()
	if closed || db == nil {
		return s.run(ctx, true, fn)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.group.do(fn, func(all func(*bolt.Tx) error) error {
		return s.guard(func() error { return db.Update(all) })
	})
	if errors.Is(err, ErrCorrupt) {
		return fmt.Errorf("%s: %w", s.path, err)
	}
	return err
}

// run runs fn in a read-only or read-write transaction, opening the file
// for just this call when the store was opened with PerOperation.
func (s *Store) run(ctx context.Context, write bool, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	closed, db := s.closed, s.db
	s.mu.Unlock()
	if closed {
		return fmt.Errorf("%w: %s", ErrClosed, s.path)
	}
	if db == nil {
		var err error
		if db, err = s.openDB(write); err != nil {
			return err
		}
		defer db.Close()
	}
	err := s.guard(func() error {
		if write {
			return db.Update(fn)
		}
		return db.View(fn)
	})
	if errors.Is(err, ErrCorrupt) {
		return fmt.Errorf("%s: %w", s.path, err)
	}
	return err
}

// guard runs fn and turns a panic into an error. bbolt panics when it meets
// certain kinds of damaged pages; a damaged file is bad input, and bad input
// must give an error, not a crash. bbolt rolls its transaction back on the
// way out, so the file is left as it was.
//
// A read past the end of the memory map (a file truncated after checkFile
// looked at it) is a fault, not a panic; SetPanicOnFault turns it into a
// panic on this goroutine so that it too is recovered.
func (s *Store) guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", ErrCorrupt, p)
		}
	}()
	return fn()
}

// busyError reports a lock timeout in the words a user needs.
type busyError struct{ path string }

func (e *busyError) Error() string {
	return fmt.Sprintf("local store %s is busy (another sentinel holds it); try again", e.path)
}

// Is makes errors.Is(err, ErrBusy) true.
func (e *busyError) Is(target error) bool { return target == ErrBusy }

// Requests returns the store's view as a request.Store.
func (s *Store) Requests() request.Store { return &requestStore{Generic: newStore(s, requests), s: s} }

// Breakglass returns the store's view as a breakglass.Store.
func (s *Store) Breakglass() breakglass.Store {
	return &breakglassStore{Reader: newStore(s, events), s: s}
}

// Sessions returns the store's view as a session.Store.
func (s *Store) Sessions() session.Store { return &sessionStore{Generic: newStore(s, sessions), s: s} }
