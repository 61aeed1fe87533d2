package logging

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/sentinel-cli/sentinel/internal/safefile"
)

// ErrChainBroken is matched (with errors.Is) by every *ChainError and
// every *ExpectError: the log is not what it claims to be.
var ErrChainBroken = errors.New("decision log chain broken")

// maxChainFiles bounds how many rotated files VerifyLog follows back.
const maxChainFiles = 100000

// Head is the end of a chain at one moment: what `log verify` prints, what
// --head takes and what an anchor keeps.
type Head struct {
	// Log names the log (stable across rotations): see Options.ID.
	Log string `json:"log"`
	// File is the base name of the file the entry was written to.
	File string `json:"file,omitempty"`
	// Seq is the entry's seq; 0 in an expectation means "any".
	Seq int64 `json:"seq"`
	// Hash is the entry's hash.
	Hash string `json:"hash"`
	// Time is when the entry was written.
	Time time.Time `json:"time"`
}

// Report is the result of a verification.
type Report struct {
	// Entries is the number of lines that verified, in order from the
	// first; on failure, the lines before the broken one.
	Entries int
	// Files are the files read, oldest first (VerifyLog only).
	Files []string
	// FirstSeq is the seq of the first entry (1 unless the first file
	// read continues a rotated one that was not followed).
	FirstSeq int64
	// LastSeq is the seq of the last good entry (0 if none).
	LastSeq int64
	// LastHash is the hash of the last good entry (ZeroHash if none): the
	// head. Keeping a copy elsewhere detects a rewrite of the whole chain.
	LastHash string
	// Keyed is true when every mac was checked under a key.
	Keyed bool
}

// ChainError says which line first breaks the chain and how.
type ChainError struct {
	// File is the file of the line (VerifyLog only).
	File string
	// Line is the 1-based line number in File.
	Line int
	// Problem says what is wrong, in words.
	Problem string
	// Err is a sentinel error for the kind of problem (ErrRotationGap),
	// or nil.
	Err error
}

func (e *ChainError) Error() string {
	if e.File != "" {
		return fmt.Sprintf("%s: line %d: %s", e.File, e.Line, e.Problem)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Problem)
}

// Is makes errors.Is(err, ErrChainBroken) true for every ChainError.
func (e *ChainError) Is(target error) bool { return target == ErrChainBroken }

// Unwrap returns the kind of problem, if it has one.
func (e *ChainError) Unwrap() error { return e.Err }

// ExpectError means the chain itself is intact but does not hold a head
// that was recorded earlier (by hand with --head, or by an anchor): the
// log was truncated, emptied or rewritten.
type ExpectError struct {
	// Head is the head that was expected.
	Head Head
	// Problem says what is wrong, in words.
	Problem string
}

func (e *ExpectError) Error() string { return e.Problem }

// Is makes errors.Is(err, ErrChainBroken) true for every ExpectError.
func (e *ExpectError) Is(target error) bool { return target == ErrChainBroken }

// VerifyOptions tune VerifyLog.
type VerifyOptions struct {
	// Key checks the mac of every entry (keyed mode). A keyed log verified
	// without the key still has its hash chain checked.
	Key []byte
	// Expect are heads that must be in the chain: with Seq > 0 the entry
	// at that seq must have that hash; with Seq 0 some entry must.
	Expect []Head
	// NoFollow verifies only the file given, not the rotated files it
	// continues.
	NoFollow bool
}

// chain verifies a sequence of files line by line.
type chain struct {
	// line and body are reused for every line read.
	line, body []byte
	opts       VerifyOptions
	found      []bool
	rep        Report
	// started is true once a first line (of any file) was accepted.
	started bool
}

func newChain(opts VerifyOptions) *chain {
	return &chain{opts: opts, found: make([]bool, len(opts.Expect)),
		rep: Report{LastHash: ZeroHash, Keyed: opts.Key != nil}}
}

// Verify reads a whole log and checks that every line is a sealed JSON
// object whose hash matches its bytes, whose prev_hash is the previous
// line's hash (ZeroHash for the first) and whose seq is one more than the
// previous line's (1 for the first). A first line that continues a rotated
// file (EventRotated) is accepted as the start. An empty log verifies with
// 0 entries.
//
// On the first broken line it returns the report so far and a *ChainError;
// a read failure is returned as a plain wrapped error.
func Verify(r io.Reader) (Report, error) {
	c := newChain(VerifyOptions{})
	if err := c.file("", r, ""); err != nil {
		return c.rep, err
	}
	return c.rep, nil
}

