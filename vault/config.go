package vault

import (
	"errors"
	"fmt"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/ini.v1"
)

// Shortest and longest credential lifetimes STS accepts, in seconds.
const (
	minDurationSeconds = 900
	maxDurationSeconds = 43200
)

// Profile is one profile of the AWS config file, reduced to the keys sentinel
// uses. Other keys (credential_process, output...) are ignored.
type Profile struct {
	// Name is the profile name ("default" for [default]).
	Name string
	// SourceProfile names the profile whose credentials assume RoleARN.
	SourceProfile string
	// RoleARN is the role this profile assumes, if any.
	RoleARN string
	// MFASerial is the MFA device that must sign the calls, if any.
	MFASerial string
	// MFAProcess is a command that prints the MFA code (mfa_process).
	MFAProcess string
	// ExternalID is passed to AssumeRole.
	ExternalID string
	// RoleSessionName is the session name asked for in AssumeRole.
	RoleSessionName string
	// Region is the profile's region.
	Region string
	// DurationSeconds is the requested credential lifetime (0 = unset).
	DurationSeconds int
	// SSOSession names the [sso-session NAME] section whose sign-in the
	// profile's IAM Identity Center credentials come from.
	SSOSession string
	// SSOStartURL and SSORegion are the legacy form of an sso-session: the
	// portal's start URL and the region of its OIDC and portal endpoints.
	SSOStartURL string
	SSORegion   string
	// SSOAccountID and SSORoleName are the account and permission set
	// (role name) whose credentials the profile gets from the portal.
	SSOAccountID string
	SSORoleName  string
}

// IsSSO reports whether the profile gets its credentials from IAM
// Identity Center (it has an sso_* key).
func (p Profile) IsSSO() bool {
	return p.SSOSession != "" || p.SSOStartURL != "" || p.SSOAccountID != "" || p.SSORoleName != ""
}

// ConfigFile is a parsed AWS config file.
type ConfigFile struct {
	path     string
	profiles map[string]Profile
	// invalid holds, per profile, a malformed setting. It is reported when
	// the profile is used rather than at load time, so that one bad profile
	// does not lock the user out of every other one.
	invalid map[string]error
	// ssoSessions are the [sso-session NAME] sections.
	ssoSessions map[string]SSOSessionConfig
}

// DefaultConfigPath is $AWS_CONFIG_FILE, else ~/.aws/config.
func DefaultConfigPath() (string, error) {
	if p := os.Getenv("AWS_CONFIG_FILE"); p != "" {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the AWS config file: %w", err)
	}
	return filepath.Join(home, ".aws", "config"), nil
}

// LoadConfigFile reads the AWS config file at path ("" means
// DefaultConfigPath). A missing file is an empty configuration, not an error.
func LoadConfigFile(path string) (*ConfigFile, error) {
	if path == "" {
		p, err := DefaultConfigPath()
		if err != nil {
			return nil, err
		}
		path = p
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &ConfigFile{path: path, profiles: map[string]Profile{}, invalid: map[string]error{}, ssoSessions: map[string]SSOSessionConfig{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read AWS config %s: %w", path, err)
	}
	return ParseConfig(data, path)
}

// ParseConfig parses the bytes of an AWS config file; path is only used in
// messages.
func ParseConfig(data []byte, path string) (*ConfigFile, error) {
	f, err := ini.LoadSources(ini.LoadOptions{
		// Like the AWS CLI: "key = value # note" keeps "# note" out of the
		// value only when a space precedes the comment sign.
		SpaceBeforeInlineComment: true,
		// AWS-style indented sub-keys (s3 =\n  max_concurrency = 10).
		AllowNestedValues: true,
		// A stray line must not make every profile unusable.
		SkipUnrecognizableLines: true,
	}, data)
	if err != nil {
		return nil, fmt.Errorf("parse AWS config %s: %w", path, err)
	}
	c := &ConfigFile{path: path, profiles: map[string]Profile{}, invalid: map[string]error{}, ssoSessions: map[string]SSOSessionConfig{}}
	for _, sec := range f.Sections() {
		if name, ok := ssoSessionName(sec.Name()); ok {
			c.ssoSessions[name] = parseSSOSession(name, sec)
			continue
		}
		name, ok := profileName(sec.Name())
		if !ok {
			continue
		}
		p := c.profiles[name]
		p.Name = name
		for key, value := range ownKeys(sec) {
			switch key {
			case "source_profile":
				p.SourceProfile = value
			case "role_arn":
				p.RoleARN = value
			case "mfa_serial":
				p.MFASerial = value
			case "mfa_process":
				p.MFAProcess = value
			case "external_id":
				p.ExternalID = value
			case "role_session_name":
				p.RoleSessionName = value
			case "region":
				p.Region = value
			case "sso_session":
				p.SSOSession = value
			case "sso_start_url":
				p.SSOStartURL = value
			case "sso_region":
				p.SSORegion = value
			case "sso_account_id":
				p.SSOAccountID = value
			case "sso_role_name":
				p.SSORoleName = value
			case "duration_seconds":
				n, err := parseDurationSeconds(value)
				if err != nil {
					c.invalid[name] = fmt.Errorf("profile %q in %s: %w", name, path, err)
					continue
				}
				delete(c.invalid, name)
				p.DurationSeconds = n
			}
		}
		c.profiles[name] = p
	}
	return c, nil
}

// profileName maps an ini section name to a profile name: [default] and
// [profile NAME] are profiles; [sso-session x], [services x] and the like
// are not.
func profileName(section string) (string, bool) {
	fields := strings.Fields(section)
	switch {
	case len(fields) == 1 && fields[0] == "default":
		return "default", true
	case len(fields) == 2 && fields[0] == "profile":
		return fields[1], true
	}
	return "", false
}

func parseDurationSeconds(value string) (int, error) {
	n, err := strconv.Atoi(value)
	if err != nil {
		return 0, fmt.Errorf("%w: duration_seconds %q is not a whole number of seconds", ErrInvalidProfile, value)
	}
	if n < minDurationSeconds || n > maxDurationSeconds {
		return 0, fmt.Errorf("%w: duration_seconds %d is outside %d-%d", ErrInvalidProfile, n, minDurationSeconds, maxDurationSeconds)
	}
	return n, nil
}

// Path is the file the configuration was read from.
func (c *ConfigFile) Path() string { return c.path }

// Profile returns the named profile and whether the config file has it.
func (c *ConfigFile) Profile(name string) (Profile, bool) {
	p, ok := c.profiles[name]
	return p, ok
}

// ProfileNames lists the profiles of the config file, sorted.
func (c *ConfigFile) ProfileNames() []string {
	return slices.Sorted(maps.Keys(c.profiles))
}

// check reports a malformed setting of the named profile, if any.
func (c *ConfigFile) check(name string) error {
	return c.invalid[name]
}

// ownKeys yields a section's own keys, lower-cased, with their values,
// both trimmed. Keys() returns only the section's own keys; Key(name) would
// also search ini's "parent" sections ([profile a] for [profile a.b]).
func ownKeys(sec *ini.Section) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, k := range sec.Keys() {
			if !yield(strings.ToLower(strings.TrimSpace(k.Name())), strings.TrimSpace(k.Value())) {
				return
			}
		}
	}
}
