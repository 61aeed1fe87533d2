package logging

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzVerifyChain feeds arbitrary bytes, as a log file, to the full
// verifier (keyed, following rotation, with an expected head) and to the
// reader: neither may panic, a broken chain names a line that exists, and
// the reader never returns more records than there are lines.
func FuzzVerifyChain(f *testing.F) {
	f.Add([]byte{}, false)
	f.Add(sealed(`{"seq":1,"prev_hash":"`+ZeroHash+`"}`), true)
	f.Add(sealed(`{"event":"log.rotated","seq":5,"prev_hash":"`+ZeroHash+`","previous_file":"decisions.1.jsonl"}`), false)
	f.Add(sealed(`{"event":"log.rotated","seq":5,"prev_hash":"`+ZeroHash+`","previous_file":"../x"}`), true)
	body := addMAC(testKey, []byte(`{"seq":1,"prev_hash":"`+ZeroHash+`"}`))
	line, _ := seal(body)
	f.Add(line, true)
	f.Fuzz(func(t *testing.T, data []byte, keyed bool) {
		dir := t.TempDir()
		path := dir + "/decisions.jsonl"
		writeFile(t, path, data)
		opts := VerifyOptions{Expect: []Head{{Seq: 1, Hash: ZeroHash}}}
		if keyed {
			opts.Key = testKey
		}
		lines := bytes.Count(data, []byte("\n"))
		rep, err := VerifyLog(path, opts)
		var ce *ChainError
		var ee *ExpectError
		switch {
		case err == nil:
			if rep.LastSeq < 1 {
				t.Fatalf("verified without the expected head: %+v", rep)
			}
		case errors.As(err, &ce):
			if ce.Line < 1 || ce.Line > lines+1 {
				t.Fatalf("broken line %d in %d lines", ce.Line, lines)
			}
		case errors.As(err, &ee):
		default:
			// A rotation entry naming a file that is not there.
			if !errors.Is(err, ErrRotationGap) && !bytes.Contains(data, []byte("log.rotated")) {
				t.Fatalf("unexpected error kind: %v", err)
			}
		}
		n := 0
		if _, err := ReadLog(path, func(r Record) error {
			n++
			if r.Line < 1 || bytes.IndexByte(r.Raw, '\n') >= 0 {
				t.Fatalf("record %+v", r)
			}
			return nil
		}); err == nil && n > lines {
			t.Fatalf("%d records from %d lines", n, lines)
		}
	})
}
