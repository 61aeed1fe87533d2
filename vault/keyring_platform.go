package vault

import (
	"runtime"
	"slices"

	"github.com/byteness/keyring"
)

// KeychainMissing reports whether this is a macOS build without the
// Keychain backend: the keyring's keychain code needs cgo, so a
// CGO_ENABLED=0 or cross-compiled darwin binary falls back to pass or the
// encrypted file backend. Release builds for macOS are made with cgo.
func KeychainMissing() bool {
	return keychainMissing(runtime.GOOS, keyring.AvailableBackends())
}

func keychainMissing(goos string, available []keyring.BackendType) bool {
	return goos == "darwin" && !slices.Contains(available, keyring.KeychainBackend)
}
