package vault

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/byteness/keyring"
	"golang.org/x/term"

	"github.com/sentinel-cli/sentinel/internal/safefile"
)

// DefaultServiceName is the keyring service (collection, keychain item
// prefix...) sentinel stores its items under.
const DefaultServiceName = "sentinel"

// KeyringConfig says which keyring to open. The zero value opens the
// platform's default keyring.
type KeyringConfig struct {
	// Backend pins one keyring backend by its name ("file",
	// "secret-service", "keychain", "pass", "kwallet", "wincred", "keyctl",
	// ...). Empty means the library's default order for this OS.
	Backend string
	// FileDir is the directory of the file backend. Empty means
	// DefaultFileDir().
	FileDir string
	// Passphrase unlocks the file backend; the CLI fills it from
	// $SENTINEL_FILE_PASSPHRASE. Empty means ask on the terminal.
	Passphrase string
	// ServiceName is the keyring service name. Empty means "sentinel".
	ServiceName string
	// The settings below override, for one backend each, where items go;
	// empty means the service name (or the backend's own default).
	PassDir        string // pass: the password-store directory
	PassCmd        string // pass: the pass executable
	PassPrefix     string // pass: the prefix of item paths
	KeychainName   string // keychain: the macOS keychain
	CollectionName string // secret-service: the collection
	KWalletFolder  string // kwallet: the folder
	KeyCtlScope    string // keyctl: user, session, process or thread
}

// KeyringConfigFromEnv is KeyringConfigFrom(os.Getenv).
func KeyringConfigFromEnv() KeyringConfig { return KeyringConfigFrom(os.Getenv) }

// KeyringConfigFrom reads the keyring settings from the environment getenv
// looks into (os.Getenv, once, at start): each SENTINEL_* variable, else
// its aws-vault counterpart (AWS_VAULT_BACKEND, AWS_VAULT_FILE_PASSPHRASE,
// AWS_VAULT_FILE_DIR, AWS_VAULT_PASS_PASSWORD_STORE_DIR, AWS_VAULT_PASS_CMD,
// AWS_VAULT_PASS_PREFIX, AWS_VAULT_KEYCHAIN_NAME,
// AWS_VAULT_SECRET_SERVICE_COLLECTION_NAME, AWS_VAULT_KWALLET_FOLDER,
// AWS_VAULT_KEYCTL_SCOPE), so that an aws-vault set-up works unchanged.
// The CLI also takes the backend as --backend.
func KeyringConfigFrom(getenv func(string) string) KeyringConfig {
	get := func(suffix string) string { return cmp.Or(getenv("SENTINEL_"+suffix), getenv("AWS_VAULT_"+suffix)) }
	return KeyringConfig{
		Backend:        get("BACKEND"),
		Passphrase:     get("FILE_PASSPHRASE"),
		FileDir:        get("FILE_DIR"),
		PassDir:        get("PASS_PASSWORD_STORE_DIR"),
		PassCmd:        get("PASS_CMD"),
		PassPrefix:     get("PASS_PREFIX"),
		KeychainName:   get("KEYCHAIN_NAME"),
		CollectionName: get("SECRET_SERVICE_COLLECTION_NAME"),
		KWalletFolder:  get("KWALLET_FOLDER"),
		KeyCtlScope:    get("KEYCTL_SCOPE"),
	}
}

// DefaultFileDir is where the file backend keeps its items:
// $XDG_DATA_HOME/sentinel/keyring, else ~/.local/share/sentinel/keyring.
func DefaultFileDir() (string, error) {
	base := os.Getenv("XDG_DATA_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the keyring directory: %w", err)
		}
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "sentinel", "keyring"), nil
}

// OpenKeyring opens the keyring cfg describes. It does no network call and,
// for the file backend, no decryption: the passphrase is asked for (or
// checked) on the first read or write.
func OpenKeyring(cfg KeyringConfig) (keyring.Keyring, error) {
	service := cmp.Or(cfg.ServiceName, DefaultServiceName)
	dir := cfg.FileDir
	if dir == "" {
		d, err := DefaultFileDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	kc := keyring.Config{
		ServiceName:              service,
		FileDir:                  dir,
		FilePasswordFunc:         filePassphrase(cfg.Passphrase, openTTY),
		KeychainName:             cfg.KeychainName,
		KeychainTrustApplication: true,
		LibSecretCollectionName:  cmp.Or(cfg.CollectionName, service),
		KWalletAppID:             service,
		KWalletFolder:            cmp.Or(cfg.KWalletFolder, service),
		KeyCtlScope:              cmp.Or(cfg.KeyCtlScope, "user"),
		PassDir:                  cfg.PassDir,
		PassCmd:                  cfg.PassCmd,
		PassPrefix:               cmp.Or(cfg.PassPrefix, service),
		WinCredPrefix:            service,
	}
	if cfg.Backend != "" {
		// Pinned: do not probe other backends (D-Bus, keychain...), which is
		// slow and would run before every AWS CLI call.
		kc.AllowedBackends = []keyring.BackendType{keyring.BackendType(cfg.Backend)}
		if !slices.Contains(keyring.AvailableBackends(), kc.AllowedBackends[0]) {
			return nil, fmt.Errorf("keyring backend %q is not available here (choose one of %v)", cfg.Backend, keyring.AvailableBackends())
		}
	}
	if cfg.Backend == string(keyring.FileBackend) {
		// The library creates a missing directory 0700 but leaves an
		// existing one as it is; tighten it ourselves.
		if err := ensurePrivateDir(dir); err != nil {
			return nil, err
		}
	}
	kr, backend, err := openFirst(kc)
	if err != nil {
		if cfg.Backend != "" {
			return nil, fmt.Errorf("open keyring backend %q: %w", cfg.Backend, err)
		}
		return nil, fmt.Errorf("open keyring: %w", err)
	}
	return &guardedKeyring{inner: kr, info: describe(backend, kc)}, nil
}

// openFirst opens the first backend of kc.AllowedBackends (all available
// ones, in the library's order, when nil) that opens, as keyring.Open
// does, and says which one it was.
func openFirst(kc keyring.Config) (keyring.Keyring, keyring.BackendType, error) {
	order := kc.AllowedBackends
	if order == nil {
		order = keyring.AvailableBackends()
	}
	err := keyring.ErrNoAvailImpl
	for _, b := range order {
		one := kc
		one.AllowedBackends = []keyring.BackendType{b}
		var kr keyring.Keyring
		if kr, err = keyring.Open(one); err == nil {
			return kr, b, nil
		}
	}
	return nil, "", err
}

// ensurePrivateDir creates dir with mode 0700 where missing, and refuses
// one that is a symbolic link, belongs to someone else or is writable by
// group or others (a *safefile.Error, matching safefile.ErrUnsafe):
// whoever can write there can plant or swap items. An existing directory
// that others can merely read is made 0700.
func ensurePrivateDir(dir string) error {
	if err := safefile.MkdirAll(dir); err != nil {
		return fmt.Errorf("keyring directory: %w", err)
	}
	info, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("keyring directory %s: %w", dir, err)
	}
	if info.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("make keyring directory %s private: %w", dir, err)
		}
	}
	return nil
}

