package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sentinel-cli/sentinel/internal/safefile"
)

// DefaultLockTimeout is how long Append waits for another process's lock
// before giving up with ErrLocked.
const DefaultLockTimeout = 5 * time.Second

// maxLineSize bounds one line, for Append's backward read of the last line
// and for Verify. Real entries are well under a kilobyte; the bound keeps a
// corrupt file from costing unbounded memory.
const maxLineSize = 4 << 20

// Sentinel errors, checked with errors.Is.
var (
	// ErrLocked means another process held the log's lock for longer than
	// the lock timeout.
	ErrLocked = errors.New("decision log locked by another process")
	// ErrTornTail means the log does not end in a newline: a write was cut
	// short (a crash, a full disk) or the file was edited. Append refuses to
	// chain onto a partial line; a person must look at the file.
	ErrTornTail = errors.New("decision log ends in a partial line")
	// ErrClosed means Append was called after Close.
	ErrClosed = errors.New("decision log is closed")
)

// Logger appends entries to one decision log file. It is safe for
// concurrent use by many goroutines, and many processes may each have
// their own Logger on the same file.
type Logger struct {
	// Now stamps entries whose Time is zero. Open sets it to time.Now;
	// tests replace it before the first Append.
	Now func() time.Time
	// LockTimeout bounds the wait for the file lock. Open sets it to
	// DefaultLockTimeout.
	LockTimeout time.Duration
	// Mirror, when set, receives a copy of every line once it is in the
	// file (the team service's log on stdout, for CloudWatch). A line that
	// cannot be mirrored fails the Append.
	Mirror io.Writer

	path string
	opts Options
	// mu serialises Append within this process: flock does not, because
	// every goroutine shares the one open file description.
	mu sync.Mutex
	f  *os.File
	fd int
	// tailBuf is the first chunk lastLine reads into, kept between
	// appends (under mu) so that an append allocates none; tailBody
	// likewise holds the last line's body.
	tailBuf  []byte
	tailBody []byte
	// ownLine is the last line this Logger wrote (without its "\n"),
	// with the seq and hash tail finds in it. tail compares the file's
	// last line with it byte for byte: when equal, it would parse to
	// exactly these, so the parse is skipped; when another process
	// appended, or anyone changed the line, it is parsed as always.
	ownLine []byte
	ownSeq  int64
	ownHash string
}

// Open opens the log at path for appending, creating its directory (0700)
// and the file (0600) if needed. It reads nothing and starts nothing, so it
// is cheap enough for every credential_process call.
//
// A log someone else may have written is refused with a *safefile.Error
// (see openFile), never appended to.
func Open(path string) (*Logger, error) {
	return OpenWith(path, Options{})
}

// Options are the optional behaviours of a Logger. The zero value is a
// plain hash-chained log that never rotates and never anchors.
type Options struct {
	// Key turns on keyed mode: every entry also carries an HMAC-SHA256
	// under Key (see mac.go). Read it with ReadKeyFile.
	Key []byte
	// MaxBytes rotates the file once it has reached this size: it is
	// renamed with a timestamp and the new file starts with an
	// EventRotated entry that continues the chain. 0 never rotates.
	MaxBytes int64
	// DiscardRotated removes each rotated file once the new file is in
	// place, so that the directory holds at most about MaxBytes. It is
	// for a log whose record is elsewhere (the team service on Lambda
	// mirrors every line to stdout, i.e. CloudWatch Logs, and keeps the
	// file in /tmp only to carry the chain): a flood of entries must not
	// fill /tmp. The new file's rotation entry still names the removed
	// file, so verifying the file alone reports the gap honestly.
	DiscardRotated bool
	// AnchorEvery calls OnAnchor after every entry whose seq is a multiple
	// of it. 0 never does.
	AnchorEvery int64
	// ID names the log in the heads given to OnAnchor; it should stay the
	// same across rotations and differ between machines (cli uses
	// host:path). Empty means the path.
	ID string
	// STSEndpoint, when set, is recorded in the sts_endpoint field of
	// every entry that has none (all but the rotation entries the log
	// writes itself): the STS endpoint the process was pointed at, when it
	// is not AWS's own (vault.NonAWSSTSEndpoint). Decisions and lifecycle
	// changes made against a stand-in then say so.
	STSEndpoint string
	// OnAnchor receives the head to anchor. Append calls it after the
	// entry is written and the file lock released, so a slow receiver
	// delays only this Append; its failure is the callback's to report.
	OnAnchor func(Head)
}

// OpenWith is Open with options: keyed mode, rotation and anchoring.
func OpenWith(path string, opts Options) (*Logger, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	return &Logger{
		Now:         time.Now,
		LockTimeout: DefaultLockTimeout,
		path:        path,
		opts:        opts,
		f:           f,
		fd:          int(f.Fd()),
	}, nil
}

