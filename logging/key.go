package logging

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sentinel-cli/sentinel/internal/safefile"
)

// MinKeySize is the smallest HMAC key ReadKeyFile accepts: 32 bytes, the
// size of the SHA-256 output, as random bytes.
const MinKeySize = 32

// maxKeySize bounds a key file; a real one is 32 to 64 bytes.
const maxKeySize = 4096

// ErrWeakKey means a key file is shorter than MinKeySize.
var ErrWeakKey = errors.New("log key file holds fewer than 32 bytes")

// ErrKeyReadable means group or others may read the key file.
var ErrKeyReadable = errors.New("log key file is readable by group or others (want mode 0600)")

// ReadKeyFile reads the HMAC key of keyed mode: the whole file, as bytes.
// The file is read without following a symbolic link, must belong to the
// user or root, and must be readable by its owner only (0600 or stricter):
// a key others can read protects nothing.
func ReadKeyFile(path string) ([]byte, error) {
	f, err := safefile.Open(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("log key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("log key file %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s: %w", path, ErrKeyReadable)
	}
	key, err := io.ReadAll(io.LimitReader(f, maxKeySize+1))
	if err != nil {
		return nil, fmt.Errorf("log key file %s: %w", path, err)
	}
	if len(key) > maxKeySize {
		return nil, fmt.Errorf("log key file %s: %w (over %d bytes)", path, safefile.ErrTooLarge, maxKeySize)
	}
	if len(key) < MinKeySize {
		return nil, fmt.Errorf("%s: %w", path, ErrWeakKey)
	}
	return key, nil
}
