package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestAppendChains(t *testing.T) {
	l := openTemp(t)
	loc := time.FixedZone("UTC+2", 2*3600)
	given := time.Date(2026, 5, 6, 9, 0, 0, 123, loc)
	expires := given.Add(time.Hour)

	tests := []struct {
		name     string
		entry    *Entry
		wantSeq  int64
		wantTime time.Time
	}{
		{"first entry gets seq 1 and the zero hash", decision("alice"), 1, time.Date(2026, 3, 4, 5, 6, 8, 0, time.UTC)},
		{"second entry chains on the first", &Entry{Event: EventRequestApproved, Actor: "bob", Subject: "r-1"}, 2, time.Date(2026, 3, 4, 5, 6, 9, 0, time.UTC)},
		{"a given time is kept, in UTC", &Entry{Event: EventDecision, Time: given, ExpiresAt: &expires}, 3, given.UTC()},
	}
	prev := ZeroHash
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.entry.Seq, tt.entry.PrevHash, tt.entry.Hash = 99, "caller junk", "caller junk"
			if err := l.Append(tt.entry); err != nil {
				t.Fatal(err)
			}
			if tt.entry.Seq != tt.wantSeq || tt.entry.PrevHash != prev {
				t.Errorf("seq %d prev %s, want seq %d prev %s", tt.entry.Seq, tt.entry.PrevHash, tt.wantSeq, prev)
			}
			if !tt.entry.Time.Equal(tt.wantTime) || tt.entry.Time.Location() != time.UTC {
				t.Errorf("time %v, want %v in UTC", tt.entry.Time, tt.wantTime)
			}
			if len(tt.entry.Hash) != 64 || tt.entry.Hash == prev {
				t.Errorf("hash %q is not a new SHA-256", tt.entry.Hash)
			}
			prev = tt.entry.Hash
		})
	}

	data, err := os.ReadFile(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3", len(lines))
	}
	last := string(lines[2])
	for _, want := range []string{`"time":"2026-05-06T07:00:00.000000123Z"`, `"expires_at":"2026-05-06T08:00:00.000000123Z"`, `"seq":3`, `,"hash":"` + prev + `"}`} {
		if !strings.Contains(last, want) {
			t.Errorf("line 3 = %s, want it to contain %s", last, want)
		}
	}
	var back Entry
	if err := json.Unmarshal(lines[2], &back); err != nil {
		t.Fatal(err)
	}
	if back.Hash != prev || back.Seq != 3 {
		t.Errorf("line 3 decodes to seq %d hash %s", back.Seq, back.Hash)
	}
	if rep, err := Verify(bytes.NewReader(data)); err != nil || rep.Entries != 3 {
		t.Errorf("Verify = %+v, %v", rep, err)
	}
}

func TestAppendNewlineInField(t *testing.T) {
	l := openTemp(t)
	e := decision("dave")
	e.Note = "two\nlines <and> \"quotes\" \u2028 é"
	if err := l.Append(e); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(l.Path())
	if bytes.Count(data, []byte("\n")) != 1 {
		t.Errorf("entry took more than one line: %q", data)
	}
	var back Entry
	if err := json.Unmarshal(data, &back); err != nil || back.Note != e.Note {
		t.Errorf("note round trip = %q, %v", back.Note, err)
	}
}

func TestAppendReopenContinuesChain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "decisions.jsonl")
	for i := 0; i < 3; i++ {
		l, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j < 2; j++ {
			if err := l.Append(decision("erin")); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := VerifyFile(path)
	if err != nil || rep.Entries != 6 || rep.LastSeq != 6 {
		t.Errorf("VerifyFile = %+v, %v; want 6 entries", rep, err)
	}
}

func TestAppendRefusesBadTail(t *testing.T) {
	good := logLines(t, 2)
	tests := []struct {
		name    string
		content []byte
		wantIs  error
		wantMsg string
	}{
		{"torn tail", join(good[0], good[1][:30]), ErrTornTail, "partial line"},
		{"whole line without newline", join(good[0], good[1][:len(good[1])-1]), ErrTornTail, "partial line"},
		{"garbage last line", join(good[0], good[1], []byte("garbage\n")), nil, `last line does not end in a "hash" field`},
		{"sealed line without seq", join(good[0], sealed(`{"prev_hash":"x"}`)), nil, `no "seq" field`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "decisions.jsonl")
			if err := os.WriteFile(path, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			l, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			err = l.Append(decision("frank"))
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("Append error = %v, want it to contain %q", err, tt.wantMsg)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after, tt.content) {
				t.Errorf("Append changed the file after failing")
			}
		})
	}
}

