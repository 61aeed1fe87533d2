package logging

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestTailOwnLine checks that the seq and hash tail takes from the line
// this Logger last wrote are what parsing that line gives, plain and
// keyed, after Append and AppendAll; and that a last line changed by
// someone else, even to one of the same length, is parsed, not taken.
func TestTailOwnLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"plain", Options{}},
		{"keyed", Options{Key: bytes.Repeat([]byte{7}, 32)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "decisions.jsonl")
			l, err := OpenWith(path, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			check := func(what string) (int64, string) {
				t.Helper()
				fi, err := l.f.Stat()
				if err != nil {
					t.Fatal(err)
				}
				if l.ownLine == nil {
					t.Fatalf("%s: no own line kept", what)
				}
				seq, h, err := l.tail(fi.Size())
				if err != nil {
					t.Fatal(err)
				}
				l.ownLine = nil
				parsedSeq, parsedH, err := l.tail(fi.Size())
				if err != nil {
					t.Fatal(err)
				}
				if seq != parsedSeq || h != parsedH {
					t.Fatalf("%s: own line gives %d %s, parsing gives %d %s", what, seq, h, parsedSeq, parsedH)
				}
				return seq, h
			}
			if err := l.Append(decision("alice")); err != nil {
				t.Fatal(err)
			}
			check("after Append")
			if err := l.AppendAll([]*Entry{decision("bob"), decision("carol")}); err != nil {
				t.Fatal(err)
			}
			if seq, _ := check("after AppendAll"); seq != 3 {
				t.Fatalf("seq = %d, want 3", seq)
			}

			// Someone rewrites the last line's seq to another of the same
			// length: tail must read the file, not its memory.
			if err := l.Append(decision("dave")); err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			i := bytes.LastIndex(raw, []byte(`"seq":4,`))
			if i < 0 {
				t.Fatalf("no seq 4 in %s", raw)
			}
			copy(raw[i:], `"seq":9,`)
			if err := os.WriteFile(path, raw, 0o600); err != nil {
				t.Fatal(err)
			}
			seq, _, err := l.tail(int64(len(raw)))
			if err != nil {
				t.Fatal(err)
			}
			if seq != 9 {
				t.Fatalf("tail of a changed line = seq %d, want the file's 9", seq)
			}
		})
	}
}
