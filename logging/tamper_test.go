package logging

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// testKey is a fixed 32-byte HMAC key for tests (not a real secret).
var testKey = []byte("0123456789abcdef0123456789abcdef")

// writeKeyedLog appends n entries with testKey to a new log and returns
// its path, its lines and the head after the last entry.
func writeKeyedLog(t *testing.T, n int) (string, [][]byte, Head) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "decisions.jsonl")
	l, err := OpenWith(path, Options{Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	l.Now = fixedClock()
	defer l.Close()
	var last *Entry
	for i := 0; i < n; i++ {
		last = decision("alice")
		if err := l.Append(last); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, bytes.SplitAfter(data, []byte("\n"))[:n], Head{Seq: last.Seq, Hash: last.Hash}
}

// rewriteChain is what someone who can write the file but not read the key
// does to hide an edit: change every line's content, then recompute every
// prev_hash and hash. The macs, which need the key, stay as they were.
func rewriteChain(t *testing.T, lines [][]byte) [][]byte {
	t.Helper()
	out := make([][]byte, len(lines))
	prev := ZeroHash
	for i, line := range lines {
		body, _, err := unseal(bytes.TrimSuffix(line, []byte("\n")))
		if err != nil {
			t.Fatal(err)
		}
		_, oldPrev, err := parseLink(body)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.Replace(body, []byte(`"user":"alice"`), []byte(`"user":"mallory"`), 1)
		body = bytes.Replace(body, []byte(`"prev_hash":"`+oldPrev+`"`), []byte(`"prev_hash":"`+prev+`"`), 1)
		var h string
		out[i], h = seal(body)
		prev = h
	}
	return out
}

// TestTampering checks every kind of tampering against every way of
// verifying: the plain chain, a head recorded earlier (--head), the key,
// and an anchor (a head with its seq). Each kind is detected exactly where
// the design says it must be; the undetected cells are the documented
// limits (a truncation or an emptied file leaves a valid, shorter chain).
func TestTampering(t *testing.T) {
	const n = 10
	_, ls, head := writeKeyedLog(t, n)
	edited := bytes.Replace(ls[4], []byte(`"user":"alice"`), []byte(`"user":"mallory"`), 1)
	forged := reseal(t, bytes.Replace(ls[3], []byte(`"user":"alice"`), []byte(`"user":"eve"`), 1))
	rewritten := rewriteChain(t, ls)
	// A rewrite that also drops the (stale) macs, posing as an unkeyed log.
	var stripped [][]byte
	{
		prev := ZeroHash
		for _, line := range rewritten {
			body, _, _ := unseal(bytes.TrimSuffix(line, []byte("\n")))
			body = append(body[:len(body)-macSuffixLen], '}')
			_, oldPrev, _ := parseLink(body)
			body = bytes.Replace(body, []byte(oldPrev), []byte(prev), 1)
			var l []byte
			l, prev = seal(body)
			stripped = append(stripped, l)
		}
	}

	type detected struct{ plain, head, key, anchor bool }
	all := detected{true, true, true, true}
	tests := []struct {
		name string
		log  [][]byte
		want detected
	}{
		{"intact", ls, detected{}},
		{"edit", cat(ls[:4], [][]byte{edited}, ls[5:]), all},
		{"delete", cat(ls[:4], ls[5:]), all},
		{"delete first", ls[1:], all},
		{"insert", cat(ls[:4], [][]byte{forged}, ls[4:]), all},
		{"reorder", cat(ls[:3], [][]byte{ls[4], ls[3]}, ls[5:]), all},
		{"truncate", ls[:7], detected{head: true, anchor: true}},
		{"empty", nil, detected{head: true, anchor: true}},
		{"whole rewrite, hashes recomputed", rewritten, detected{head: true, key: true, anchor: true}},
		{"whole rewrite, macs dropped", stripped, detected{head: true, key: true, anchor: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "decisions.jsonl")
			if err := os.WriteFile(path, bytes.Join(tt.log, nil), 0o600); err != nil {
				t.Fatal(err)
			}
			modes := []struct {
				name string
				opts VerifyOptions
				want bool
			}{
				{"plain", VerifyOptions{}, tt.want.plain},
				{"--head", VerifyOptions{Expect: []Head{{Hash: head.Hash}}}, tt.want.head},
				{"key", VerifyOptions{Key: testKey}, tt.want.key},
				{"anchor", VerifyOptions{Expect: []Head{head}}, tt.want.anchor},
			}
			for _, m := range modes {
				_, err := VerifyLog(path, m.opts)
				if err != nil && !errors.Is(err, ErrChainBroken) {
					t.Fatalf("%s: not a chain error: %v", m.name, err)
				}
				if got := err != nil; got != m.want {
					t.Errorf("%s: detected=%v, want %v (err %v)", m.name, got, m.want, err)
				}
			}
		})
	}
}

// cat concatenates slices of lines.
func cat(parts ...[][]byte) [][]byte {
	var out [][]byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestVerifyKeyed(t *testing.T) {
	path, _, head := writeKeyedLog(t, 3)
	rep, err := VerifyLog(path, VerifyOptions{Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Keyed || rep.Entries != 3 || rep.LastHash != head.Hash {
		t.Fatalf("report %+v, want 3 keyed entries ending in %s", rep, head.Hash)
	}
	wrong := bytes.Repeat([]byte{7}, 32)
	_, err = VerifyLog(path, VerifyOptions{Key: wrong})
	var ce *ChainError
	if !errors.As(err, &ce) || ce.Line != 1 || ce.Problem != errBadMAC.Error() {
		t.Fatalf("wrong key: %v, want line 1 mac mismatch", err)
	}

	// An unkeyed log checked with a key fails closed on its first line.
	plain := openTemp(t)
	if err := plain.Append(decision("alice")); err != nil {
		t.Fatal(err)
	}
	_, err = VerifyLog(plain.Path(), VerifyOptions{Key: testKey})
	if !errors.As(err, &ce) || ce.Line != 1 || ce.Problem != errNoMAC.Error() {
		t.Fatalf("unkeyed log with key: %v, want line 1 no mac", err)
	}
}

func TestVerifyExpect(t *testing.T) {
	path, ls, head := writeKeyedLog(t, 5)
	_, _, h3 := lineHead(t, ls[2])
	other := Head{Hash: hashOf([]byte("something else"))}
	tests := []struct {
		name   string
		expect []Head
		want   string // "" = ok
	}{
		{"last head", []Head{{Hash: head.Hash}}, ""},
		{"middle head by hash", []Head{{Hash: h3}}, ""},
		{"middle head with seq", []Head{{Seq: 3, Hash: h3}}, ""},
		{"head not in chain", []Head{other}, "is not in the chain"},
		{"seq beyond the end", []Head{{Seq: 9, Hash: h3}}, "the log ends at seq 5, before the recorded head at seq 9"},
		{"other hash at seq", []Head{{Seq: 4, Hash: h3}}, "the entry at seq 4 is not the recorded head"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := VerifyLog(path, VerifyOptions{Expect: tt.expect})
			var ee *ExpectError
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tt.want != "" && (!errors.As(err, &ee) || !bytes.Contains([]byte(ee.Problem), []byte(tt.want))):
				t.Fatalf("error %v, want ExpectError containing %q", err, tt.want)
			}
		})
	}
}

// lineHead returns the seq, prev_hash and hash of a line.
func lineHead(t *testing.T, line []byte) (int64, string, string) {
	t.Helper()
	body, h, err := unseal(bytes.TrimSuffix(line, []byte("\n")))
	if err != nil {
		t.Fatal(err)
	}
	seq, prev, err := parseLink(body)
	if err != nil {
		t.Fatal(err)
	}
	return seq, prev, h
}