// openFile opens the log file for appending. The directory must be a real
// directory of the user's (or root's) that others cannot write; the file is
// opened without following a symbolic link and must be a regular file owned
// by the user or root that group and others cannot write: a chain that
// someone else could have extended proves nothing.
func openFile(path string) (*os.File, error) {
	if err := safefile.MkdirAll(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("decision log directory: %w", err)
	}
	f, err := safefile.Open(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open decision log: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat decision log %s: %w", path, err)
	}
	// The log names people, accounts and roles: it is nobody else's
	// business. A file of ours created by an older version or by hand
	// readable by others is tightened to 0600 rather than used as it is.
	if fi.Mode().Perm()&^0o600 != 0 {
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return nil, fmt.Errorf("restrict decision log %s to 0600: %w", path, err)
		}
	}
	return f, nil
}

// Path returns the file the Logger appends to.
func (l *Logger) Path() string { return l.path }

// Append writes e as the next line of the chain. It sets e.Time (from Now,
// when zero; always in UTC), e.Seq, e.PrevHash and, once written, e.Hash.
// The line is written with one write while the file lock is held.
func (l *Logger) Append(e *Entry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return ErrClosed
	}

	l.stamp(e)

	heads, err := l.appendLocked([]*Entry{e})
	if err != nil {
		return fmt.Errorf("append to %s: %w", l.path, err)
	}
	l.anchor(heads)
	return nil
}

// AppendAll writes es as the next lines of the chain, in order, with one
// lock and one write: what Append does for each, at the cost of one. It is
// for writing many entries at once (scripts/gen-log builds million-entry
// logs with it). The file is rotated, when full, before the batch, never
// inside it. Each entry is stamped and chained as Append does it.
func (l *Logger) AppendAll(es []*Entry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return ErrClosed
	}
	if len(es) == 0 {
		return nil
	}
	for _, e := range es {
		l.stamp(e)
	}
	heads, err := l.appendLocked(es)
	if err != nil {
		return fmt.Errorf("append to %s: %w", l.path, err)
	}
	l.anchor(heads)
	return nil
}

// stamp fills in what Append sets before chaining: the time (from Now,
// when zero; always UTC), the STS endpoint and UTC expiry.
func (l *Logger) stamp(e *Entry) {
	if e.Time.IsZero() {
		now := l.Now
		if now == nil {
			now = time.Now
		}
		e.Time = now()
	}
	e.Time = e.Time.UTC()
	if e.STSEndpoint == "" {
		e.STSEndpoint = l.opts.STSEndpoint
	}
	if e.ExpiresAt != nil {
		t := e.ExpiresAt.UTC()
		e.ExpiresAt = &t
	}
}

// anchor calls OnAnchor for each written head whose seq is a multiple of
// AnchorEvery.
func (l *Logger) anchor(heads []Head) {
	if l.opts.OnAnchor == nil || l.opts.AnchorEvery <= 0 {
		return
	}
	for _, h := range heads {
		if h.Seq%l.opts.AnchorEvery == 0 {
			l.opts.OnAnchor(h)
		}
	}
}

// appendLocked takes the file lock, makes sure it holds the file now at
// the path (another process may have rotated it), rotates if the file is
// full, and writes es. It returns the new heads, one per entry.
//
// The whole wait, however often other processes rotate the file in
// between, is bounded by LockTimeout.
func (l *Logger) appendLocked(es []*Entry) ([]Head, error) {
	deadline := time.Now().Add(l.LockTimeout)
	for {
		wait := time.Until(deadline)
		if wait <= 0 {
			return nil, ErrLocked
		}
		if err := lockFile(l.fd, wait); err != nil {
			return nil, err
		}
		current, err := l.isCurrent()
		if err != nil {
			unlockFile(l.fd)
			return nil, err
		}
		if !current {
			// Another process renamed our file away (rotation) or it was
			// removed: open whatever is at the path now and lock that.
			unlockFile(l.fd)
			if err := l.reopen(); err != nil {
				return nil, err
			}
			continue
		}
		fi, err := l.f.Stat()
		if err != nil {
			unlockFile(l.fd)
			return nil, fmt.Errorf("stat: %w", err)
		}
		size := fi.Size()
		seq, prev, err := l.tail(size)
		if err != nil {
			unlockFile(l.fd)
			return nil, err
		}
		if l.opts.MaxBytes > 0 && size >= l.opts.MaxBytes {
			err := l.rotate(Head{Seq: seq, Hash: prev})
			// The lock was on the old file, which is no longer at the
			// path; the next round locks the new one.
			unlockFile(l.fd)
			if err != nil {
				return nil, err
			}
			if err := l.reopen(); err != nil {
				return nil, err
			}
			continue
		}
		h, err := l.write(es, seq, prev, size)
		// The unlock error is not worth failing an append that was
		// written: closing the descriptor releases the lock in any case.
		unlockFile(l.fd)
		return h, err
	}
}

