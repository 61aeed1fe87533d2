package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sentinel-cli/sentinel/config"
	"github.com/sentinel-cli/sentinel/internal/safefile"
	"github.com/sentinel-cli/sentinel/notify"
	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/secretref"
)

// MaxServeConfigSize is the largest service config file read.
const MaxServeConfigSize = 64 << 10

// Store backends of the service.
const (
	StoreDynamoDB = "dynamodb"
	StoreLocal    = "local"
)

// maxServerID bounds server_id, which every proof carries in a header.
const maxServerID = 64

// ErrServeConfig is matched by every problem with the service config.
var ErrServeConfig = errors.New("invalid service config")

// ServeConfig is the config of `sentinel serve`: which policy it decides
// by, who may authenticate, where its state and log live and how it
// listens. It is decoded strictly: an unknown key is an error.
type ServeConfig struct {
	// ServerID is bound into every proof: a proof made for another
	// server is refused.
	ServerID string `yaml:"server_id"`
	// PublicURLs are the base URLs clients call the service at. A proof
	// is signed for the URL its client called (X-Sentinel-Audience) and
	// the service accepts only these, plus http://127.0.0.1:PORT and
	// http://localhost:PORT on a loopback listener, and on Lambda without
	// public_urls the URL the event names; see Audiences.
	PublicURLs []string `yaml:"public_urls"`
	// Listen is the address to listen on; --listen wins. On Lambda it is
	// not used.
	Listen string `yaml:"listen"`
	// Policy is the policy file; its profiles: section is the catalogue.
	Policy string `yaml:"policy"`
	// Accounts are the AWS accounts whose principals may authenticate.
	Accounts []string `yaml:"accounts"`
	// Store is where requests, break-glass events and sessions live.
	Store ServeStore `yaml:"store"`
	// Log is where decisions and lifecycle events are written.
	Log ServeLog `yaml:"log"`
	// TLS is the certificate the service presents; without it the service
	// listens in plain HTTP only on a loopback address.
	TLS ServeTLS `yaml:"tls"`
	// STSEndpoint is the STS endpoint proofs are forwarded to (and the
	// only one a proof may be signed for); see ResolveSTSEndpoint.
	STSEndpoint string `yaml:"sts_endpoint"`
	// Notify lists the webhooks the service tells of lifecycle changes
	// (the service acts, so it sends them and holds their secrets).
	Notify []notify.Webhook `yaml:"notify"`
	// RevokeInAWS turns on the SentinelRevocations deny the service
	// writes on the roles of revoked credentials, and names the revoker
	// role of each account it assumes to write it.
	RevokeInAWS ServeRevokeInAWS `yaml:"revoke_in_aws"`

	// AllowEnv lists the variables of LambdaGuardedVars the service may
	// start with on AWS Lambda (see CheckLambdaEnv); empty on a normal
	// deployment.
	AllowEnv []string `yaml:"allow_env"`

	// Path is the file the config was read from.
	Path string `yaml:"-"`
}

// ServeStore says which backend holds the service's state.
type ServeStore struct {
	// Backend is "dynamodb" or "local".
	Backend string `yaml:"backend"`
	// Region is the region of the DynamoDB tables, and of STS when the
	// config names no endpoint.
	Region string `yaml:"region"`
	// Path is the embedded store's file (backend local).
	Path string `yaml:"path"`
	// Tables name the DynamoDB tables (backend dynamodb).
	Tables ServeTables `yaml:"tables"`
}

// ServeTables name the DynamoDB tables.
type ServeTables struct {
	Requests   string `yaml:"requests"`
	Breakglass string `yaml:"breakglass"`
	Sessions   string `yaml:"sessions"` // Revocations is the revocation list's table (revocation in AWS);
	// empty means sentinel-revocations.
	Revocations string `yaml:"revocations"`
}

