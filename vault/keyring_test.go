package vault

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/byteness/keyring"

	"github.com/sentinel-cli/sentinel/internal/safefile"
)

func TestOpenKeyringFileBackend(t *testing.T) {
	isolate(t)
	dir := filepath.Join(t.TempDir(), "nested", "keyring")
	kr := fileKeyring(t, dir, "pw")
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o700 {
		t.Errorf("keyring dir mode = %o, want 700", info.Mode().Perm())
	}
	if err := kr.Set(keyring.Item{Key: "k", Data: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	item, err := kr.Get("k")
	if err != nil || string(item.Data) != "v" {
		t.Fatalf("Get = %q, %v", item.Data, err)
	}
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		info, err := f.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("item file %s mode = %o, want 600", f.Name(), info.Mode().Perm())
		}
	}
	// An existing directory with loose permissions is tightened.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	fileKeyring(t, dir, "pw")
	if info, _ := os.Stat(dir); info.Mode().Perm() != 0o700 {
		t.Errorf("reopened keyring dir mode = %o, want 700", info.Mode().Perm())
	}
	// The passphrase is not printable through the keyring value.
	if s := fmt.Sprintf("%v %+v %#v", kr, kr, kr); strings.Contains(s, "pw") {
		t.Errorf("printing the keyring shows the passphrase: %s", s)
	}
}

