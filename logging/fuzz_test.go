package logging

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzVerify checks that Verify never panics, and that what it reports is
// consistent with its input: a verified log has exactly one entry per line,
// and a broken one names a line that exists.
func FuzzVerify(f *testing.F) {
	f.Add([]byte{})
	f.Add(sealed(`{"seq":1,"prev_hash":"` + ZeroHash + `"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Verify(bytes.NewReader(data))
		lines := bytes.Count(data, []byte("\n"))
		var ce *ChainError
		switch {
		case err == nil:
			if rep.Entries != lines || (len(data) > 0 && !bytes.HasSuffix(data, []byte("\n"))) {
				t.Fatalf("verified %d entries in %d lines", rep.Entries, lines)
			}
		case errors.As(err, &ce):
			if ce.Line < 1 || ce.Line > lines+1 || rep.Entries != ce.Line-1 {
				t.Fatalf("broken line %d with %d good entries in %d lines", ce.Line, rep.Entries, lines)
			}
		default:
			t.Fatalf("Verify of bytes returned a non-chain error: %v", err)
		}
	})
}
