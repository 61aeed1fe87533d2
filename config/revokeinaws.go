package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sentinel-cli/sentinel/person"
)

// Revokers maps an AWS account ID to the ARN of that account's revoker
// role: the role sentinel assumes to write the SentinelRevocations inline
// policy on the pinned and via roles of that account. IAM calls only work
// inside the caller's own account, so each account holding a protected
// role needs its own revoker.
type Revokers map[string]string

// RevokeInAWS is the person's config's revoke_in_aws: section: the
// revokers an administrator's keys assume for `--in-aws`.
type RevokeInAWS struct {
	Revokers Revokers `yaml:"revokers"`
}

// RevokerFor is the revoker role ARN for account, if one is configured.
func (r RevokeInAWS) RevokerFor(account string) (roleARN string, ok bool) {
	return r.Revokers.RevokerFor(account)
}

// Configured reports whether any revoker is named.
func (r RevokeInAWS) Configured() bool { return len(r.Revokers) > 0 }

// RevokerFor is the revoker role ARN for account, if one is configured.
func (r Revokers) RevokerFor(account string) (roleARN string, ok bool) {
	roleARN, ok = r[account]
	return roleARN, ok
}

// Check refuses an account that is not 12 digits and a revoker that is not
// a role ARN in the account it is listed under: a revoker in another
// account could not edit that account's roles (IAM is per account), and a
// typo would only show when a revocation failed. field names the key in
// messages, e.g. "revoke_in_aws.revokers". Accounts are checked in sorted
// order so that the error is the same on every run.
func (r Revokers) Check(field string) error {
	accounts := make([]string, 0, len(r))
	for a := range r {
		accounts = append(accounts, a)
	}
	sort.Strings(accounts)
	for _, a := range accounts {
		if !person.IsAccountID(a) {
			return fmt.Errorf("%s: %q is not a 12-digit account ID", field, a)
		}
		got, err := RoleARNAccount(r[a])
		if err != nil {
			return fmt.Errorf("%s.%s: %w", field, a, err)
		}
		if got != a {
			return fmt.Errorf("%s.%s: the revoker %s is in account %s, not %s", field, a, r[a], got, a)
		}
	}
	return nil
}

// RoleARNAccount checks that arn is an IAM role ARN
// (arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME) and returns its account.
func RoleARNAccount(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[3] != "" {
		return "", fmt.Errorf("%q is not an IAM role ARN", arn)
	}
	if !validPartition(parts[1]) {
		return "", fmt.Errorf("%q: %q is not an AWS partition", arn, parts[1])
	}
	if !person.IsAccountID(parts[4]) {
		return "", fmt.Errorf("%q: the account is not 12 digits", arn)
	}
	rest, ok := strings.CutPrefix(parts[5], "role/")
	if !ok {
		return "", fmt.Errorf("%q is not a role ARN", arn)
	}
	segs := strings.Split(rest, "/")
	name := segs[len(segs)-1]
	// IAM: a name of 1 to 64 characters, a path of at most 512.
	if len(name) == 0 || len(name) > 64 || len(rest)-len(name) > 512 {
		return "", fmt.Errorf("%q: a role name has 1 to 64 characters, its path at most 512", arn)
	}
	for _, s := range segs {
		// Path segments sit between slashes; none may be empty.
		if s == "" || !roleNameChars(s) {
			return "", fmt.Errorf("%q: a role name or path has only letters, digits and +=,.@_-", arn)
		}
	}
	return parts[4], nil
}

// validPartition accepts aws and its variants (aws-cn, aws-us-gov, ...).
func validPartition(p string) bool {
	if p != "aws" && !strings.HasPrefix(p, "aws-") {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; !(c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return !strings.HasSuffix(p, "-")
}

// roleNameChars is IAM's role name character set, [\w+=,.@-].
func roleNameChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("+=,.@_-", c) >= 0) {
			return false
		}
	}
	return true
}