func TestLastLineSpansChunks(t *testing.T) {
	// Lines of many sizes around the 4 KiB first read, so that the
	// backward read must grow and stitch chunks together.
	for _, size := range []int{0, 100, 4000, 4096, 4200, 9000, 70000} {
		l := openTemp(t)
		for i := 0; i < 3; i++ {
			e := decision("gina")
			e.Note = strings.Repeat("z", size*(i%2))
			if err := l.Append(e); err != nil {
				t.Fatalf("note of %d bytes: %v", size, err)
			}
		}
		if rep, err := VerifyFile(l.Path()); err != nil || rep.Entries != 3 {
			t.Errorf("note of %d bytes: VerifyFile = %+v, %v", size, rep, err)
		}
	}
}

func TestAppendAfterClose(t *testing.T) {
	l := openTemp(t)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(decision("hal")); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close = %v, want ErrClosed", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestAppendLockTimeout(t *testing.T) {
	l := openTemp(t)
	l.LockTimeout = 50 * time.Millisecond

	// Another open file description stands in for another process.
	other, err := os.Open(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := syscall.Flock(int(other.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = l.Append(decision("ivy"))
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "decision log locked by another process") {
		t.Fatalf("Append under a held lock = %v, want ErrLocked", err)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond || waited > 2*time.Second {
		t.Errorf("waited %v for a 50ms lock timeout", waited)
	}

	if err := syscall.Flock(int(other.Fd()), syscall.LOCK_UN); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(decision("ivy")); err != nil {
		t.Errorf("Append once the lock is free: %v", err)
	}
}

func TestOpenPermissions(t *testing.T) {
	t.Run("new directory 0700 and file 0600", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "state", "sentinel")
		path := filepath.Join(dir, "decisions.jsonl")
		l, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		assertMode(t, dir, 0o700)
		assertMode(t, filepath.Dir(dir), 0o700)
		assertMode(t, path, 0o600)
	})
	t.Run("existing 0644 file is tightened", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "decisions.jsonl")
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o644); err != nil { // in spite of the umask
			t.Fatal(err)
		}
		l, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		assertMode(t, path, 0o600)
	})
	t.Run("a narrower mode is not widened", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "decisions.jsonl")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o400); err != nil {
			t.Fatal(err)
		}
		// Opening for writing fails unless we are root; either way the
		// mode must stay as it was.
		if l, err := Open(path); err == nil {
			l.Close()
		}
		assertMode(t, path, 0o400)
	})
	t.Run("a directory is not a log", func(t *testing.T) {
		if _, err := Open(t.TempDir()); err == nil {
			t.Error("Open of a directory succeeded")
		}
	})
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %o, want %o", path, got, want)
	}
}

// TestAppendAll writes batches with AppendAll between single Appends: one
// chain, seqs in order, every entry stamped, anchors at each multiple and
// the mirror given every line.
func TestAppendAll(t *testing.T) {
	cases := []struct {
		name    string
		batches []int // 0 is a single Append
		anchors []int64
	}{
		{"one batch", []int{5}, []int64{3}},
		{"batches around appends", []int{0, 4, 0, 0, 7, 1}, []int64{3, 6, 9, 12, 15}},
		{"an empty batch writes nothing", []int{0, -1, 0}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "decisions.jsonl")
			var anchored []int64
			l, err := OpenWith(path, Options{AnchorEvery: 3, OnAnchor: func(h Head) { anchored = append(anchored, h.Seq) }})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			l.Now = fixedClock()
			var mirror bytes.Buffer
			l.Mirror = &mirror
			total := 0
			for _, n := range tc.batches {
				if n == 0 {
					if err := l.Append(decision("alice")); err != nil {
						t.Fatal(err)
					}
					total++
					continue
				}
				var es []*Entry
				for i := 0; i < n; i++ {
					es = append(es, decision("bob"))
				}
				if err := l.AppendAll(es); err != nil {
					t.Fatal(err)
				}
				for i, e := range es {
					if e.Seq != int64(total+i+1) || e.Hash == "" || e.Time.IsZero() || e.Time.Location() != time.UTC {
						t.Fatalf("entry %d of the batch: seq %d, hash %q, time %v", i, e.Seq, e.Hash, e.Time)
					}
				}
				total += max(n, 0)
			}
			rep, err := VerifyLog(path, VerifyOptions{})
			if err != nil || rep.Entries != total {
				t.Fatalf("verify: %d entries, want %d: %v", rep.Entries, total, err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(mirror.Bytes(), data) {
				t.Fatalf("mirror has %d bytes, the file %d", mirror.Len(), len(data))
			}
			if !slices.Equal(anchored, tc.anchors) {
				t.Fatalf("anchored %v, want %v", anchored, tc.anchors)
			}
		})
	}
	l := openTemp(t)
	l.Close()
	if err := l.AppendAll([]*Entry{decision("alice")}); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}
