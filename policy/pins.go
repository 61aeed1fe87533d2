package policy

import (
	"errors"
	"fmt"
	"time"
)

// ProfilePin is one entry of the profiles: section: what a profile name
// may assume, whatever the person's AWS config says.
type ProfilePin struct {
	// Name is the profile name (the key in the section).
	Name string
	// RoleARN is the one role the profile's credentials may come from;
	// "" means the profile must assume no role (its credentials are a
	// session of the base keys).
	RoleARN string
	// Via are the intermediate roles a chain may pass through on the way
	// to RoleARN, in any order; none by default.
	Via []string
	// Account is the 12-digit account the credentials are for: RoleARN's
	// account when it is set, else the account of the base keys.
	Account string
	// Region, when set, is the region the profile is used in.
	Region string
	// MaxDuration caps the lifetime of the profile's credentials; 0 means
	// no cap of its own.
	MaxDuration time.Duration
	// SSOAccount and SSORoleName pin an IAM Identity Center profile used
	// directly (sso_account, sso_role_name): the account and permission set
	// it must get credentials for. Identity Center role ARNs carry a random
	// suffix, so such a profile is pinned by these instead of role_arn.
	// Account is SSOAccount then.
	SSOAccount  string
	SSORoleName string
	// Line is where the pin starts in the file.
	Line int
}

// SSOBase is the IAM Identity Center account and role name a chain starts
// from, as CheckChainFrom checks them.
type SSOBase struct {
	Account  string
	RoleName string
}

// HasPins reports whether the policy has a profiles: section. When it has,
// a profile that is not pinned is refused (see CheckChain).
func (p *Policy) HasPins() bool {
	return p != nil && p.hasPins
}

// Pin returns the pin of profile, and false when it has none.
func (p *Policy) Pin(profile string) (ProfilePin, bool) {
	if p == nil {
		return ProfilePin{}, false
	}
	pin, ok := p.Pins[profile]
	return pin, ok
}

// ErrPin is matched by every *PinError (errors.Is(err, ErrPin)).
var ErrPin = errors.New("profile does not match its pin")

// PinErrorKind says how a profile's chain differs from its pin.
type PinErrorKind int

// The ways a chain can differ from its pin.
const (
	// PinUnknownProfile: the policy has a profiles: section and the
	// profile is not in it.
	PinUnknownProfile PinErrorKind = iota + 1
	// PinWrongRole: the last role of the chain is not the pinned role.
	PinWrongRole
	// PinUnexpectedVia: a role before the last is not in the pin's via.
	PinUnexpectedVia
	// PinUnexpectedRole: the pin says no role, and the chain assumes one.
	PinUnexpectedRole
	// PinMissingRole: the pin names a role, and the chain assumes none.
	PinMissingRole
	// PinAccountMismatch: the pin says no role, and the base credentials
	// are in another account than the pin's.
	PinAccountMismatch
	// PinSSOMismatch: the pin names an IAM Identity Center account and
	// role, and the profile gets other ones (or none: stored keys).
	PinSSOMismatch
	// PinSSOUnpinned: the profile uses IAM Identity Center credentials
	// directly, and its pin does not name their account and role.
	PinSSOUnpinned
)

// String names the kind, for logs.
func (k PinErrorKind) String() string {
	switch k {
	case PinUnknownProfile:
		return "unknown_profile"
	case PinWrongRole:
		return "wrong_role"
	case PinUnexpectedVia:
		return "unexpected_via"
	case PinUnexpectedRole:
		return "unexpected_role"
	case PinMissingRole:
		return "missing_role"
	case PinAccountMismatch:
		return "account_mismatch"
	case PinSSOMismatch:
		return "sso_mismatch"
	case PinSSOUnpinned:
		return "sso_unpinned"
	}
	return fmt.Sprintf("PinErrorKind(%d)", int(k))
}

// PinError says how a profile's chain differs from its pin. Want is what
// the pin allows (a role ARN, an account, or "" for no role) and Got what
// the chain has.
type PinError struct {
	Profile string
	Kind    PinErrorKind
	Want    string
	Got     string
}

