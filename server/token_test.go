package server

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		tok, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := hex.DecodeString(tok)
		if err != nil || len(raw) != 32 {
			t.Fatalf("token %q is not 256 bits of hex", tok)
		}
		if seen[tok] {
			t.Fatalf("token repeated after %d draws", i)
		}
		seen[tok] = true
	}
}

func TestNewTokenReportsRandomFailure(t *testing.T) {
	boom := errors.New("no entropy")
	if tok, err := newToken(iotest.ErrReader(boom)); !errors.Is(err, boom) || tok != "" {
		t.Errorf("newToken = %q, %v; want no token and the reader's error", tok, err)
	}
	if _, err := newToken(strings.NewReader("short")); err == nil {
		t.Error("a short read gave a token")
	}
}
