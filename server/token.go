package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
)

// tokenBytes is the token's entropy: 256 bits.
const tokenBytes = 32

// NewToken returns a fresh authorization token: 256 bits from crypto/rand,
// as 64 hex digits (no character an SDK or a header could mangle).
func NewToken() (string, error) {
	return newToken(rand.Reader)
}

func newToken(r io.Reader) (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("generate authorization token: %w", err)
	}
	return hex.EncodeToString(b), nil
}