// VerifyFile runs Verify on the file at path.
func VerifyFile(path string) (Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return Report{LastHash: ZeroHash}, fmt.Errorf("open decision log: %w", err)
	}
	defer f.Close()
	return Verify(f)
}

// VerifyLog verifies the log at path and, unless opts.NoFollow, every
// rotated file it continues, oldest first, as one chain: a missing
// rotated file is a *ChainError wrapping ErrRotationGap. With opts.Key it
// checks every mac; with opts.Expect it checks that each head is in the
// chain (an *ExpectError if not).
func VerifyLog(path string, opts VerifyOptions) (Report, error) {
	c := newChain(opts)
	files := []string{path}
	if !opts.NoFollow {
		var err error
		files, err = ChainFiles(path)
		if err != nil {
			c.rep.Files = files
			return c.rep, err
		}
	}
	prevBase := ""
	for i, name := range files {
		var f *os.File
		var err error
		if i == len(files)-1 {
			f, err = os.Open(name)
		} else {
			f, err = safefile.Open(name, os.O_RDONLY, 0)
		}
		if err != nil {
			return c.rep, fmt.Errorf("open decision log: %w", err)
		}
		c.rep.Files = append(c.rep.Files, name)
		err = c.file(name, f, prevBase)
		f.Close()
		if err != nil {
			return c.rep, err
		}
		prevBase = filepath.Base(name)
	}
	return c.rep, c.checkExpected()
}

// file verifies the lines of one file; prevBase is the base name of the
// file it must continue ("" for the first file read).
func (c *chain) file(name string, r io.Reader, prevBase string) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, complete, err := readLineInto(br, c.line)
		if err != nil {
			return fmt.Errorf("read decision log: %w", err)
		}
		if line == nil {
			return nil
		}
		c.line = line
		if err := c.check(n, line, complete, prevBase); err != nil {
			err.File = name
			return err
		}
	}
}

// check checks line n of a file.
func (c *chain) check(n int, line []byte, complete bool, prevBase string) *ChainError {
	broken := func(format string, args ...any) *ChainError {
		return &ChainError{Line: n, Problem: fmt.Sprintf(format, args...)}
	}
	if !complete {
		if len(line) > maxLineSize {
			return broken("longer than %d bytes", maxLineSize)
		}
		return broken("no newline at the end (a write was cut short)")
	}
	if len(line) == 0 {
		return broken("empty line")
	}
	body, claimed, err := unsealInto(c.body, line)
	if err != nil {
		return broken("%v", err)
	}
	c.body = body
	if !hashIs(body, claimed) {
		return broken("hash mismatch (entry was modified)")
	}
	if c.opts.Key != nil {
		if err := checkMAC(c.opts.Key, body); err != nil {
			return broken("%v", err)
		}
	}
	l, err := parseLinkInfo(body)
	if err != nil {
		return broken("%v", err)
	}
	seq, prev := *l.Seq, *l.PrevHash
	rotated := l.Event == EventRotated
	var prevFile string
	if rotated {
		if prevFile, err = previousFile(l); err != nil {
			return broken("%v", err)
		}
	}
	switch {
	case n > 1 && rotated:
		return broken("rotation entry in the middle of a file (lines were inserted)")
	case n == 1 && !c.started && rotated:
		// The start of what we read continues a file we do not follow.
		c.rep.FirstSeq = seq
		c.rep.LastSeq = seq - 1
		c.rep.LastHash = prev
	case n == 1 && c.started && !rotated:
		return broken("does not continue %s (not a rotation entry)", prevBase)
	case n == 1 && c.started && prevFile != prevBase:
		return broken("continues %s, not %s", prevFile, prevBase)
	case n == 1 && !c.started:
		c.rep.FirstSeq = 1
	}
	if prev != c.rep.LastHash {
		switch {
		case n == 1 && !c.started:
			return broken("prev_hash is not the start of a chain (lines were removed from the top)")
		case n == 1:
			return broken("prev_hash is not the head of %s (lines were removed from its end)", prevBase)
		}
		return broken("prev_hash does not match line %d (a line was removed or reordered)", n-1)
	}
	if seq != c.rep.LastSeq+1 {
		return broken("seq %d, want %d (a line was removed or inserted)", seq, c.rep.LastSeq+1)
	}
	for i, h := range c.opts.Expect {
		switch {
		case c.found[i]:
		case h.Seq > 0 && h.Seq == seq && h.Hash != claimed:
			// Not a ChainError: the line itself is consistent; the log was
			// rewritten from here on. Reported by checkExpected.
		case h.Hash == claimed && (h.Seq == 0 || h.Seq == seq):
			c.found[i] = true
		}
	}
	c.started = true
	c.rep.Entries++
	c.rep.LastSeq = seq
	c.rep.LastHash = claimed
	return nil
}

