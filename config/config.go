package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/sentinel-cli/sentinel/internal/safefile"
	"github.com/sentinel-cli/sentinel/notify"
)

// Store backends.
const (
	BackendLocal    = "local"
	BackendDynamoDB = "dynamodb"
)

// Default table names.
const (
	DefaultRequestsTable   = "sentinel-requests"
	DefaultBreakglassTable = "sentinel-breakglass"
	DefaultSessionsTable   = "sentinel-sessions"
)

// Config is the sentinel configuration file. The zero value is a working
// configuration: every field has a default.
type Config struct {
	// Policy is the path of the policy file.
	Policy string `yaml:"policy"`
	// Log is the path of the decision log.
	Log string `yaml:"log"`
	// LogHMACKeyFile turns on the log's keyed mode: a file of at least 32
	// random bytes, mode 0600, whose key signs every entry.
	LogHMACKeyFile string `yaml:"log_hmac_key_file"`
	// LogAnchorEvery anchors the log's head every this many entries
	// (default DefaultLogAnchorEvery) when LogAnchors names anchors.
	LogAnchorEvery int64 `yaml:"log_anchor_every"`
	// LogMaxBytes rotates the log past this size (default
	// DefaultLogMaxBytes).
	LogMaxBytes int64 `yaml:"log_max_bytes"`
	// LogAnchors are where the log's head is recorded.
	LogAnchors []LogAnchor `yaml:"log_anchors"`
	// Store says where approvals and break-glass events are kept.
	Store Store `yaml:"store"`
	// IdentityProfile is the profile whose base credentials identify the
	// person for commands that name no profile (approve, deny, listings).
	IdentityProfile string `yaml:"identity_profile"`
	// Server is the team vending service; when set, commands go through it
	// instead of running the decision flow on this machine.
	Server Server `yaml:"server"`
	// Prompt is the MFA prompt driver (terminal, zenity, kdialog,
	// osascript, ykman) when neither --prompt nor $SENTINEL_PROMPT nor
	// $AWS_VAULT_PROMPT names one.
	Prompt string `yaml:"prompt"`
	// Notify lists the webhooks told of approval, break-glass and session
	// changes this machine makes. In team mode the service sends them.
	Notify []notify.Webhook `yaml:"notify"`
	// RevokeInAWS names the revoker role of each account that `--in-aws`
	// assumes with this person's keys to write the SentinelRevocations
	// deny on the revoked credentials' roles.
	RevokeInAWS RevokeInAWS `yaml:"revoke_in_aws"`

	// path is the file this configuration was read from, for messages.
	path string
}

// Store configures the shared state backend.
type Store struct {
	// Backend is "local" (the default) or "dynamodb".
	Backend string `yaml:"backend"`
	// Region is the DynamoDB region.
	Region string `yaml:"region"`
	// Tables names the DynamoDB tables.
	Tables Tables `yaml:"tables"`
	// Path is the file of the local backend.
	Path string `yaml:"path"`
}

// Defaults of the log keys.
const (
	DefaultLogAnchorEvery = 1000
	DefaultLogMaxBytes    = 100 << 20
)

// LogAnchor is one place the log's head is recorded: exactly one of
// Webhook (an https URL, or http to a loopback address) or Store (the
// shared store configured under store:).
type LogAnchor struct {
	Webhook string `yaml:"webhook"`
	Store   bool   `yaml:"store"`
}

// Tables names the DynamoDB tables.
type Tables struct {
	Requests   string `yaml:"requests"`
	Breakglass string `yaml:"breakglass"`
	Sessions   string `yaml:"sessions"` // Revocations is the revocation list's table (revocation in AWS);
	// empty means sentinel-revocations.
	Revocations string `yaml:"revocations"`
}

// Server names the team vending service (`sentinel serve`) a laptop uses.
// Both fields are set, or neither.
type Server struct {
	// URL is the service's base URL: https, or http only to a loopback
	// host.
	URL string `yaml:"url"`
	// ServerID is the server_id the service must have; it is bound into
	// every proof, and the client takes it only from here, never from the
	// service.
	ServerID string `yaml:"server_id"`
}

// Configured reports whether a team service is configured.
func (s Server) Configured() bool { return s.URL != "" }

// Path returns the file the configuration was read from ("" for defaults).
func (c *Config) Path() string { return c.path }

// DefaultPath is $SENTINEL_CONFIG, else $XDG_CONFIG_HOME/sentinel/config.yaml.
func DefaultPath() string {
	if p := os.Getenv("SENTINEL_CONFIG"); p != "" {
		return p
	}
	return filepath.Join(ConfigDir(), "config.yaml")
}

// ConfigDir is $XDG_CONFIG_HOME/sentinel (default ~/.config/sentinel).
func ConfigDir() string {
	return filepath.Join(xdgDir("XDG_CONFIG_HOME", ".config"), "sentinel")
}

