package logging

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// writeRotatingLog appends n entries to a new log that rotates at
// maxBytes, and returns its path.
func writeRotatingLog(t *testing.T, n int, maxBytes int64, key []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "decisions.jsonl")
	l, err := OpenWith(path, Options{Key: key, MaxBytes: maxBytes})
	if err != nil {
		t.Fatal(err)
	}
	l.Now = fixedClock()
	defer l.Close()
	for i := 0; i < n; i++ {
		if err := l.Append(decision("alice")); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// rotatedFiles lists the rotated files beside path, oldest first.
func rotatedFiles(t *testing.T, path string) []string {
	t.Helper()
	matches, err := filepath.Glob(strings.TrimSuffix(path, ".jsonl") + ".*Z.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(matches)
	return matches
}

func TestRotation(t *testing.T) {
	// One decision line is about 400 bytes: rotate every few entries.
	path := writeRotatingLog(t, 20, 1500, testKey)
	rotated := rotatedFiles(t, path)
	if len(rotated) < 3 {
		t.Fatalf("%d rotated files, want several", len(rotated))
	}
	name := regexp.MustCompile(`^decisions\.\d{8}T\d{6}\.\d{9}Z\.jsonl$`)
	for _, r := range rotated {
		if !name.MatchString(filepath.Base(r)) {
			t.Errorf("rotated file name %s", filepath.Base(r))
		}
		assertMode(t, r, 0o600)
	}

	rep, err := VerifyLog(path, VerifyOptions{Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	if want := append(rotated, path); strings.Join(rep.Files, ",") != strings.Join(want, ",") {
		t.Fatalf("files %v, want %v", rep.Files, want)
	}
	// 20 decisions plus one rotation entry per rotation, one chain.
	if rep.Entries != 20+len(rotated) || rep.LastSeq != int64(rep.Entries) || rep.FirstSeq != 1 {
		t.Fatalf("report %+v", rep)
	}

	// Each new file starts with a rotation entry naming the old file and
	// carrying its head as prev_hash.
	for i, r := range rotated {
		next := path
		if i+1 < len(rotated) {
			next = rotated[i+1]
		}
		old, err := VerifyLog(r, VerifyOptions{NoFollow: true})
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(next)
		if err != nil {
			t.Fatal(err)
		}
		first := data[:bytes.IndexByte(data, '\n')+1]
		seq, prev, _ := lineHead(t, first)
		if prev != old.LastHash || seq != old.LastSeq+1 || !bytes.Contains(first, []byte(`"event":"log.rotated"`)) ||
			!bytes.Contains(first, []byte(`"previous_file":"`+filepath.Base(r)+`"`)) {
			t.Fatalf("first line of %s does not continue %s: %s", next, r, first)
		}
	}

	// ReadLog sees every entry once, in order, across the files.
	var seqs []int64
	st, err := ReadLog(path, func(r Record) error {
		seqs = append(seqs, r.Entry.Seq)
		return nil
	})
	if err != nil || st.Skipped != 0 || st.Gap != nil {
		t.Fatalf("ReadLog: %v %+v", err, st)
	}
	for i, s := range seqs {
		if s != int64(i+1) {
			t.Fatalf("read seqs %v", seqs)
		}
	}
}

// TestRotationTampering: a rotated file removed (a gap), truncated, or a
// rotation entry forged to lead outside the directory, is detected in
// every mode.
func TestRotationTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, path string, rotated []string)
		want   string
	}{
		{"middle rotated file removed", func(t *testing.T, _ string, r []string) { remove(t, r[1]) }, "which is missing"},
		{"oldest rotated file removed", func(t *testing.T, _ string, r []string) { remove(t, r[0]) }, "which is missing"},
		{"last line of a rotated file removed", func(t *testing.T, _ string, r []string) {
			data, _ := os.ReadFile(r[1])
			lines := bytes.SplitAfter(data, []byte("\n"))
			writeFile(t, r[1], bytes.Join(lines[:len(lines)-2], nil))
		}, "prev_hash is not the head of"},
		{"rotated files swapped", func(t *testing.T, _ string, r []string) {
			a, _ := os.ReadFile(r[0])
			b, _ := os.ReadFile(r[1])
			writeFile(t, r[0], b)
			writeFile(t, r[1], a)
		}, "line 1:"},
		{"rotation entry forged to leave the directory", func(t *testing.T, path string, _ []string) {
			forged := sealed(`{"time":"2026-03-04T05:06:07Z","event":"log.rotated","seq":1,"prev_hash":"` + ZeroHash + `","previous_file":"../../etc/passwd"}`)
			writeFile(t, path, forged)
		}, "line 1:"},
		{"rotation entry in the middle", func(t *testing.T, path string, r []string) {
			data, _ := os.ReadFile(path)
			first := data[:bytes.IndexByte(data, '\n')+1]
			writeFile(t, path, append(append([]byte{}, data...), first...))
		}, "line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeRotatingLog(t, 20, 1500, testKey)
			rep, err := VerifyLog(path, VerifyOptions{})
			if err != nil {
				t.Fatal(err)
			}
			head := Head{Seq: rep.LastSeq, Hash: rep.LastHash}
			tt.tamper(t, path, rotatedFiles(t, path))
			for _, opts := range []VerifyOptions{{}, {Key: testKey}, {Expect: []Head{{Hash: head.Hash}}}, {Expect: []Head{head}}} {
				_, err := VerifyLog(path, opts)
				if !errors.Is(err, ErrChainBroken) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("opts %+v: error %v, want a broken chain with %q", opts, err, tt.want)
				}
			}
		})
	}
}

func TestRotationGapIsTyped(t *testing.T) {
	path := writeRotatingLog(t, 20, 1500, nil)
	r := rotatedFiles(t, path)
	remove(t, r[1])
	_, err := VerifyLog(path, VerifyOptions{})
	if !errors.Is(err, ErrRotationGap) {
		t.Fatalf("error %v, want ErrRotationGap", err)
	}
	// Reading still shows what is there, and says what is missing.
	var n int
	st, err := ReadLog(path, func(Record) error { n++; return nil })
	if err != nil || st.Gap == nil || n == 0 {
		t.Fatalf("ReadLog: %d records, %+v, %v", n, st, err)
	}
}

func remove(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRotationEntryOutsideDirectory(t *testing.T) {
	for _, name := range []string{"../x.jsonl", "/etc/passwd", "a/b", `a\b`, "..", ".", ""} {
		forged := sealed(`{"time":"2026-03-04T05:06:07Z","event":"log.rotated","seq":1,"prev_hash":"` + ZeroHash + `","previous_file":"` + strings.ReplaceAll(name, `\`, `\\`) + `"}`)
		path := filepath.Join(t.TempDir(), "decisions.jsonl")
		writeFile(t, path, forged)
		_, err := VerifyLog(path, VerifyOptions{})
		if !errors.Is(err, ErrChainBroken) || !strings.Contains(err.Error(), "not a file in the same directory") {
			t.Errorf("previous_file %q: %v", name, err)
		}
	}
}
