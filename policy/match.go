package policy

import (
	"strings"

	"github.com/sentinel-cli/sentinel/person"
)

// profileSet matches profile names against a list of exact names and globs.
// The zero value matches every profile (a condition that was left out).
type profileSet struct {
	// given is true when the list was written in the file.
	given bool
	exact []string
	globs []glob
}

// newProfileSet compiles entries. It returns the index of the bad pattern
// and its error when a glob uses refused syntax.
func newProfileSet(entries []string) (profileSet, int, error) {
	s := profileSet{given: true}
	for i, e := range entries {
		if err := checkGlob(e); err != nil {
			return profileSet{}, i, err
		}
		if !isGlob(e) {
			s.exact = append(s.exact, e)
			continue
		}
		s.globs = append(s.globs, newGlob(e))
	}
	return s, -1, nil
}

// match reports whether profile is in the set: exact names first, then globs.
func (s *profileSet) match(profile string) bool {
	if !s.given {
		return true
	}
	for _, e := range s.exact {
		if e == profile {
			return true
		}
	}
	for i := range s.globs {
		if s.globs[i].match(profile) {
			return true
		}
	}
	return false
}

// principalSet matches a caller by ARN. The zero value matches everyone (a
// condition that was left out).
//
// Entries starting with "arn:" are full ARNs or ARN globs and match any
// principal. Any other entry is a bare name: it matches only a principal
// whose name nobody else can choose (an IAM user, or an IAM Identity
// Center session) in one of the policy's accounts, by the name in its ARN.
type principalSet struct {
	given    bool
	names    []string
	arns     []string
	arnGlobs []glob
	// accounts is the policy's accounts: list, shared by every set; the
	// decoder fills it in once the whole file is read.
	accounts []string
}

// newPrincipalSet sorts entries into ARNs, ARN globs and bare names.
func newPrincipalSet(entries []string) principalSet {
	s := principalSet{given: true}
	for _, e := range entries {
		switch {
		case !strings.HasPrefix(e, "arn:"):
			s.names = append(s.names, e)
		case isGlob(e):
			s.arnGlobs = append(s.arnGlobs, newGlob(e))
		default:
			s.arns = append(s.arns, e)
		}
	}
	return s
}

// match reports whether the principal with ARN arn is in the set. Entries
// are never empty, so an empty arn matches nothing.
func (s *principalSet) match(arn string) bool {
	if !s.given {
		return true
	}
	for _, a := range s.arns {
		if a == arn {
			return true
		}
	}
	for i := range s.arnGlobs {
		if s.arnGlobs[i].match(arn) {
			return true
		}
	}
	if len(s.names) == 0 {
		return false
	}
	account, name, ok := boundName(arn)
	if !ok || !containsString(s.accounts, account) {
		return false
	}
	return containsString(s.names, name)
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// ssoRolePrefix starts the name of every role IAM Identity Center creates
// for a permission set; only Identity Center can assume those roles, and
// it names the session after the signed-in user.
const ssoRolePrefix = "AWSReservedSSO_"

// boundName returns the account and the name of a principal whose name
// nobody else can choose:
//
//	arn:PARTITION:iam::ACCOUNT:user/[PATH/]NAME
//	arn:PARTITION:sts::ACCOUNT:assumed-role/AWSReservedSSO_*/NAME
//
// ok is false for every other ARN (other assumed roles, whose session name
// whoever assumes the role picks; federated users; roots; malformed ARNs).
// It returns substrings of arn and does not allocate.
func boundName(arn string) (account, name string, ok bool) {
	rest, found := strings.CutPrefix(arn, "arn:")
	if !found {
		return "", "", false
	}
	partition, rest, found := strings.Cut(rest, ":")
	if !found || partition == "" {
		return "", "", false
	}
	service, rest, found := strings.Cut(rest, ":")
	if !found {
		return "", "", false
	}
	region, rest, found := strings.Cut(rest, ":")
	if !found || region != "" {
		return "", "", false
	}
	account, resource, found := strings.Cut(rest, ":")
	if !found || !person.IsAccountID(account) {
		return "", "", false
	}
	switch service {
	case "iam":
		path, found := strings.CutPrefix(resource, "user/")
		if !found {
			return "", "", false
		}
		name = path[strings.LastIndexByte(path, '/')+1:]
	case "sts":
		roleSession, found := strings.CutPrefix(resource, "assumed-role/")
		if !found {
			return "", "", false
		}
		role, session, found := strings.Cut(roleSession, "/")
		if !found || !strings.HasPrefix(role, ssoRolePrefix) || len(role) == len(ssoRolePrefix) || strings.Contains(session, "/") {
			return "", "", false
		}
		name = session
	default:
		return "", "", false
	}
	if name == "" {
		return "", "", false
	}
	return account, name, true
}

// roleSet is a rules' roles: condition: ARN globs matched against the roles
// a chain assumes. The zero value matches any chain (left out).
type roleSet struct {
	given bool
	globs []glob
	// all is true for allow rules: every role in the chain must match.
	// Otherwise one matching role is enough.
	all bool
}

// match reports whether the chain roles satisfies the set. A chain with no
// roles never matches a set that was given: a rule about roles says
// nothing about a profile that assumes none.
func (s *roleSet) match(roles []string) bool {
	if !s.given {
		return true
	}
	if len(roles) == 0 {
		return false
	}
	for _, r := range roles {
		hit := s.matchOne(r)
		if hit && !s.all {
			return true
		}
		if !hit && s.all {
			return false
		}
	}
	return s.all
}

func (s *roleSet) matchOne(role string) bool {
	for i := range s.globs {
		if s.globs[i].match(role) {
			return true
		}
	}
	return false
}

// modeSet is a bit mask of modes; 0 matches every mode (a condition that
// was left out).
type modeSet uint8

func (s modeSet) match(m Mode) bool {
	return s == 0 || uint8(s)&modeBit(m) != 0
}

// hint explains, for Explain, why a bare name did not match arn when the
// name alone would have: the principal is of a kind whose name anyone can
// choose, or in an account the policy does not list.
func (s *principalSet) hint(arn string) string {
	if len(s.names) == 0 || arn == "" {
		return ""
	}
	account, _, ok := boundName(arn)
	switch {
	case !ok:
		return " (bare names match only IAM users and IAM Identity Center sessions; list this principal by ARN)"
	case !containsString(s.accounts, account):
		return " (account " + account + " is not in accounts:)"
	}
	return ""
}

// why explains, for Explain, why the chain roles does not satisfy the set.
func (s *roleSet) why(roles, patterns []string) string {
	if len(roles) == 0 {
		return "the profile assumes no role; roles " + strings.Join(patterns, ", ") + " need one"
	}
	if s.all {
		for _, r := range roles {
			if !s.matchOne(r) {
				return "role " + r + " not in [" + strings.Join(patterns, " ") + "] (an allow rule needs every role of the chain to match)"
			}
		}
	}
	return "no role of [" + strings.Join(roles, " ") + "] in [" + strings.Join(patterns, " ") + "]"
}
