package logging

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// minuteLog writes n decision entries one minute apart, from t0, to a new
// log (rotating past maxBytes, when not 0) and returns its path.
func minuteLog(t *testing.T, n int, maxBytes int64, t0 time.Time) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "decisions.jsonl")
	l, err := OpenWith(path, Options{MaxBytes: maxBytes})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	next := t0
	l.Now = func() time.Time { now := next; next = next.Add(time.Minute); return now }
	for i := 0; i < n; i++ {
		if err := l.Append(decision("alice")); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// TestScanBack walks a log backwards to the first entry older than a
// cutoff, for block sizes that cut every line, some lines and none.
func TestScanBack(t *testing.T) {
	ls := logLines(t, 6) // times 05:06:08 .. 05:06:13, one second apart
	whole := join(ls...)
	at := func(i int) time.Time { return time.Date(2026, 3, 4, 5, 6, 8+i, 0, time.UTC) }
	offsetOf := func(i int) int64 { return int64(len(join(ls[:i]...))) } // where line i starts
	notJSON := []byte("not json\n")
	withJunk := join(ls[0], ls[1], ls[2], notJSON, ls[3], ls[4], ls[5])
	cases := []struct {
		name    string
		content []byte
		cutoff  time.Time
		off     int64
		found   bool
		lastSeq int64
	}{
		{"empty log", nil, at(3), 0, false, 0},
		{"cutoff before the first entry", whole, at(-1), 0, false, 6},
		{"cutoff at the first entry", whole, at(0), 0, false, 6},
		{"cutoff in the middle", whole, at(3), offsetOf(3), true, 6},
		{"cutoff after the last entry", whole, at(9), int64(len(whole)), true, 6},
		{"torn last line is not read", join(ls[0], ls[1], ls[2], ls[3], ls[4], ls[5][:40]), at(3), offsetOf(3), true, 5},
		{"torn last line, cutoff past everything", join(ls[0], ls[1], ls[2][:30]), at(9), int64(len(join(ls[0], ls[1]))), true, 2},
		{"last line without its newline", join(ls[0], ls[1], ls[2], ls[3], ls[4], ls[5][:len(ls[5])-1]), at(3), offsetOf(3), true, 5},
		{"only a torn line", ls[0][:50], at(9), 0, false, 0},
		{"a line that is not an entry is walked past", withJunk, at(4), int64(len(join(ls[0], ls[1], ls[2], notJSON, ls[3]))), true, 6},
		{"an entry before a line that is not one", withJunk, at(3), int64(len(join(ls[0], ls[1], ls[2]))), true, 6},
	}
	for _, tc := range cases {
		for _, block := range []int{1, 7, 100, len(ls[0]), len(ls[0]) + 1, 64 << 10} {
			off, found, lastSeq, err := scanBack(bytes.NewReader(tc.content), int64(len(tc.content)), tc.cutoff, block)
			if err != nil {
				t.Fatalf("%s, block %d: %v", tc.name, block, err)
			}
			if off != tc.off || found != tc.found || lastSeq != tc.lastSeq {
				t.Errorf("%s, block %d: got off %d found %v lastSeq %d, want %d %v %d",
					tc.name, block, off, found, lastSeq, tc.off, tc.found, tc.lastSeq)
			}
		}
	}
}

// TestReadLogSince checks that reading from the end gives what reading the
// whole log and filtering gives: the same entries in the same order, the
// same last seq, across rotated files, for since before, inside and after
// the log.
func TestReadLogSince(t *testing.T) {
	t0 := time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC)
	plain := minuteLog(t, 200, 0, t0)       // 200 minutes, one file
	rotating := minuteLog(t, 120, 8000, t0) // about 20 entries per file
	empty := filepath.Join(t.TempDir(), "decisions.jsonl")
	writeFile(t, empty, nil)
	torn := filepath.Join(t.TempDir(), "decisions.jsonl")
	data, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, torn, append(slices.Clone(data), `{"time":"2026-05-06T10:20:00Z","event":"decision","seq":201`...))

	cases := []struct {
		name  string
		path  string
		since time.Time
	}{
		{"since before the first entry", plain, t0.Add(-time.Hour)},
		{"since at the first entry", plain, t0},
		{"since inside the slack of the first entry", plain, t0.Add(10 * time.Minute)},
		{"since in the middle", plain, t0.Add(150*time.Minute + 30*time.Second)},
		{"since at the last entry", plain, t0.Add(199 * time.Minute)},
		{"since after the last entry", plain, t0.Add(300 * time.Minute)},
		{"zero since reads everything", plain, time.Time{}},
		{"rotated: since in the newest file", rotating, t0.Add(115 * time.Minute)},
		{"rotated: since several files back", rotating, t0.Add(50 * time.Minute)},
		{"rotated: since before everything", rotating, t0.Add(-time.Minute)},
		{"empty log", empty, t0},
		{"torn last line", torn, t0.Add(190 * time.Minute)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			wst, err := ReadLog(tc.path, func(r Record) error {
				if !r.Entry.Time.Before(tc.since) {
					want = append(want, r.File+"|"+string(r.Raw))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			gst, err := ReadLogSince(tc.path, tc.since, func(r Record) error {
				got = append(got, r.File+"|"+string(r.Raw))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("got %d entries, want %d (first got %.80q, first want %.80q)", len(got), len(want), first(got), first(want))
			}
			if gst.LastSeq != wst.LastSeq || gst.Skipped != wst.Skipped || (gst.Gap == nil) != (wst.Gap == nil) {
				t.Fatalf("stats %+v, want %+v", gst, wst)
			}
		})
	}

	// An error from fn stops the read and is returned; a missing log is
	// os.ErrNotExist, as with ReadLog.
	stop := errors.New("stop")
	if _, err := ReadLogSince(plain, t0.Add(190*time.Minute), func(Record) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("error from fn: %v", err)
	}
	if _, err := ReadLogSince(filepath.Join(t.TempDir(), "none.jsonl"), t0, func(Record) error { return nil }); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing log: %v", err)
	}
}

// TestReadLogSinceOutOfOrder: an entry stamped a little before the one
// written ahead of it (a process that waited for the lock) is still found
// when it is at or after since.
func TestReadLogSinceOutOfOrder(t *testing.T) {
	t0 := time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "decisions.jsonl")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var es []*Entry
	for i := 0; i < 100; i++ {
		e := decision("alice")
		e.Time = t0.Add(time.Duration(i) * time.Minute)
		es = append(es, e)
	}
	// Entry 91 (seq 91) was stamped at minute 95 but written after entry
	// 95: since minute 94 takes it, although entry 95's successor is older
	// than since.
	es[90].Time, es[94].Time = t0.Add(95*time.Minute), t0.Add(90*time.Minute)
	if err := l.AppendAll(es); err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	if _, err := ReadLogSince(path, t0.Add(94*time.Minute), func(r Record) error {
		seqs = append(seqs, r.Entry.Seq)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []int64{91, 96, 97, 98, 99, 100}; !slices.Equal(seqs, want) {
		t.Fatalf("seqs %v, want %v", seqs, want)
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// FuzzScanBack checks that the backward walk never panics and agrees with
// a forward reading of the same bytes: the offset is at the end of a line,
// the line before it is an entry older than the cutoff, and no complete
// line after it is; without one, every complete entry is at or after it.
func FuzzScanBack(f *testing.F) {
	f.Add([]byte{}, int64(0), 3)
	f.Add([]byte(`{"time":"2026-01-01T00:00:00Z","seq":1}`+"\n"+`{"time":"2026-01-01T00:01:00Z","seq":2}`+"\n"+"{torn"), int64(30), 5)
	f.Add([]byte("\n\n{}\nnot json\n"+`{"time":"2026-01-01T00:00:00Z","seq":7}`+"\n"), int64(0), 1)
	f.Fuzz(func(t *testing.T, data []byte, seconds int64, block int) {
		if block < 1 || block > 1<<16 {
			return
		}
		cutoff := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(seconds%100000) * time.Second)
		off, found, _, err := scanBack(bytes.NewReader(data), int64(len(data)), cutoff, block)
		if err != nil {
			t.Fatal(err)
		}
		end := bytes.LastIndexByte(data, '\n') + 1 // complete lines only
		if off < 0 || off > int64(end) || (off > 0 && data[off-1] != '\n') {
			t.Fatalf("offset %d is not at the end of a line of %q", off, data)
		}
		older := func(line []byte) bool {
			tm, _, ok := entryTime(line)
			return ok && tm.Before(cutoff)
		}
		for _, line := range bytes.Split(data[off:end], []byte("\n")) {
			if older(line) {
				t.Fatalf("an entry older than the cutoff after offset %d: %q", off, line)
			}
		}
		if found {
			lines := bytes.Split(data[:off-1], []byte("\n"))
			if !older(lines[len(lines)-1]) {
				t.Fatalf("offset %d does not follow an older entry", off)
			}
		} else if off != 0 {
			t.Fatalf("not found, offset %d", off)
		}
	})
}