// openTTY opens the controlling terminal.
func openTTY() (*os.File, error) {
	return os.OpenFile("/dev/tty", os.O_RDWR, 0)
}

// filePassphrase is the file backend's password function: the configured
// passphrase, else one read without echo from the terminal that tty opens.
func filePassphrase(passphrase string, tty func() (*os.File, error)) keyring.PromptFunc {
	return func(prompt string) (string, error) {
		if passphrase != "" {
			return passphrase, nil
		}
		tty, err := tty()
		if err != nil {
			return "", ErrKeyringLocked
		}
		defer tty.Close()
		if !term.IsTerminal(int(tty.Fd())) {
			return "", ErrKeyringLocked
		}
		fmt.Fprintf(tty, "%s: ", prompt)
		b, err := term.ReadPassword(int(tty.Fd()))
		fmt.Fprintln(tty)
		if err != nil {
			return "", fmt.Errorf("read keyring passphrase: %w", err)
		}
		if len(b) == 0 {
			return "", fmt.Errorf("%w: empty passphrase", ErrKeyringLocked)
		}
		return string(b), nil
	}
}

// guardedKeyring wraps a backend so that its failures reach the user as
// clear errors: an item that cannot be decrypted says so (the file backend
// only reports a JOSE error), and a panic inside a backend on a damaged item
// becomes an error too. It also serialises calls: the file backend caches
// its passphrase in an unguarded field, and server mode reads the keyring
// from several goroutines.
type guardedKeyring struct {
	mu    sync.Mutex
	inner keyring.Keyring
	info  KeyringInfo
}

// String keeps fmt from printing the backend's fields: the file backend
// holds the passphrase in one of them.
func (g *guardedKeyring) String() string { return "keyring" }

// GoString is String, for %#v.
func (g *guardedKeyring) GoString() string { return g.String() }

// Format is String for every verb.
func (g *guardedKeyring) Format(f fmt.State, _ rune) { fmt.Fprint(f, g.String()) }

func (g *guardedKeyring) Get(key string) (item keyring.Item, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			item, err = keyring.Item{}, undecryptable(key)
		}
	}()
	item, err = g.inner.Get(key)
	if err == nil {
		return item, nil
	}
	if errors.Is(err, keyring.ErrKeyNotFound) || errors.Is(err, ErrKeyringLocked) {
		return keyring.Item{}, err
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return keyring.Item{}, fmt.Errorf("keyring item %s: %w", key, err)
	}
	// What is left is a decryption or decoding failure of the item itself.
	// The underlying error is not included: it says nothing more useful.
	return keyring.Item{}, undecryptable(key)
}

func undecryptable(key string) error {
	return newError(ErrBadPassphrase, nil, "keyring item %s could not be decrypted: wrong passphrase or corrupt file", key)
}

func (g *guardedKeyring) GetMetadata(key string) (keyring.Metadata, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inner.GetMetadata(key)
}

func (g *guardedKeyring) Set(item keyring.Item) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.inner.Set(item); err != nil {
		if errors.Is(err, ErrKeyringLocked) {
			return err
		}
		return fmt.Errorf("keyring item %s: store: %w", item.Key, err)
	}
	return nil
}

func (g *guardedKeyring) Remove(key string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	err := g.inner.Remove(key)
	if err != nil && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, keyring.ErrKeyNotFound)) {
		return keyring.ErrKeyNotFound
	}
	if err != nil {
		return fmt.Errorf("keyring item %s: remove: %w", key, err)
	}
	return nil
}

func (g *guardedKeyring) Keys() ([]string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	keys, err := g.inner.Keys()
	if err != nil {
		return nil, fmt.Errorf("list keyring items: %w", err)
	}
	return keys, nil
}