// Error describes the difference in one line naming both sides.
func (e *PinError) Error() string {
	switch e.Kind {
	case PinUnknownProfile:
		return fmt.Sprintf("profile %s is not in the policy's profiles: section", e.Profile)
	case PinWrongRole:
		return fmt.Sprintf("profile %s is pinned to role %s but its config assumes %s", e.Profile, e.Want, e.Got)
	case PinUnexpectedVia:
		return fmt.Sprintf("profile %s is pinned to role %s but its chain passes through %s, which is not in its via list", e.Profile, e.Want, e.Got)
	case PinUnexpectedRole:
		return fmt.Sprintf("profile %s is pinned to assume no role but its config assumes %s", e.Profile, e.Got)
	case PinMissingRole:
		return fmt.Sprintf("profile %s is pinned to role %s but its config assumes no role", e.Profile, e.Want)
	case PinAccountMismatch:
		return fmt.Sprintf("profile %s is pinned to account %s but its credentials are in account %s", e.Profile, e.Want, e.Got)
	case PinSSOMismatch:
		return fmt.Sprintf("profile %s is pinned to IAM Identity Center role %s but its credentials come from %s", e.Profile, e.Want, e.Got)
	case PinSSOUnpinned:
		return fmt.Sprintf("profile %s gets IAM Identity Center role %s but its pin names no sso_account and sso_role_name", e.Profile, e.Got)
	}
	return fmt.Sprintf("profile %s does not match its pin", e.Profile)
}

// Is makes errors.Is(err, ErrPin) true for every *PinError.
func (e *PinError) Is(target error) bool {
	return target == ErrPin
}

// CheckChain checks the chain a profile would use against its pin. roles
// are the role ARNs the chain assumes, in order from the base credentials
// to the target (the full list, including roles inherited through
// source_profile); account is the account of the base credentials'
// identity, checked only for pins without a role (a role ARN names its
// own account). It returns nil when the chain is allowed and a *PinError
// otherwise. Without a profiles: section every chain is allowed.
func (p *Policy) CheckChain(profile string, roles []string, account string) error {
	return p.CheckChainFrom(profile, roles, account, nil)
}

// CheckChainFrom is CheckChain for a chain whose base credentials may come
// from IAM Identity Center (sso; nil for stored keys). A pin with
// sso_account and sso_role_name allows only a profile with no role whose
// base is that account and role name, and whose caller (account, as STS
// says) is in that account; a profile that uses Identity Center
// credentials directly needs such a pin. A pin with role_arn checks the
// roles alone, whatever the base.
func (p *Policy) CheckChainFrom(profile string, roles []string, account string, sso *SSOBase) error {
	if !p.HasPins() {
		return nil
	}
	pin, ok := p.Pins[profile]
	if !ok {
		return &PinError{Profile: profile, Kind: PinUnknownProfile}
	}
	if pin.SSORoleName != "" {
		if len(roles) > 0 {
			return &PinError{Profile: profile, Kind: PinUnexpectedRole, Got: roles[len(roles)-1]}
		}
		want := pin.SSOAccount + "/" + pin.SSORoleName
		if sso == nil {
			return &PinError{Profile: profile, Kind: PinSSOMismatch, Want: want, Got: "stored keys"}
		}
		if sso.Account != pin.SSOAccount || sso.RoleName != pin.SSORoleName {
			return &PinError{Profile: profile, Kind: PinSSOMismatch, Want: want, Got: sso.Account + "/" + sso.RoleName}
		}
		if account != pin.SSOAccount {
			return &PinError{Profile: profile, Kind: PinAccountMismatch, Want: pin.SSOAccount, Got: account}
		}
		return nil
	}
	if pin.RoleARN == "" && sso != nil && len(roles) == 0 {
		return &PinError{Profile: profile, Kind: PinSSOUnpinned, Got: sso.Account + "/" + sso.RoleName}
	}
	if pin.RoleARN == "" {
		if len(roles) > 0 {
			return &PinError{Profile: profile, Kind: PinUnexpectedRole, Got: roles[len(roles)-1]}
		}
		if account != pin.Account {
			return &PinError{Profile: profile, Kind: PinAccountMismatch, Want: pin.Account, Got: account}
		}
		return nil
	}
	if len(roles) == 0 {
		return &PinError{Profile: profile, Kind: PinMissingRole, Want: pin.RoleARN}
	}
	last := len(roles) - 1
	if roles[last] != pin.RoleARN {
		return &PinError{Profile: profile, Kind: PinWrongRole, Want: pin.RoleARN, Got: roles[last]}
	}
	for _, r := range roles[:last] {
		if !containsString(pin.Via, r) {
			return &PinError{Profile: profile, Kind: PinUnexpectedVia, Want: pin.RoleARN, Got: r}
		}
	}
	return nil
}