// write marshals es as entries seq+1, seq+2, ... after prev, seals each
// (with a mac in keyed mode) and writes them all with one write. The
// caller holds the lock. It returns the heads of the entries written.
func (l *Logger) write(es []*Entry, seq int64, prev string, size int64) ([]Head, error) {
	var buf, last []byte // all lines; the last one
	hashes := make([]string, len(es))
	for i, e := range es {
		e.Seq = seq + 1 + int64(i)
		e.PrevHash = prev
		e.Hash = ""
		body, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode entry: %w", err)
		}
		line, h := l.sealBody(body)
		last = line
		if len(es) == 1 {
			buf = line
		} else {
			buf = append(buf, line...)
		}
		hashes[i], prev = h, h
	}
	if _, err := l.f.Write(buf); err != nil {
		// Cut off whatever part of the lines reached the file, so that the
		// next Append does not find a torn tail.
		if terr := l.f.Truncate(size); terr != nil {
			return nil, fmt.Errorf("%w (and removing the partial line failed: %v)", err, terr)
		}
		return nil, err
	}
	if len(es) > 0 {
		l.ownLine = append(l.ownLine[:0], last[:len(last)-1]...)
		l.ownSeq, l.ownHash = es[len(es)-1].Seq, hashes[len(es)-1]
	}
	heads := make([]Head, len(es))
	for i, e := range es {
		e.Hash = hashes[i]
		heads[i] = Head{Log: l.id(), File: filepath.Base(l.path), Seq: e.Seq, Hash: e.Hash, Time: e.Time}
	}
	if l.Mirror != nil {
		if _, err := l.Mirror.Write(buf); err != nil {
			return nil, fmt.Errorf("append to %s: written, but not mirrored: %w", l.path, err)
		}
	}
	return heads, nil
}

// sealBody adds the mac in keyed mode and seals the body into a line.
func (l *Logger) sealBody(body []byte) ([]byte, string) {
	if l.opts.Key != nil {
		body = addMAC(l.opts.Key, body)
	}
	return seal(body)
}

// id is the name of the log in heads.
func (l *Logger) id() string {
	if l.opts.ID != "" {
		return l.opts.ID
	}
	return l.path
}

// isCurrent reports whether the open file is still the one at the path.
func (l *Logger) isCurrent() (bool, error) {
	mine, err := l.f.Stat()
	if err != nil {
		return false, fmt.Errorf("stat: %w", err)
	}
	there, err := os.Lstat(l.path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(mine, there), nil
}

// reopen closes the file and opens the one now at the path.
func (l *Logger) reopen() error {
	f, err := openFile(l.path)
	if err != nil {
		return err
	}
	_ = l.f.Close()
	l.f = f
	l.fd = int(f.Fd())
	return nil
}

// tail returns the seq and hash of the last line of a file of the given
// size (0 and ZeroHash for an empty file). The caller holds the lock.
func (l *Logger) tail(size int64) (int64, string, error) {
	if size == 0 {
		return 0, ZeroHash, nil
	}
	line, err := lastLine(l.f, size, &l.tailBuf)
	if err != nil {
		return 0, "", err
	}
	if l.ownLine != nil && bytes.Equal(line, l.ownLine) {
		return l.ownSeq, l.ownHash, nil
	}
	body, h, err := unsealInto(l.tailBody[:0], line)
	if err != nil {
		return 0, "", fmt.Errorf("last line %w; run sentinel log verify", err)
	}
	l.tailBody = body
	seq, _, err := parseLink(body)
	if err != nil {
		return 0, "", fmt.Errorf("last line: %w; run sentinel log verify", err)
	}
	return seq, h, nil
}

// lastLine reads the final line of the file (without its "\n") by reading
// backwards from the end in growing chunks, so that the cost does not
// depend on the size of the log. The first chunk is read into *scratch,
// which is kept for the next call; the line returned may be in it.
func lastLine(f *os.File, size int64, scratch *[]byte) ([]byte, error) {
	var buf []byte // the tail of the file read so far
	off := size
	chunk := int64(4096)
	for {
		n := min(chunk, off)
		off -= n
		var next []byte
		if buf == nil {
			if int64(cap(*scratch)) < chunk {
				*scratch = make([]byte, chunk)
			}
			next = (*scratch)[:n]
		} else {
			next = make([]byte, n, n+int64(len(buf)))
		}
		if _, err := f.ReadAt(next, off); err != nil {
			return nil, fmt.Errorf("read last line: %w", err)
		}
		searched := len(next) // bytes of buf not yet searched for "\n"
		buf = append(next, buf...)
		if buf[len(buf)-1] != '\n' {
			return nil, fmt.Errorf("%w; run sentinel log verify", ErrTornTail)
		}
		end := len(buf) - 1
		if i := bytes.LastIndexByte(buf[:min(searched, end)], '\n'); i >= 0 {
			return buf[i+1 : end], nil
		}
		if off == 0 {
			return buf[:end], nil
		}
		if len(buf) > maxLineSize {
			return nil, fmt.Errorf("last line is longer than %d bytes", maxLineSize)
		}
		chunk *= 2
	}
}

// Close closes the file. Append after Close returns ErrClosed.
func (l *Logger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	if err != nil {
		return fmt.Errorf("close decision log %s: %w", l.path, err)
	}
	return nil
}
