package logging

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// join concatenates lines into one log.
func join(lines ...[]byte) []byte { return bytes.Join(lines, nil) }

// reseal recomputes the hash of a line whose body was edited, as an
// attacker who knows the format would.
func reseal(t *testing.T, line []byte) []byte {
	t.Helper()
	body, _, err := unseal(bytes.TrimSuffix(line, []byte("\n")))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := seal(body)
	return out
}

// sealed builds a line from a JSON body.
func sealed(body string) []byte {
	out, _ := seal([]byte(body))
	return out
}

func TestVerify(t *testing.T) {
	ls := logLines(t, 4)
	modified := bytes.Replace(ls[1], []byte(`"user":"alice"`), []byte(`"user":"mallory"`), 1)
	if bytes.Equal(modified, ls[1]) {
		t.Fatal("test setup: edit did not apply")
	}
	upper := bytes.ToUpper(ls[0][len(ls[0])-67:])
	upperLine := append(append([]byte{}, ls[0][:len(ls[0])-67]...), upper...)

	tests := []struct {
		name    string
		log     []byte
		entries int
		wantErr string // "" means the chain must verify
	}{
		{"empty file", nil, 0, ""},
		{"first entry", ls[0], 1, ""},
		{"chain of four", join(ls...), 4, ""},
		{"modified line", join(ls[0], modified, ls[2], ls[3]), 1, "line 2: hash mismatch (entry was modified)"},
		{"modified and resealed line", join(ls[0], reseal(t, modified), ls[2], ls[3]), 2, "line 3: prev_hash does not match line 2 (a line was removed or reordered)"},
		{"removed line", join(ls[0], ls[2], ls[3]), 1, "line 2: prev_hash does not match line 1 (a line was removed or reordered)"},
		{"removed first line", join(ls[1], ls[2], ls[3]), 0, "line 1: prev_hash is not the start of a chain"},
		{"removed last line", join(ls[0], ls[1], ls[2]), 3, ""},
		{"reordered lines", join(ls[0], ls[2], ls[1], ls[3]), 1, "line 2: prev_hash does not match line 1"},
		{"duplicated line", join(ls[0], ls[1], ls[1]), 2, "line 3: prev_hash does not match line 2"},
		{"torn tail", join(ls[0], ls[1], ls[2][:40]), 2, "line 3: no newline at the end (a write was cut short)"},
		{"whole last line without newline", join(ls[0], ls[1][:len(ls[1])-1]), 1, "line 2: no newline at the end"},
		{"empty line", join(ls[0], []byte("\n"), ls[1]), 1, "line 2: empty line"},
		{"not JSON", []byte("hello\n"), 0, `line 1: does not end in a "hash" field`},
		{"no hash field", []byte(`{"seq":1,"prev_hash":"` + ZeroHash + `"}` + "\n"), 0, `line 1: does not end in a "hash" field`},
		{"upper-case hash", upperLine, 0, `line 1: does not end in a "hash" field`},
		{"sealed but not JSON", sealed(`{"seq":1,,}`), 0, "line 1: not a valid JSON object"},
		{"no seq", sealed(`{"prev_hash":"` + ZeroHash + `"}`), 0, `line 1: no "seq" field`},
		{"no prev_hash", sealed(`{"seq":1}`), 0, `line 1: no "prev_hash" field`},
		{"seq does not start at 1", sealed(`{"seq":5,"prev_hash":"` + ZeroHash + `"}`), 0, "line 1: seq 5, want 1"},
		{"unknown future fields verify", sealed(`{"time":"2030-01-01T00:00:00Z","seq":1,"prev_hash":"` + ZeroHash + `","quantum":{"a":[1,2]}}`), 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Verify(bytes.NewReader(tt.log))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
			} else {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("Verify error = %v, want it to start with %q", err, tt.wantErr)
				}
				if !errors.Is(err, ErrChainBroken) {
					t.Errorf("errors.Is(%v, ErrChainBroken) = false", err)
				}
			}
			if rep.Entries != tt.entries {
				t.Errorf("Entries = %d, want %d", rep.Entries, tt.entries)
			}
		})
	}
}

func TestVerifyReportLast(t *testing.T) {
	l := openTemp(t)
	var last Entry
	for i := 0; i < 3; i++ {
		last = *decision("bob")
		if err := l.Append(&last); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := VerifyFile(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Entries != 3 || rep.LastSeq != 3 || rep.LastHash != last.Hash {
		t.Errorf("report = %+v, want 3 entries, seq 3, hash %s", rep, last.Hash)
	}
}

func TestVerifyLongLines(t *testing.T) {
	l := openTemp(t)
	big := decision("carol")
	big.Note = strings.Repeat("n", 2<<20) // 2 MiB, past bufio.Scanner's default
	for _, e := range []*Entry{decision("carol"), big, decision("carol")} {
		if err := l.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := VerifyFile(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Entries != 3 {
		t.Errorf("Entries = %d, want 3", rep.Entries)
	}
}

func TestVerifyTooLongLine(t *testing.T) {
	log := bytes.Repeat([]byte("x"), maxLineSize+10)
	_, err := Verify(bytes.NewReader(log))
	want := fmt.Sprintf("line 1: longer than %d bytes", maxLineSize)
	if err == nil || err.Error() != want {
		t.Errorf("Verify error = %v, want %q", err, want)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestVerifyReadError(t *testing.T) {
	_, err := Verify(failingReader{})
	if err == nil || errors.Is(err, ErrChainBroken) || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("Verify error = %v, want the read error, not a chain error", err)
	}
}

func TestVerifyFileMissing(t *testing.T) {
	_, err := VerifyFile(t.TempDir() + "/nope.jsonl")
	if err == nil || errors.Is(err, ErrChainBroken) {
		t.Errorf("VerifyFile error = %v, want a not-found error", err)
	}
}
