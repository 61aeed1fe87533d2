package logging

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrChainBroken is matched (with errors.Is) by every *ChainError.
var ErrChainBroken = errors.New("decision log chain broken")

// Report is the result of Verify.
type Report struct {
	// Entries is the number of lines that verified, in order from the
	// first; on failure, the lines before the broken one.
	Entries int
	// LastSeq is the seq of the last good entry (0 if none).
	LastSeq int64
	// LastHash is the hash of the last good entry (ZeroHash if none).
	// Keeping a copy elsewhere detects a rewrite of the whole chain.
	LastHash string
}

// ChainError says which line first breaks the chain and how.
type ChainError struct {
	// Line is the 1-based line number.
	Line int
	// Problem says what is wrong, in words.
	Problem string
}

func (e *ChainError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Problem) }

// Is makes errors.Is(err, ErrChainBroken) true for every ChainError.
func (e *ChainError) Is(target error) bool { return target == ErrChainBroken }

// Verify reads a whole log and checks that every line is a sealed JSON
// object whose hash matches its bytes, whose prev_hash is the previous
// line's hash (ZeroHash for the first) and whose seq is one more than the
// previous line's (1 for the first). An empty log verifies with 0 entries.
//
// On the first broken line it returns the report so far and a *ChainError;
// a read failure is returned as a plain wrapped error.
func Verify(r io.Reader) (Report, error) {
	rep := Report{LastHash: ZeroHash}
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, complete, err := readLine(br)
		if err != nil {
			return rep, fmt.Errorf("read decision log: %w", err)
		}
		if line == nil {
			return rep, nil
		}
		broken := func(format string, args ...any) (Report, error) {
			return rep, &ChainError{Line: n, Problem: fmt.Sprintf(format, args...)}
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
		body, claimed, err := unseal(line)
		if err != nil {
			return broken("%v", err)
		}
		if hashOf(body) != claimed {
			return broken("hash mismatch (entry was modified)")
		}
		seq, prev, err := parseLink(body)
		if err != nil {
			return broken("%v", err)
		}
		if prev != rep.LastHash {
			if n == 1 {
				return broken("prev_hash is not the start of a chain (lines were removed from the top)")
			}
			return broken("prev_hash does not match line %d (a line was removed or reordered)", n-1)
		}
		if seq != rep.LastSeq+1 {
			return broken("seq %d, want %d (a line was removed or inserted)", seq, rep.LastSeq+1)
		}
		rep.Entries++
		rep.LastSeq = seq
		rep.LastHash = claimed
	}
}

// readLine returns the next line without its "\n" and whether it had one.
// It returns a nil line at the end of input. A line longer than
// maxLineSize is returned cut to maxLineSize+1 bytes, incomplete.
func readLine(br *bufio.Reader) (line []byte, complete bool, err error) {
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

// VerifyFile runs Verify on the file at path.
func VerifyFile(path string) (Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return Report{LastHash: ZeroHash}, fmt.Errorf("open decision log: %w", err)
	}
	defer f.Close()
	return Verify(f)
}