// StateDir is $XDG_STATE_HOME/sentinel (default ~/.local/state/sentinel).
func StateDir() string {
	return filepath.Join(xdgDir("XDG_STATE_HOME", filepath.Join(".local", "state")), "sentinel")
}

// CacheDir is $XDG_CACHE_HOME/sentinel (default ~/.cache/sentinel): what
// sentinel can rebuild at any time, such as compiled policies.
func CacheDir() string {
	return filepath.Join(xdgDir("XDG_CACHE_HOME", ".cache"), "sentinel")
}

// xdgDir is the directory an XDG variable names, else fallback under the
// home directory. A relative value is invalid by the XDG spec and ignored.
func xdgDir(variable, fallback string) string {
	if dir := os.Getenv(variable); dir != "" && filepath.IsAbs(dir) {
		return dir
	}
	return filepath.Join(homeDir(), fallback)
}

func homeDir() string {
	if h, err := os.UserHomeDir(); err == nil {
		return h
	}
	return "."
}

// MaxSize is the largest config file Load reads: a real one is a few
// hundred bytes.
const MaxSize = 64 << 10

// Load reads the configuration at path. A missing file is not an error: it
// yields the defaults, so that sentinel works before anyone writes one.
//
// The config says which policy, log and store sentinel trusts, so a file
// someone else may have written (a symbolic link, another user's file, one
// group or others can write) is refused with a *safefile.Error, and one
// over MaxSize with safefile.ErrTooLarge.
func Load(path string) (*Config, error) {
	data, err := safefile.ReadFile(path, MaxSize)
	if errors.Is(err, os.ErrNotExist) {
		c := &Config{}
		c.applyDefaults()
		return c, nil
	}
	if err != nil {
		// Both os and safefile errors name the path.
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(data, path)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Parse decodes a configuration strictly: unknown keys and wrong types are
// errors that name the file and line.
func Parse(data []byte, path string) (*Config, error) {
	c := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config %s: %s", path, yamlMessage(err))
	}
	c.path = path
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	c.applyDefaults()
	return c, nil
}

func (c *Config) validate() error {
	switch c.Store.Backend {
	case "", BackendLocal, BackendDynamoDB:
	default:
		return fmt.Errorf("store.backend %q is not one of local, dynamodb", c.Store.Backend)
	}
	for i, w := range c.Notify {
		if err := w.Check(i + 1); err != nil {
			return err
		}
	}
	if err := c.Server.validate(); err != nil {
		return err
	}
	if err := c.RevokeInAWS.Revokers.Check("revoke_in_aws.revokers"); err != nil {
		return err
	}
	return c.validateLog()
}

func (c *Config) applyDefaults() {
	c.Store.Backend = cmp.Or(c.Store.Backend, BackendLocal)
	c.Store.Tables.Requests = cmp.Or(c.Store.Tables.Requests, DefaultRequestsTable)
	c.Store.Tables.Breakglass = cmp.Or(c.Store.Tables.Breakglass, DefaultBreakglassTable)
	c.Store.Tables.Sessions = cmp.Or(c.Store.Tables.Sessions, DefaultSessionsTable)
	if c.Store.Path == "" {
		c.Store.Path = filepath.Join(StateDir(), "state.db")
	}
	c.IdentityProfile = cmp.Or(c.IdentityProfile, "default")
	c.LogAnchorEvery = cmp.Or(c.LogAnchorEvery, DefaultLogAnchorEvery)
	c.LogMaxBytes = cmp.Or(c.LogMaxBytes, DefaultLogMaxBytes)
}

// PolicyPath resolves where the policy lives: the flag, else
// $SENTINEL_POLICY, else the config's policy:, else
// $XDG_CONFIG_HOME/sentinel/policy.yaml.
func (c *Config) PolicyPath(flag string) string {
	switch {
	case flag != "":
		return flag
	case os.Getenv("SENTINEL_POLICY") != "":
		return os.Getenv("SENTINEL_POLICY")
	case c.Policy != "":
		return c.Policy
	}
	return filepath.Join(ConfigDir(), "policy.yaml")
}

// LogPath resolves where the decision log lives: the flag, else the
// config's log:, else $XDG_STATE_HOME/sentinel/decisions.jsonl.
func (c *Config) LogPath(flag string) string {
	switch {
	case flag != "":
		return flag
	case c.Log != "":
		return c.Log
	}
	return filepath.Join(StateDir(), "decisions.jsonl")
}

// yamlMessage turns yaml.v3's multi-line type errors into one line.
func yamlMessage(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return joinLines(te.Errors)
	}
	return err.Error()
}

func joinLines(lines []string) string {
	out := ""
	for i, l := range lines {
		if i > 0 {
			out += "; "
		}
		out += l
	}
	return out
}
