package vault

import (
	"strings"

	"github.com/sentinel-cli/sentinel/person"
)

// Identity is who a set of credentials belongs to, as STS GetCallerIdentity
// reports it.
type Identity struct {
	// ARN is the caller's ARN.
	ARN string
	// Account is the 12-digit AWS account ID.
	Account string
	// UserID is the unique ID of the caller (AIDA..., or AROA...:SESSION).
	UserID string
	// Name is the short name of the caller: the user name for an IAM user,
	// the session name for an assumed role, the user name for a federated
	// user, "root" for the account root.
	Name string
}

// ParseIdentity builds an Identity from the fields of a GetCallerIdentity
// answer. It understands the ARNs GetCallerIdentity returns:
//
//	arn:PARTITION:iam::ACCOUNT:user/NAME (or user/PATH/NAME)
//	arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION
//	arn:PARTITION:sts::ACCOUNT:federated-user/NAME
//	arn:PARTITION:iam::ACCOUNT:root
//
// account may be empty (it is then taken from the ARN); if given it must
// match the ARN's account.
func ParseIdentity(arn, account, userID string) (Identity, error) {
	bad := func(why string) (Identity, error) {
		return Identity{}, newError(ErrInvalidARN, nil, "caller ARN %q: %s", arn, why)
	}
	// arn:partition:service:region:account:resource; the resource of the
	// ARNs accepted here holds no colon.
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" {
		return bad("not an ARN")
	}
	partition, service, region, arnAccount, resource := parts[1], parts[2], parts[3], parts[4], parts[5]
	if !strings.HasPrefix(partition, "aws") {
		return bad("unknown partition")
	}
	if region != "" {
		return bad("IAM and STS ARNs have no region")
	}
	if !person.IsAccountID(arnAccount) {
		return bad("account is not 12 digits")
	}
	if account != "" && account != arnAccount {
		return bad("account " + account + " does not match the ARN")
	}

	var name string
	segments := strings.Split(resource, "/")
	switch {
	case service == "iam" && resource == "root":
		name = "root"
	case service == "iam" && segments[0] == "user" && len(segments) >= 2:
		name = segments[len(segments)-1]
	case service == "sts" && segments[0] == "assumed-role" && len(segments) == 3:
		if segments[1] == "" {
			return bad("empty role name")
		}
		name = segments[2]
	case service == "sts" && segments[0] == "federated-user" && len(segments) == 2:
		name = segments[1]
	default:
		return bad("not a user, assumed role, federated user or root ARN")
	}
	if name == "" {
		return bad("empty name")
	}
	for _, s := range segments[1:] {
		if s == "" {
			return bad("empty path segment")
		}
	}
	return Identity{ARN: arn, Account: arnAccount, UserID: userID, Name: name}, nil
}
