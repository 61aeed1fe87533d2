package logging

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Record is one line read back from the log.
type Record struct {
	// Entry is the decoded line (fields this version does not know are
	// dropped; Raw keeps them).
	Entry Entry
	// Raw is the line as stored, without its "\n".
	Raw []byte
	// File is the file the line is in.
	File string
	// Line is its 1-based line number there.
	Line int
}

// ReadStats says what ReadLog could not read.
type ReadStats struct {
	// Skipped counts lines that are not JSON objects (torn or edited).
	Skipped int
	// Gap is the ErrRotationGap *ChainError when a rotated file is
	// missing; the files after it were still read.
	Gap error
	// LastSeq is the seq of the last entry read.
	LastSeq int64
}

// ReadLog calls fn for every entry of the log at path and of the rotated
// files it continues, oldest first. It reads; it does not verify (see
// VerifyLog): lines that are not JSON objects are counted and skipped.
// An error from fn stops the read and is returned.
func ReadLog(path string, fn func(Record) error) (ReadStats, error) {
	var st ReadStats
	files, err := readableFiles(path, &st)
	if err != nil {
		return st, err
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return st, fmt.Errorf("open decision log: %w", err)
		}
		_, err = readRecords(f, name, 0, &st, fn)
		f.Close()
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

// readableFiles is ChainFiles for a read: a missing rotated file is noted
// in st.Gap (whatever the entries read) and the files after it are read.
func readableFiles(path string, st *ReadStats) ([]string, error) {
	files, err := ChainFiles(path)
	if err != nil {
		if !errors.Is(err, ErrRotationGap) {
			return nil, err
		}
		st.Gap = err
		files = files[1:] // the first one is the missing file
	}
	return files, nil
}

// readRecords calls fn for every complete line of r with a seq above
// after. It returns the bytes consumed (complete lines only).
func readRecords(r io.Reader, name string, after int64, st *ReadStats, fn func(Record) error) (int64, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var used int64
	for n := 1; ; n++ {
		line, complete, err := readLine(br)
		if err != nil {
			return used, fmt.Errorf("read decision log: %w", err)
		}
		if line == nil || !complete {
			// A partial last line may still be being written.
			return used, nil
		}
		used += int64(len(line)) + 1
		var e Entry
		if err := json.Unmarshal(line, &e); err != nil {
			st.Skipped++
			continue
		}
		if e.Seq <= after && after > 0 {
			continue
		}
		if e.Seq > st.LastSeq {
			st.LastSeq = e.Seq
		}
		if err := fn(Record{Entry: e, Raw: line, File: name, Line: n}); err != nil {
			return used, err
		}
	}
}

// Follow calls fn for every entry appended to the log at path with a seq
// above after, until ctx is done (then it returns nil). It polls every
// poll, and follows the log through rotations, however many happen
// between two polls.
func Follow(ctx context.Context, path string, after int64, poll time.Duration, fn func(Record) error) error {
	st := ReadStats{LastSeq: after}
	var f *os.File
	var off int64
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	for {
		if f != nil {
			n, err := readAt(f, off, path, &st, fn)
			off += n
			if err != nil {
				return err
			}
			if moved(f, path) {
				// Rotated (or removed): finish what was written to our
				// file, then catch up through the files that followed it.
				n, err := readAt(f, off, path, &st, fn)
				off += n
				f.Close()
				f = nil
				if err != nil {
					return err
				}
			}
		}
		if f == nil {
			var err error
			if f, off, err = catchUp(path, &st, fn); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(poll):
		}
	}
}

// catchUp reads the files of the chain that may hold entries above
// st.LastSeq, and returns the newest one open, with the bytes read of it.
// A missing log gives a nil file: Follow waits for it to appear.
func catchUp(path string, st *ReadStats, fn func(Record) error) (*os.File, int64, error) {
	// The chain may rotate between listing it and opening its files: then
	// an opened file starts past the next seq, its predecessor holding the
	// entries between. Listing again finds it; the entries already passed
	// to fn stay passed (reads go on from st.LastSeq).
	// A gap that stays (a rotated file removed) is read past on the last
	// attempt, as ReadLog does.
	for attempt := 1; ; attempt++ {
		f, n, moved, err := catchUpOnce(path, st, fn, attempt < catchUpAttempts)
		if !moved {
			return f, n, err
		}
	}
}

// catchUpAttempts bounds how often catchUp lists the chain again when it
// rotates under it.
const catchUpAttempts = 5

// catchUpOnce is one pass of catchUp. With strict, a file that starts past
// the next seq stops the pass: moved reports that the chain changed after
// it was listed.
func catchUpOnce(path string, st *ReadStats, fn func(Record) error, strict bool) (*os.File, int64, bool, error) {
	files, err := ChainFiles(path)
	if errors.Is(err, os.ErrNotExist) && len(files) == 1 {
		return nil, 0, false, nil
	}
	if err != nil && !errors.Is(err, ErrRotationGap) {
		return nil, 0, false, err
	}
	start := len(files) - 1
	for ; start > 0; start-- {
		if seq, ok := firstSeq(files[start]); ok && seq <= st.LastSeq+1 {
			break
		}
	}
	for i := start; i < len(files); i++ {
		f, err := os.Open(files[i])
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, 0, false, fmt.Errorf("open decision log: %w", err)
		}
		if seq, ok := firstSeqOf(f); strict && ok && seq > st.LastSeq+1 {
			f.Close()
			return nil, 0, true, nil
		}
		n, err := readAt(f, 0, files[i], st, fn)
		if err != nil {
			f.Close()
			return nil, 0, false, err
		}
		if i == len(files)-1 {
			return f, n, false, nil
		}
		f.Close()
	}
	return nil, 0, false, nil
}

// firstSeq is the seq of the first entry of a file.
func firstSeq(path string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	return firstSeqOf(f)
}

// firstSeqOf is the seq of the first entry of an open file, read without
// moving its offset.
func firstSeqOf(f *os.File) (int64, bool) {
	line, complete, err := readLine(bufio.NewReader(io.NewSectionReader(f, 0, 1<<62)))
	if err != nil || !complete {
		return 0, false
	}
	var e struct {
		Seq int64 `json:"seq"`
	}
	if json.Unmarshal(line, &e) != nil {
		return 0, false
	}
	return e.Seq, true
}

// readAt reads the complete lines of f from off.
func readAt(f *os.File, off int64, name string, st *ReadStats, fn func(Record) error) (int64, error) {
	return readRecords(io.NewSectionReader(f, off, 1<<62), name, st.LastSeq, st, fn)
}

// moved reports whether f is no longer the file at path.
func moved(f *os.File, path string) bool {
	mine, err := f.Stat()
	if err != nil {
		return true
	}
	there, err := os.Stat(path)
	if err != nil {
		return true
	}
	return !os.SameFile(mine, there)
}