// ServeLog says where the decision log goes: a file, stdout, or both.
type ServeLog struct {
	File   string `yaml:"file"`
	Stdout bool   `yaml:"stdout"`
	// HMACKeyFile keys the log (each entry carries a chained HMAC-SHA256
	// under this key), so that whoever can write the log file but not
	// read the key cannot rebuild the chain: the service's log is where
	// that holds, since people do not run on its machine.
	HMACKeyFile string `yaml:"hmac_key_file"`
	// HMACKey names the key in AWS Secrets Manager or SSM Parameter
	// Store instead of a file (hmac_key: {secret_arn: ...} or {ssm:
	// ...}), fetched once at start: on Lambda a key file would sit in the
	// package, which lambda:GetFunction hands out.
	HMACKey secretref.Ref `yaml:"hmac_key"`
	// MaxBytes rotates the file past this size, the chain continuing in
	// the next file; 0 means DefaultServeLogMaxBytes.
	MaxBytes int64 `yaml:"max_bytes"`
}

// DefaultServeLogMaxBytes is the size past which the service's log is
// rotated when log.max_bytes is not set.
const DefaultServeLogMaxBytes = 100 << 20

// ServeRevokeInAWS is the serve config's revoke_in_aws: section.
type ServeRevokeInAWS struct {
	// Enabled turns the feature on; without it revokers are refused, so
	// that a config naming revokers never silently does nothing.
	Enabled bool `yaml:"enabled"`
	// Revokers maps each account holding a pinned or via role to the
	// ARN of its revoker role. The service's own account may be left
	// out: the service then makes the IAM calls there with its own
	// role's credentials.
	Revokers config.Revokers `yaml:"revokers"`
}

// RevokerFor is the revoker role ARN for account, if one is configured.
func (r ServeRevokeInAWS) RevokerFor(account string) (roleARN string, ok bool) {
	return r.Revokers.RevokerFor(account)
}

// ServeTLS names the certificate and key files.
type ServeTLS struct {
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
}

// ReadServeConfig reads and checks the service config at path, through
// safefile: not a symbolic link, not another user's file, not writable by
// group or others.
func ReadServeConfig(path string) (*ServeConfig, error) {
	data, err := safefile.ReadFile(path, MaxServeConfigSize)
	if err != nil {
		return nil, fmt.Errorf("read service config: %w", err)
	}
	c, err := ParseServeConfig(data)
	if err != nil {
		return nil, fmt.Errorf("service config %s: %w", path, err)
	}
	c.Path = path
	return c, nil
}

// ParseServeConfig decodes and checks a service config.
func ParseServeConfig(data []byte) (*ServeConfig, error) {
	c := &ServeConfig{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: the file is empty", ErrServeConfig)
		}
		return nil, fmt.Errorf("%w: %s", ErrServeConfig, oneLine(err.Error()))
	}
	// A second document would be silently ignored: refuse it.
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: more than one YAML document", ErrServeConfig)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrServeConfig, err)
	}
	return c, nil
}

