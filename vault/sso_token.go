package vault

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/sentinel-cli/sentinel/internal/safefile"
)

// maxSSOTokenFile bounds what is read of a token file.
const maxSSOTokenFile = 64 << 10

// SSOToken is an IAM Identity Center sign-in as the AWS CLI caches it in
// ~/.aws/sso/cache/<key>.json: a bearer token, the refresh token and the
// OIDC client registration it is refreshed with. It holds secrets: its
// String method shows none of them.
type SSOToken struct {
	StartURL              string
	Region                string
	AccessToken           string
	ExpiresAt             time.Time
	RefreshToken          string
	ClientID              string
	ClientSecret          string
	RegistrationExpiresAt time.Time
}

// String describes the token without its secrets.
func (t SSOToken) String() string {
	return fmt.Sprintf("SSO token for %s (expires %s, refresh token: %t)", t.StartURL, t.ExpiresAt.UTC().Format(time.RFC3339), t.RefreshToken != "")
}

// GoString is String, so that %#v does not print the secrets either.
func (t SSOToken) GoString() string { return t.String() }

// Format prints String for every fmt verb, so that no verb falls back to
// printing the fields.
func (t SSOToken) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", t.String())
		return
	}
	fmt.Fprint(f, t.String())
}

// MarshalJSON encodes String: the token file is written by Store alone.
func (t SSOToken) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// canRefresh reports whether the token can be refreshed at now: it has a
// refresh token and a client registration that has not expired.
func (t SSOToken) canRefresh(now time.Time) bool {
	return t.RefreshToken != "" && t.ClientID != "" && t.ClientSecret != "" && now.Before(t.RegistrationExpiresAt)
}

// ssoTokenFile is the AWS CLI's JSON form of a token file.
type ssoTokenFile struct {
	StartURL              string `json:"startUrl,omitempty"`
	Region                string `json:"region,omitempty"`
	AccessToken           string `json:"accessToken"`
	ExpiresAt             string `json:"expiresAt"`
	RefreshToken          string `json:"refreshToken,omitempty"`
	ClientID              string `json:"clientId,omitempty"`
	ClientSecret          string `json:"clientSecret,omitempty"`
	RegistrationExpiresAt string `json:"registrationExpiresAt,omitempty"`
}

// cliTime is how the AWS CLI writes times in its token files.
const cliTime = "2006-01-02T15:04:05Z"

// SSOTokenCache is the directory of the AWS CLI's SSO token files.
type SSOTokenCache struct {
	// Dir is the directory, normally ~/.aws/sso/cache.
	Dir string
}

// DefaultSSOCacheDir is ~/.aws/sso/cache of home.
func DefaultSSOCacheDir(home string) string {
	return filepath.Join(home, ".aws", "sso", "cache")
}

// Path is the file the token of sess is kept in.
func (c SSOTokenCache) Path(sess SSOSessionConfig) string {
	return filepath.Join(c.Dir, sess.CacheKey()+".json")
}

// Load reads the token of sess. found is false when there is none, or when
// the file does not hold a token for sess's start URL (a file the CLI
// wrote for another sign-in is never used). A file that is a symbolic
// link, another user's, or writable by others is a *safefile.Error.
func (c SSOTokenCache) Load(sess SSOSessionConfig) (tok SSOToken, found bool, err error) {
	path := c.Path(sess)
	data, err := safefile.ReadFile(path, maxSSOTokenFile)
	if errors.Is(err, fs.ErrNotExist) {
		return SSOToken{}, false, nil
	}
	if err != nil {
		return SSOToken{}, false, fmt.Errorf("read SSO token %s: %w", path, err)
	}
	tok, ok := parseSSOToken(data)
	if !ok || tok.AccessToken == "" || tok.ExpiresAt.IsZero() {
		return SSOToken{}, false, nil
	}
	if tok.StartURL != "" && tok.StartURL != sess.StartURL {
		return SSOToken{}, false, nil
	}
	return tok, true, nil
}

// parseSSOToken decodes a token file; ok is false when it is not JSON of
// the expected shape or a time is malformed.
func parseSSOToken(data []byte) (SSOToken, bool) {
	var f ssoTokenFile
	if err := json.Unmarshal(data, &f); err != nil {
		return SSOToken{}, false
	}
	tok := SSOToken{StartURL: f.StartURL, Region: f.Region, AccessToken: f.AccessToken, RefreshToken: f.RefreshToken, ClientID: f.ClientID, ClientSecret: f.ClientSecret}
	var err error
	if tok.ExpiresAt, err = parseCLITime(f.ExpiresAt); err != nil {
		return SSOToken{}, false
	}
	if f.RegistrationExpiresAt != "" {
		if tok.RegistrationExpiresAt, err = parseCLITime(f.RegistrationExpiresAt); err != nil {
			return SSOToken{}, false
		}
	}
	return tok, true
}

// parseCLITime reads the times the AWS CLI (2024-01-02T03:04:05Z, or with
// +00:00) and the Go SDK (RFC 3339) write.
func parseCLITime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// Store writes the token of sess in the AWS CLI's format: the directory
// 0700 and the file 0600, neither through a symbolic link, replaced
// atomically so that the AWS CLI never reads half a file.
func (c SSOTokenCache) Store(sess SSOSessionConfig, tok SSOToken) error {
	if err := safefile.MkdirAll(c.Dir); err != nil {
		return fmt.Errorf("SSO token cache %s: %w", c.Dir, err)
	}
	f := ssoTokenFile{
		StartURL: sess.StartURL, Region: sess.Region,
		AccessToken: tok.AccessToken, ExpiresAt: tok.ExpiresAt.UTC().Format(cliTime),
		RefreshToken: tok.RefreshToken, ClientID: tok.ClientID, ClientSecret: tok.ClientSecret,
	}
	if !tok.RegistrationExpiresAt.IsZero() {
		f.RegistrationExpiresAt = tok.RegistrationExpiresAt.UTC().Format(cliTime)
	}
	data, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode SSO token: %w", err)
	}
	path := c.Path(sess)
	// An existing file that is a link or another user's is refused, not
	// replaced: someone is playing tricks in the directory.
	if err := safefile.Check(path); err != nil {
		return fmt.Errorf("SSO token %s: %w", path, err)
	}
	suffix := make([]byte, 8)
	if _, err := rand.Read(suffix); err != nil {
		return fmt.Errorf("SSO token %s: %w", path, err)
	}
	tmp := path + ".tmp-" + hex.EncodeToString(suffix)
	out, err := safefile.Open(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("SSO token %s: %w", path, err)
	}
	_, werr := out.Write(data)
	cerr := out.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("SSO token %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("SSO token %s: %w", path, err)
	}
	return nil
}

// Remove deletes the token of sess, if any.
func (c SSOTokenCache) Remove(sess SSOSessionConfig) error {
	err := os.Remove(c.Path(sess))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
