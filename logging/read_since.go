package logging

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

// OrderSlack is how far out of time order ReadLogSince allows entries to
// be. Entries are written in time order, give or take what a process
// stamping an entry and then waiting for the file lock, or a clock set
// back a little, puts out of order; ReadLogSince reads back to the first
// entry older than since minus OrderSlack, so such an entry at or after
// since is still found.
const OrderSlack = 15 * time.Minute

// backBlock is how much ReadLogSince reads at a time going backwards.
const backBlock = 64 << 10

// ReadLogSince calls fn for every entry of the log at path (and of the
// rotated files it continues) whose Time is at or after since, oldest
// first, and for every line in between that is not a JSON object it counts
// a skipped line, as ReadLog does for the whole log. The entries fn sees
// and their order are what ReadLog gives with the same filter, but the log
// is read from its end: backwards, in blocks, to the first entry older
// than since minus OrderSlack, then forwards from there. The cost follows
// the entries since, not the size of the log.
//
// Record.Line is 0 for the lines of the file where the read starts part
// way in (the lines before were not counted). ReadStats.LastSeq is the
// seq of the last entry of the log, as with ReadLog. A zero since is
// ReadLog.
func ReadLogSince(path string, since time.Time, fn func(Record) error) (ReadStats, error) {
	if since.IsZero() {
		return ReadLog(path, fn)
	}
	var st ReadStats
	// A gap is reported as ReadLog reports it, whether or not the entries
	// since are near it.
	files, err := readableFiles(path, &st)
	if err != nil {
		return st, err
	}
	cutoff := since.Add(-OrderSlack)
	// From the newest file back, find the file and the offset in it where
	// the entries at or after cutoff start.
	start, off := 0, int64(0)
	for i := len(files) - 1; i >= 0; i-- {
		o, found, lastSeq, err := startOffset(files[i], cutoff)
		if err != nil {
			return st, err
		}
		if lastSeq > st.LastSeq {
			st.LastSeq = lastSeq
		}
		if found {
			start, off = i, o
			break
		}
	}
	keep := func(r Record) error {
		if r.Entry.Time.Before(since) {
			return nil
		}
		return fn(r)
	}
	for i := start; i < len(files); i++ {
		f, err := os.Open(files[i])
		if err != nil {
			return st, fmt.Errorf("open decision log: %w", err)
		}
		var r io.Reader = f
		line0 := 0
		if i == start && off > 0 {
			r = io.NewSectionReader(f, off, 1<<62)
			line0 = -1 // line numbers unknown
		}
		_, err = readRecords(r, files[i], 0, &st, func(rec Record) error {
			if line0 < 0 {
				rec.Line = 0
			}
			return keep(rec)
		})
		f.Close()
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

// startOffset reads the file at path backwards from its last complete line
// and returns the offset just after the last line whose entry is older
// than cutoff (found), or 0 and false when there is none. It also returns
// the seq of the file's last entry. A line that is not an entry does not
// stop the walk: its time is not known. A torn last line is not read.
func startOffset(path string, cutoff time.Time) (off int64, found bool, lastSeq int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false, 0, fmt.Errorf("open decision log: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, false, 0, fmt.Errorf("stat decision log: %w", err)
	}
	return scanBack(f, fi.Size(), cutoff, backBlock)
}

// scanBack is startOffset on r, of the given size, read block bytes at a
// time.
func scanBack(r io.ReaderAt, size int64, cutoff time.Time, block int) (off int64, found bool, lastSeq int64, err error) {
	pos, err := lastNewline(r, size)
	if err != nil || pos == 0 {
		return 0, false, 0, err
	}
	// tail holds the bytes [pos, pos+len(tail)) not yet walked; it ends
	// just after a "\n" (or is empty), so its last line is complete once a
	// "\n" before it, or the start of the file, is in it.
	var tail []byte
	for {
		for len(tail) > 0 {
			i := bytes.LastIndexByte(tail[:len(tail)-1], '\n')
			if i < 0 && pos > 0 {
				break // the line starts in an earlier block
			}
			line := tail[i+1 : len(tail)-1]
			if t, seq, ok := entryTime(line); ok {
				lastSeq = cmp.Or(lastSeq, seq)
				if t.Before(cutoff) {
					return pos + int64(i+1) + int64(len(line)) + 1, true, lastSeq, nil
				}
			}
			tail = tail[:i+1]
		}
		if pos == 0 {
			return 0, false, lastSeq, nil
		}
		if len(tail) > maxLineSize {
			// A line longer than any entry: read the file from the start,
			// where ReadLog's reader deals with it.
			return 0, false, lastSeq, nil
		}
		n := min(int64(block), pos)
		pos -= n
		buf := make([]byte, n, n+int64(len(tail)))
		if _, err := r.ReadAt(buf, pos); err != nil {
			return 0, false, 0, fmt.Errorf("read decision log: %w", err)
		}
		tail = append(buf, tail...)
	}
}

// lastNewline returns the offset just after the last "\n" of r: what
// follows it is a torn line (a write cut short, or one in progress), which
// is not read. It returns 0 when there is no "\n" in the last
// maxLineSize bytes.
func lastNewline(r io.ReaderAt, size int64) (int64, error) {
	buf := make([]byte, 4096)
	for end := size; end > 0 && size-end <= maxLineSize; {
		n := min(int64(len(buf)), end)
		if _, err := r.ReadAt(buf[:n], end-n); err != nil {
			return 0, fmt.Errorf("read decision log: %w", err)
		}
		if j := bytes.LastIndexByte(buf[:n], '\n'); j >= 0 {
			return end - n + int64(j) + 1, nil
		}
		end -= n
	}
	return 0, nil
}

// entryTime decodes the time and seq of a line, without the rest.
func entryTime(line []byte) (time.Time, int64, bool) {
	var e struct {
		Time time.Time `json:"time"`
		Seq  int64     `json:"seq"`
	}
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
		return time.Time{}, 0, false
	}
	return e.Time, e.Seq, true
}