func TestOpenKeyringDefaultDir(t *testing.T) {
	home := isolate(t)
	t.Setenv("XDG_DATA_HOME", "")
	kr, err := OpenKeyring(KeyringConfig{Backend: "file", Passphrase: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if err := kr.Set(keyring.Item{Key: "k", Data: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(home, ".local", "share", "sentinel", "keyring", "k")); err != nil {
		t.Errorf("item not under ~/.local/share/sentinel/keyring: %v", err)
	}
}

func TestOpenKeyringUnknownBackend(t *testing.T) {
	isolate(t)
	_, err := OpenKeyring(KeyringConfig{Backend: "no-such-backend", FileDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "no-such-backend") {
		t.Fatalf("err = %v, want one naming the backend", err)
	}
}

func TestWrongPassphrase(t *testing.T) {
	dir := keyringWithDev(t, "right", Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "secret"})
	wrong := NewKeyStore(fileKeyring(t, dir, "wrong"))
	_, err := wrong.Get("dev")
	if !errors.Is(err, ErrUndecryptable) {
		t.Fatalf("Get with the wrong passphrase: err = %v, want ErrUndecryptable", err)
	}
	if !strings.Contains(err.Error(), "keyring item keys:dev could not be decrypted: wrong passphrase or corrupt file") {
		t.Errorf("message = %q", err)
	}
	// Writing with the wrong passphrase is refused, rather than storing an
	// item the right passphrase could not read.
	if err := wrong.Set("other", Credentials{AccessKeyID: "AKIAOTHER", SecretAccessKey: "s"}); !errors.Is(err, ErrUndecryptable) {
		t.Errorf("Set with the wrong passphrase: err = %v, want ErrUndecryptable", err)
	}
	if got, err := NewKeyStore(fileKeyring(t, dir, "right")).Get("dev"); err != nil || got.SecretAccessKey != "secret" {
		t.Errorf("right passphrase after the wrong one: %v", err)
	}
}

func TestCorruptItemFile(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	kr := fileKeyring(t, dir, "pw")
	for name, content := range map[string]string{
		"garbage":     "not a JWE at all",
		"three parts": "a.b.c",
		"five parts":  "eyJhbGciOiJQQkVTMi1IUzI1NitBMTI4S1ciLCJlbmMiOiJBMjU2R0NNIiwicDJjIjo4MTkyLCJwMnMiOiJBQUFBIn0.x.y.z.w",
		"empty":       "",
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(dir, "item"), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := kr.Get("item")
			if !errors.Is(err, ErrUndecryptable) {
				t.Fatalf("err = %v, want ErrUndecryptable", err)
			}
		})
	}
}

func TestFilePassphrase(t *testing.T) {
	noTTY := func() (*os.File, error) { return nil, errors.New("no tty") }
	if got, err := filePassphrase("given", noTTY)("prompt"); err != nil || got != "given" {
		t.Errorf("configured passphrase: %q, %v", got, err)
	}
	_, err := filePassphrase("", noTTY)("prompt")
	if !errors.Is(err, ErrKeyringLocked) || strings.Contains(err.Error(), "SENTINEL_FILE_PASSPHRASE") {
		t.Errorf("no tty: err = %v", err)
	}
	// A file that is not a terminal is no better than none.
	notTerminal := func() (*os.File, error) { return os.Open(os.DevNull) }
	if _, err := filePassphrase("", notTerminal)("prompt"); !errors.Is(err, ErrKeyringLocked) {
		t.Errorf("non-terminal: err = %v, want ErrKeyringLocked", err)
	}
}

func TestLockedKeyringThroughKeyStore(t *testing.T) {
	dir := keyringWithDev(t, "pw", Credentials{AccessKeyID: "AKIA1", SecretAccessKey: "s"})
	// Build the keyring the way OpenKeyring does, but with no terminal.
	inner, err := keyring.Open(keyring.Config{
		AllowedBackends:  []keyring.BackendType{keyring.FileBackend},
		FileDir:          dir,
		FilePasswordFunc: filePassphrase("", func() (*os.File, error) { return nil, errors.New("no tty") }),
	})
	if err != nil {
		t.Fatal(err)
	}
	ks := NewKeyStore(&guardedKeyring{inner: inner})
	if _, err := ks.Get("dev"); !errors.Is(err, ErrKeyringLocked) {
		t.Errorf("Get: err = %v, want ErrKeyringLocked", err)
	}
	// Listing needs no passphrase.
	if !ks.Has("dev") {
		t.Error("Has(dev) = false on a locked keyring")
	}
	// A locked keyring is an error for the cache too, and nothing is
	// deleted.
	mustNoErr(t, NewCache(fileKeyring(t, dir, "pw"), nil).PutSession("dev", SessionEntry{Credentials: tempCreds(time.Now().Add(time.Hour)), Identity: aliceID}))
	c := NewCache(&guardedKeyring{inner: inner}, nil)
	if _, ok, err := c.Session("dev", ""); ok || !errors.Is(err, ErrKeyringLocked) {
		t.Errorf("Session on a locked keyring: %v, %v; want ErrKeyringLocked", ok, err)
	}
	if !NewKeyStore(fileKeyring(t, dir, "pw")).Has("dev") {
		t.Error("keys gone")
	}
	if _, ok, err := NewCache(fileKeyring(t, dir, "pw"), nil).Session("dev", ""); !ok || err != nil {
		t.Errorf("session gone after a locked read: %v", err)
	}
}

// The file keyring's directory is refused when someone else could have
// put items in it: a symbolic link, or writable by group or others.
func TestOpenKeyringRefusesUnsafeDir(t *testing.T) {
	isolate(t)
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string
		kind  safefile.Kind
	}{
		{"symlink", func(t *testing.T, dir string) string {
			real := filepath.Join(dir, "real")
			mustNoErr(t, os.Mkdir(real, 0o700))
			link := filepath.Join(dir, "link")
			mustNoErr(t, os.Symlink(real, link))
			return link
		}, safefile.KindSymlink},
		{"group writable", dirWithMode(0o770), safefile.KindWritable},
		{"other writable", dirWithMode(0o707), safefile.KindWritable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.setup(t, t.TempDir())
			_, err := OpenKeyring(KeyringConfig{Backend: "file", FileDir: dir, Passphrase: "pw"})
			var unsafe *safefile.Error
			if !errors.As(err, &unsafe) || unsafe.Kind != tt.kind || !errors.Is(err, safefile.ErrUnsafe) {
				t.Fatalf("err = %v, want a *safefile.Error of kind %v", err, tt.kind)
			}
		})
	}
}

// dirWithMode is a setup making a keyring directory kr of mode (set after
// creation, so the umask does not narrow it).
func dirWithMode(mode os.FileMode) func(*testing.T, string) string {
	return func(t *testing.T, dir string) string {
		d := filepath.Join(dir, "kr")
		mustNoErr(t, os.Mkdir(d, 0o700))
		mustNoErr(t, os.Chmod(d, mode))
		return d
	}
}