func (c *ServeConfig) validate() error {
	if err := checkServerID(c.ServerID); err != nil {
		return err
	}
	for i, w := range c.Notify {
		if err := w.Check(i + 1); err != nil {
			return err
		}
	}
	for _, u := range c.PublicURLs {
		if err := checkPublicURL(u); err != nil {
			return fmt.Errorf("public_urls: %w", err)
		}
	}
	if c.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			return fmt.Errorf("listen %q is not HOST:PORT", c.Listen)
		}
	}
	if c.Policy == "" {
		return errors.New("policy: the policy file must be named")
	}
	if len(c.Accounts) == 0 {
		return errors.New("accounts: at least one account must be accepted")
	}
	seen := map[string]bool{}
	for _, a := range c.Accounts {
		if !person.IsAccountID(a) {
			return fmt.Errorf("accounts: %q is not a 12-digit account ID", a)
		}
		if seen[a] {
			return fmt.Errorf("accounts: %s is listed twice", a)
		}
		seen[a] = true
	}
	switch c.Store.Backend {
	case StoreLocal:
		if c.Store.Path == "" {
			return errors.New("store.path: the local store needs a file")
		}
		if c.Store.Tables != (ServeTables{}) {
			return errors.New("store.tables: only the dynamodb store has tables")
		}
	case StoreDynamoDB:
		if c.Store.Path != "" {
			return errors.New("store.path: only the local store has a file")
		}
	case "":
		return errors.New("store.backend: must be dynamodb or local")
	default:
		return fmt.Errorf("store.backend %q is not one of dynamodb, local", c.Store.Backend)
	}
	if c.Store.Region != "" && !validRegion(c.Store.Region) {
		return fmt.Errorf("store.region %q is not a region name", c.Store.Region)
	}
	if c.Log.File == "" && !c.Log.Stdout {
		return errors.New("log: a file, stdout: true, or both")
	}
	if !c.Log.HMACKey.IsZero() {
		if c.Log.HMACKeyFile != "" {
			return errors.New("log: hmac_key and hmac_key_file exclude each other")
		}
		if err := c.Log.HMACKey.Check(); err != nil {
			return fmt.Errorf("log.hmac_key: %w", err)
		}
	}
	if c.Log.MaxBytes < 0 {
		return fmt.Errorf("log.max_bytes %d is negative", c.Log.MaxBytes)
	}
	if (c.TLS.Cert == "") != (c.TLS.Key == "") {
		return errors.New("tls: cert and key go together")
	}
	if err := checkAllowEnv(c.AllowEnv); err != nil {
		return err
	}
	if err := c.RevokeInAWS.Revokers.Check("revoke_in_aws.revokers"); err != nil {
		return err
	}
	if len(c.RevokeInAWS.Revokers) > 0 && !c.RevokeInAWS.Enabled {
		return errors.New("revoke_in_aws: revokers are named but enabled is not true")
	}
	if c.STSEndpoint != "" {
		if err := checkEndpoint(c.STSEndpoint); err != nil {
			return fmt.Errorf("sts_endpoint: %w", err)
		}
	}
	return nil
}

// HasTLS reports whether the config names a certificate.
func (c *ServeConfig) HasTLS() bool { return c.TLS.Cert != "" }

// CheckListen refuses plain HTTP on anything but a loopback address:
// proofs and credentials must not cross a network in the clear.
func (c *ServeConfig) CheckListen(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: listen %q is not HOST:PORT", ErrServeConfig, addr)
	}
	if c.HasTLS() {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%w: plain HTTP only on a loopback address; %q needs tls: {cert, key}", ErrServeConfig, addr)
}

// ResolveSTSEndpoint is the STS endpoint proofs are forwarded to:
// sts_endpoint from the config, else envEndpoint (AWS_ENDPOINT_URL_STS,
// read once by the caller at start), else the regional endpoint of
// region.
func (c *ServeConfig) ResolveSTSEndpoint(envEndpoint, region string) (string, error) {
	if c.STSEndpoint != "" {
		return c.STSEndpoint, nil
	}
	if envEndpoint != "" {
		if err := checkEndpoint(envEndpoint); err != nil {
			return "", fmt.Errorf("%w: AWS_ENDPOINT_URL_STS: %w", ErrServeConfig, err)
		}
		return envEndpoint, nil
	}
	if region == "" {
		return "", fmt.Errorf("%w: no region for STS: set store.region, sts_endpoint or AWS_REGION", ErrServeConfig)
	}
	if !validRegion(region) {
		return "", fmt.Errorf("%w: %q is not a region name", ErrServeConfig, region)
	}
	return "https://sts." + region + ".amazonaws.com", nil
}

// checkEndpoint accepts an https URL, or http to a loopback host (the
// local stand-ins), with no user info, query or fragment.
func checkEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%q must be scheme://host[:port][/path] only", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
		return fmt.Errorf("%q: plain http only to a loopback host", raw)
	}
	return fmt.Errorf("%q: scheme must be https", raw)
}

func checkServerID(id string) error {
	if id == "" {
		return errors.New("server_id: must be set")
	}
	if len(id) > maxServerID {
		return fmt.Errorf("server_id: longer than %d characters", maxServerID)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("server_id: only letters, digits, '.', '-' and '_'")
		}
	}
	return nil
}

// validRegion accepts what AWS region names look like: lowercase letters,
// digits and dashes, such as eu-west-1.
func validRegion(r string) bool {
	if len(r) < 3 || len(r) > 32 || r[0] == '-' || r[len(r)-1] == '-' {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
