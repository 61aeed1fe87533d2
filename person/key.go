package person

import (
	"errors"
	"strings"
)

// ErrNotPrincipal is returned for a string that is not a caller ARN that
// sts:GetCallerIdentity could return.
var ErrNotPrincipal = errors.New("not a caller ARN")

// ssoRolePrefix starts the name of every role IAM Identity Center creates
// for a permission set. Only Identity Center can assume those roles, and it
// names the session after the signed-in user.
const ssoRolePrefix = "AWSReservedSSO_"

// SSOPrefix starts the person key of an IAM Identity Center user.
const SSOPrefix = "sso:"

// Kind is the kind of principal a person key stands for.
type Kind int

// The kinds of person key.
const (
	// KindUser is an IAM user: the key is its user ARN.
	KindUser Kind = iota + 1
	// KindSSO is an IAM Identity Center user: the key is "sso:" and the
	// session name Identity Center set, the same in every account and
	// permission set.
	KindSSO
	// KindRole is any other role session: the key is the role's
	// assumed-role ARN without the session name, since whoever assumed the
	// role chose that name.
	KindRole
	// KindFederated is a federated user: the key is the account's
	// federated-user ARN without the name, since whoever called
	// GetFederationToken chose it.
	KindFederated
	// KindRoot is an account's root user.
	KindRoot
)

// Key is who a caller is, as a person: the one value every "same person?"
// question compares. It is lower case, since IAM names are unique
// regardless of case.
type Key struct {
	Kind Kind
	// Value is the key itself, e.g. "arn:aws:iam::111122223333:user/alice",
	// "sso:alice", "arn:aws:sts::111122223333:assumed-role/ci".
	Value string
	// Name is the part of the principal that names it (user name, SSO user
	// name, role name, "root"), lower case; for labels and display.
	Name string
	// Account is the 12-digit account ID of the ARN.
	Account string
}

// String returns the key's value.
func (k Key) String() string { return k.Value }

// Of returns the person key of a caller ARN:
//
//	arn:P:iam::ACCOUNT:user/[PATH/]NAME              -> the ARN, lower case
//	arn:P:sts::ACCOUNT:assumed-role/AWSReservedSSO_*/NAME -> "sso:" + name, lower case
//	arn:P:sts::ACCOUNT:assumed-role/ROLE/SESSION     -> arn:P:sts::ACCOUNT:assumed-role/ROLE, lower case
//	arn:P:sts::ACCOUNT:federated-user/NAME           -> arn:P:sts::ACCOUNT:federated-user, lower case
//	arn:P:iam::ACCOUNT:root                          -> the ARN, lower case
func Of(arn string) (Key, error) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[3] != "" || !IsAccountID(parts[4]) {
		return Key{}, ErrNotPrincipal
	}
	partition, service, account, resource := parts[1], parts[2], parts[4], parts[5]
	segs := strings.Split(resource, "/")
	for _, s := range segs {
		if s == "" {
			return Key{}, ErrNotPrincipal
		}
	}
	lower := strings.ToLower
	switch {
	case service == "iam" && resource == "root":
		return Key{Kind: KindRoot, Value: lower(arn), Name: "root", Account: account}, nil
	case service == "iam" && segs[0] == "user" && len(segs) >= 2:
		return Key{Kind: KindUser, Value: lower(arn), Name: lower(segs[len(segs)-1]), Account: account}, nil
	case service == "sts" && segs[0] == "assumed-role" && len(segs) == 3:
		role, sess := segs[1], segs[2]
		if strings.HasPrefix(role, ssoRolePrefix) && len(role) > len(ssoRolePrefix) {
			return Key{Kind: KindSSO, Value: SSOPrefix + lower(sess), Name: lower(sess), Account: account}, nil
		}
		v := "arn:" + partition + ":sts::" + account + ":assumed-role/" + role
		return Key{Kind: KindRole, Value: lower(v), Name: lower(role), Account: account}, nil
	case service == "sts" && segs[0] == "federated-user" && len(segs) == 2:
		v := "arn:" + partition + ":sts::" + account + ":federated-user"
		return Key{Kind: KindFederated, Value: lower(v), Name: "federated-user", Account: account}, nil
	}
	return Key{}, ErrNotPrincipal
}

// KeyOf is Of without the error: an ARN that is not a caller ARN keys as
// itself in lower case, so that it can only ever equal that same string.
// Use it where a stored record's ARN is compared, never to admit a caller.
func KeyOf(arn string) string {
	k, err := Of(arn)
	if err != nil {
		return strings.ToLower(arn)
	}
	return k.Value
}

// Same reports whether two caller ARNs are the same person. Two empty or
// unparsable ARNs are never the same person unless they are equal ignoring
// case and non-empty.
func Same(arn1, arn2 string) bool {
	if arn1 == "" || arn2 == "" {
		return false
	}
	return KeyOf(arn1) == KeyOf(arn2)
}

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