// checkExpected returns an *ExpectError for the first expected head that
// was not found.
func (c *chain) checkExpected() error {
	for i, h := range c.opts.Expect {
		if c.found[i] {
			continue
		}
		var problem string
		switch {
		case h.Seq == 0:
			problem = fmt.Sprintf("head %s is not in the chain (the log was truncated, emptied or rewritten)", h.Hash)
		case h.Seq > c.rep.LastSeq:
			problem = fmt.Sprintf("the log ends at seq %d, before the recorded head at seq %d (the log was truncated or emptied)", c.rep.LastSeq, h.Seq)
		case h.Seq < c.rep.FirstSeq:
			problem = fmt.Sprintf("the recorded head at seq %d is before the first entry read (seq %d)", h.Seq, c.rep.FirstSeq)
		default:
			problem = fmt.Sprintf("the entry at seq %d is not the recorded head %s (the log was rewritten)", h.Seq, h.Hash)
		}
		return &ExpectError{Head: h, Problem: problem}
	}
	return nil
}

// ChainFiles returns the files of the log at path, oldest first: the
// rotated files it continues (found through the previous_file of each
// file's first entry, in the same directory) and path itself. A file whose
// first line cannot be read as an entry ends the walk there; verification
// then reports it. A missing previous file is a *ChainError wrapping
// ErrRotationGap, returned with the files found so far.
func ChainFiles(path string) ([]string, error) {
	dir := filepath.Dir(path)
	files := []string{path}
	seen := map[string]bool{filepath.Base(path): true}
	for len(files) < maxChainFiles {
		first := files[0]
		prev, err := firstPrevious(first)
		if errors.Is(err, os.ErrNotExist) && len(files) > 1 {
			return files, &ChainError{File: files[1], Line: 1, Err: ErrRotationGap,
				Problem: fmt.Sprintf("continues %s, which is missing (a rotated file was removed)", filepath.Base(first))}
		}
		if err != nil {
			return files, fmt.Errorf("open decision log: %w", err)
		}
		if prev == "" {
			break
		}
		if seen[prev] {
			return files, &ChainError{File: first, Line: 1, Problem: fmt.Sprintf("continues %s, which is already in the chain (a loop)", prev)}
		}
		seen[prev] = true
		files = append([]string{filepath.Join(dir, prev)}, files...)
	}
	// A missing previous file of the oldest one found is a gap too.
	if len(files) > 0 {
		if _, err := os.Lstat(files[0]); errors.Is(err, os.ErrNotExist) && len(files) > 1 {
			return files, &ChainError{File: files[1], Line: 1, Err: ErrRotationGap,
				Problem: fmt.Sprintf("continues %s, which is missing", filepath.Base(files[0]))}
		}
	}
	return files, nil
}

// firstPrevious returns the previous_file of the first entry of the file
// at path, or "" when it does not start with a valid rotation entry.
func firstPrevious(path string) (string, error) {
	f, err := safefile.Open(path, os.O_RDONLY, 0)
	if err != nil {
		return "", err
	}
	defer f.Close()
	line, complete, err := readLine(bufio.NewReader(f))
	if err != nil {
		return "", err
	}
	if !complete {
		return "", nil
	}
	body, _, err := unseal(line)
	if err != nil {
		return "", nil
	}
	l, err := parseLinkInfo(body)
	if err != nil || l.Event != EventRotated {
		return "", nil
	}
	name, err := previousFile(l)
	if err != nil {
		return "", nil
	}
	return name, nil
}

// readLine returns the next line without its "\n" and whether it had one.
// It returns a nil line at the end of input. A line longer than
// maxLineSize is returned cut to maxLineSize+1 bytes, incomplete.
func readLine(br *bufio.Reader) (line []byte, complete bool, err error) {
	return readLineInto(br, nil)
}

// readLineInto is readLine writing the line into buf's storage.
func readLineInto(br *bufio.Reader, buf []byte) (line []byte, complete bool, err error) {
	line = buf[:0]
	for {
		part, err := br.ReadSlice('\n')
		switch {
		case err == nil:
			line = append(line, part[:len(part)-1]...)
			if line == nil {
				line = []byte{}
			}
			return line, true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			line = append(line, part...)
			if len(line) > maxLineSize {
				return line[:maxLineSize+1], false, nil
			}
		case errors.Is(err, io.EOF):
			line = append(line, part...)
			if len(line) == 0 {
				return nil, false, nil
			}
			return line, false, nil
		default:
			return nil, false, err
		}
	}
}
