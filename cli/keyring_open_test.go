package cli

import (
	"strings"
	"testing"
)

// TestOpenKeyringSaysItOnce: a keyring that cannot be opened is named once
// in the error ("open keyring backend "pass": ...", never "open keyring:
// open keyring backend ..."): vault's errors name the keyring already.
func TestOpenKeyringSaysItOnce(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	for _, backend := range []string{"no-such-backend", "pass"} {
		t.Run(backend, func(t *testing.T) {
			g := &Globals{KeyringBackend: backend}
			_, err := g.openKeyring()
			if err == nil {
				t.Skipf("backend %s opens here", backend)
			}
			msg := err.Error()
			if strings.Count(msg, "open keyring") > 1 || strings.HasPrefix(msg, "open keyring: keyring") {
				t.Errorf("%q names the keyring twice", msg)
			}
			if !strings.Contains(msg, "keyring") {
				t.Errorf("%q does not say it is the keyring", msg)
			}
		})
	}
}
