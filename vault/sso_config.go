package vault

import (
	"cmp"
	"crypto/sha1" // #nosec G505 -- the AWS CLI names its token files by SHA-1; not a security use
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"gopkg.in/ini.v1"

	"github.com/sentinel-cli/sentinel/internal/field"
	"github.com/sentinel-cli/sentinel/person"
)

// defaultSSOScopes are the scopes sentinel registers for with an
// sso-session that names none, as the AWS CLI does: the one that lets the
// token be refreshed and used with the portal.
var defaultSSOScopes = []string{"sso:account:access"}

// SSOSessionConfig is one IAM Identity Center sign-in: a [sso-session NAME]
// section, or the sso_start_url and sso_region keys of a legacy profile.
type SSOSessionConfig struct {
	// Name is the sso-session's name; "" for a legacy profile.
	Name string
	// StartURL is the access portal's start URL.
	StartURL string
	// Region is the region of the OIDC and portal endpoints.
	Region string
	// Scopes are the sso_registration_scopes; a legacy profile has none
	// (and, like the AWS CLI's, its token cannot be refreshed).
	Scopes []string
}

// CacheKey is what the AWS CLI names the token file after: the SHA-1 hex of
// the sso-session's name, or of the start URL for a legacy profile.
func (s SSOSessionConfig) CacheKey() string {
	key := cmp.Or(s.Name, s.StartURL)
	sum := sha1.Sum([]byte(key)) // #nosec G401 -- file name compatible with the AWS CLI
	return hex.EncodeToString(sum[:])
}

// Label names the sign-in for messages: the sso-session's name, else the
// start URL.
func (s SSOSessionConfig) Label() string {
	if s.Name != "" {
		return s.Name
	}
	return s.StartURL
}

// SSOBase is what an IAM Identity Center profile gets its credentials
// from: a sign-in and the account and permission set (role name) to ask
// the portal for.
type SSOBase struct {
	// Profile is the profile that names them.
	Profile   string
	Session   SSOSessionConfig
	AccountID string
	RoleName  string
}

// validSSORoleName is the shape of a permission set's role name.
func validSSORoleName(name string) bool { return field.CharsIn(name, 1, 64, "+=,.@-") }

// ssoSessionName maps an ini section name to an sso-session name.
func ssoSessionName(section string) (string, bool) {
	fields := strings.Fields(section)
	if len(fields) == 2 && fields[0] == "sso-session" {
		return fields[1], true
	}
	return "", false
}

// parseSSOSession reads one [sso-session NAME] section.
func parseSSOSession(name string, sec *ini.Section) SSOSessionConfig {
	s := SSOSessionConfig{Name: name}
	for key, value := range ownKeys(sec) {
		switch key {
		case "sso_start_url":
			s.StartURL = value
		case "sso_region":
			s.Region = value
		case "sso_registration_scopes":
			for _, sc := range strings.Split(value, ",") {
				if sc = strings.TrimSpace(sc); sc != "" {
					s.Scopes = append(s.Scopes, sc)
				}
			}
		}
	}
	if len(s.Scopes) == 0 {
		s.Scopes = defaultSSOScopes
	}
	return s
}

// SSOSession returns the [sso-session NAME] section, checked, and whether
// the config file has it.
func (c *ConfigFile) SSOSession(name string) (SSOSessionConfig, bool, error) {
	s, ok := c.ssoSessions[name]
	if !ok {
		return SSOSessionConfig{}, false, nil
	}
	if err := checkSSOSession(s, "sso-session "+name, c.path); err != nil {
		return SSOSessionConfig{}, true, err
	}
	return s, true, nil
}

// SSOBaseOf resolves the IAM Identity Center settings of profile p (which
// must have an sso_* key): its sso-session (or legacy keys), account and
// role name. A setting missing or malformed is an ErrInvalidProfile.
func (c *ConfigFile) SSOBaseOf(p Profile) (*SSOBase, error) {
	bad := func(format string, args ...any) error {
		return newError(ErrInvalidProfile, nil, "profile %q in %s: "+format, append([]any{p.Name, c.path}, args...)...)
	}
	var sess SSOSessionConfig
	if p.SSOSession != "" {
		s, ok := c.ssoSessions[p.SSOSession]
		if !ok {
			return nil, bad("sso_session %q names no [sso-session %s] section", p.SSOSession, p.SSOSession)
		}
		// The AWS CLI refuses legacy keys that disagree with the session.
		if p.SSOStartURL != "" && p.SSOStartURL != s.StartURL {
			return nil, bad("sso_start_url differs from the one of sso-session %s", s.Name)
		}
		if p.SSORegion != "" && p.SSORegion != s.Region {
			return nil, bad("sso_region differs from the one of sso-session %s", s.Name)
		}
		sess = s
	} else {
		sess = SSOSessionConfig{StartURL: p.SSOStartURL, Region: p.SSORegion}
	}
	if err := checkSSOSession(sess, "profile "+p.Name, c.path); err != nil {
		return nil, err
	}
	if !person.IsAccountID(p.SSOAccountID) {
		return nil, bad("sso_account_id %q is not a 12-digit account ID", p.SSOAccountID)
	}
	if !validSSORoleName(p.SSORoleName) {
		return nil, bad("sso_role_name %q is not a role name", p.SSORoleName)
	}
	return &SSOBase{Profile: p.Name, Session: sess, AccountID: p.SSOAccountID, RoleName: p.SSORoleName}, nil
}

// checkSSOSession checks the start URL and region of a sign-in.
func checkSSOSession(s SSOSessionConfig, where, path string) error {
	u, err := url.Parse(s.StartURL)
	if s.StartURL == "" || err != nil || u.Scheme != "https" || u.Host == "" {
		return newError(ErrInvalidProfile, nil, "%s in %s: sso_start_url %q is not an https URL", where, path, s.StartURL)
	}
	if !regionPattern().MatchString(s.Region) {
		return newError(ErrInvalidProfile, nil, "%s in %s: sso_region %q is not a region name", where, path, s.Region)
	}
	return nil
}

// regionPattern is the shape of an AWS region name (eu-west-1,
// us-gov-west-1, cn-north-1): regions become parts of host names.
// Compiled on first use, not by every process at start-up.
var regionPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$`) })
