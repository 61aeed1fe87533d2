package vault

import (
	"runtime"
	"testing"

	"github.com/byteness/keyring"
)

func TestKeychainMissing(t *testing.T) {
	for _, tc := range []struct {
		goos      string
		available []keyring.BackendType
		want      bool
	}{
		{"darwin", []keyring.BackendType{keyring.KeychainBackend, keyring.PassBackend, keyring.FileBackend}, false},
		{"darwin", []keyring.BackendType{keyring.PassBackend, keyring.FileBackend}, true},
		{"darwin", []keyring.BackendType{keyring.FileBackend}, true},
		{"linux", []keyring.BackendType{keyring.SecretServiceBackend, keyring.FileBackend}, false},
		{"windows", []keyring.BackendType{keyring.WinCredBackend, keyring.FileBackend}, false},
	} {
		if got := keychainMissing(tc.goos, tc.available); got != tc.want {
			t.Errorf("keychainMissing(%s, %v) = %v, want %v", tc.goos, tc.available, got, tc.want)
		}
	}
	if runtime.GOOS != "darwin" && KeychainMissing() {
		t.Errorf("KeychainMissing() on %s", runtime.GOOS)
	}
}

// TestBackendsBuiltIn: the tag set keeps the backends people use and
// leaves out 1Password, Proton Pass and passage (internal/buildtags). The
// test binary is built with the tags `make test` passes.
func TestBackendsBuiltIn(t *testing.T) {
	available := map[keyring.BackendType]bool{}
	for _, b := range keyring.AvailableBackends() {
		available[b] = true
	}
	want := map[string][]keyring.BackendType{
		// secret-service and kwallet register only when a D-Bus session
		// bus answers; internal/release checks the binary holds D-Bus.
		"linux":   {keyring.KeyCtlBackend, keyring.PassBackend, keyring.FileBackend},
		"windows": {keyring.WinCredBackend, keyring.FileBackend},
		"darwin":  {keyring.PassBackend, keyring.FileBackend},
	}[runtime.GOOS]
	for _, b := range want {
		if !available[b] {
			t.Errorf("backend %s is not built in (have %v)", b, keyring.AvailableBackends())
		}
	}
	for _, b := range []keyring.BackendType{keyring.OPBackend, keyring.OPConnectBackend, keyring.OPDesktopBackend, keyring.ProtonPassBackend, keyring.PassageBackend} {
		if available[b] {
			t.Errorf("backend %s is built in; the build tags should leave it out", b)
		}
	}
}
