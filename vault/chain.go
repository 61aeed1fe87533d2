package vault

import (
	"cmp"
	"fmt"
	"strings"
)

// Chain is a profile resolved to what is needed to get its credentials: the
// base profile whose long-lived keys start the chain, and the roles to
// assume from there.
type Chain struct {
	// Target is the profile asked for.
	Target Profile
	// Base is the profile whose long-lived keys are used: the end of the
	// source_profile chain.
	Base Profile
	// Roles are the role hops in order from Base to Target: every profile on
	// the path that has a role_arn, Base included if it has one. The last
	// one, if it is Target, is the one stamped with the SourceIdentity.
	Roles []Profile
	// MFASerial is the first mfa_serial found walking from Target to Base.
	MFASerial string
	// Region is Target's region, else the first one found walking towards
	// Base, else [default]'s region.
	Region string
	// DurationSeconds is Target's duration_seconds (0 = unset).
	DurationSeconds int
	// SSO is set when Base gets its credentials from IAM Identity Center
	// (sso_session or the legacy sso_* keys) instead of stored keys.
	SSO *SSOBase
}

// SSODirect reports whether the chain's credentials are the IAM Identity
// Center role credentials themselves, with no role assumed from them: they
// can carry no SourceIdentity and their lifetime cannot be capped.
func (c *Chain) SSODirect() bool {
	return c.SSO != nil && len(c.Roles) == 0
}

// ResolveChain follows the source_profile keys from the named profile to its
// base profile. hasKeys reports whether the keyring holds long-lived keys for
// a profile (nil means none does); a profile may exist only there. It checks
// that every profile on the chain exists, but not that Base's keys do: that
// is only needed when credentials are actually fetched.
func ResolveChain(c *ConfigFile, name string, hasKeys func(profile string) bool) (*Chain, error) {
	if hasKeys == nil {
		hasKeys = func(string) bool { return false }
	}
	target, err := c.lookup(name, hasKeys)
	if err != nil {
		return nil, err
	}

	// Walk from Target towards Base, remembering the path.
	path := []Profile{target}
	seen := map[string]bool{target.Name: true}
	cur := target
	for cur.SourceProfile != "" && cur.SourceProfile != cur.Name {
		next := cur.SourceProfile
		if seen[next] {
			names := make([]string, 0, len(path)+1)
			for _, p := range path {
				names = append(names, p.Name)
			}
			names = append(names, next)
			return nil, fmt.Errorf("%w: %s", ErrProfileLoop, strings.Join(names, " -> "))
		}
		p, err := c.lookup(next, hasKeys)
		if err != nil {
			return nil, fmt.Errorf("source_profile of profile %q: %w", cur.Name, err)
		}
		seen[next] = true
		path = append(path, p)
		cur = p
	}

	ch := &Chain{
		Target:          target,
		Base:            cur,
		DurationSeconds: target.DurationSeconds,
	}
	if cur.IsSSO() {
		if ch.SSO, err = c.SSOBaseOf(cur); err != nil {
			return nil, err
		}
	}
	for _, p := range path {
		ch.MFASerial = cmp.Or(ch.MFASerial, p.MFASerial)
		ch.Region = cmp.Or(ch.Region, p.Region)
	}
	if ch.Region == "" {
		if def, ok := c.Profile("default"); ok {
			ch.Region = def.Region
		}
	}
	// path runs Target -> Base; the roles are wanted Base -> Target.
	for i := len(path) - 1; i >= 0; i-- {
		if path[i].RoleARN != "" {
			ch.Roles = append(ch.Roles, path[i])
		}
	}
	return ch, nil
}

// lookup finds a profile in the config file, or makes a bare one for a
// profile that exists only in the keyring.
func (c *ConfigFile) lookup(name string, hasKeys func(string) bool) (Profile, error) {
	if name == "" {
		return Profile{}, newError(ErrUnknownProfile, nil, "no profile name given")
	}
	if p, ok := c.Profile(name); ok {
		if err := c.check(name); err != nil {
			return Profile{}, err
		}
		return p, nil
	}
	if hasKeys(name) {
		return Profile{Name: name}, nil
	}
	return Profile{}, &UnknownProfileError{Name: name, Path: c.path, Known: c.ProfileNames()}
}
