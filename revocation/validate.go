package revocation

import (
	"strings"
	"time"

	"github.com/sentinel-cli/sentinel/person"
	"github.com/sentinel-cli/sentinel/record"
)

// Validate checks an entry before every write and after every read. Its
// Value and Roles end up inside IAM conditions, so they are held to the
// exact shapes sentinel produces: a label or basis holding '*' or '?'
// would widen a StringLike pattern to other people's credentials.
func (e *Entry) Validate() error {
	if e == nil {
		return record.Invalidf("no revocation entry")
	}
	if !record.ValidID(e.ID) {
		return record.Invalidf("revocation entry ID %q is not %d lower-case hex characters", e.ID, record.IDLength)
	}
	if err := checkValue(e.Target, e.Value); err != nil {
		return err
	}
	if err := checkRoles(e.Roles); err != nil {
		return err
	}
	if e.Target == TargetOlder && len(e.Roles) != 1 {
		return record.Invalidf("an older entry names exactly one role, not %d", len(e.Roles))
	}
	if err := checkTimes(e); err != nil {
		return err
	}
	if err := record.Name("revoked by", e.By, record.MaxName); err != nil {
		return err
	}
	if err := record.OptionalName("revoked by ARN", e.ByARN, record.MaxARN); err != nil {
		return err
	}
	return checkStatus(e)
}

// checkValue checks the value of a target.
func checkValue(t Target, v string) error {
	switch t {
	case TargetSession:
		if !record.ValidID(v) {
			return record.Invalidf("session ID %q is not %d lower-case hex characters", v, record.IDLength)
		}
	case TargetGrant:
		if !ValidBasis(v) {
			return record.Invalidf("grant %q is not apr-<ID> or bg-<ID>", v)
		}
	case TargetBlock, TargetUnblocked:
		if !ValidLabel(v) {
			return record.Invalidf("label %q is not a person label", v)
		}
	case TargetOlder:
		if v != "" {
			return record.Invalidf("an older entry has no value, got %q", v)
		}
	default:
		return record.Invalidf("unknown revocation target %q", t)
	}
	return nil
}

// ValidBasis reports whether s is the basis of an approval or break-glass
// grant: "apr-" or "bg-" and a record ID.
func ValidBasis(s string) bool {
	for _, p := range []string{"apr-", "bg-"} {
		if id, ok := strings.CutPrefix(s, p); ok {
			return record.ValidID(id)
		}
	}
	return false
}

// ValidLabel reports whether s is a person label (person.ValidLabel) that
// is safe inside "sentinel.<label>.*": no '.', '*' or '?' (wildcards and
// the separator), nor '$' (IAM policy variables), so the pattern matches
// exactly that person's SourceIdentities. person.ValidLabel refuses them
// already; the check is repeated here because this is where a wrong label
// would deny, or spare, someone else.
func ValidLabel(s string) bool {
	return person.ValidLabel(s) && !strings.ContainsAny(s, ".*?$")
}

// ValidRoleARN reports whether s is an IAM role ARN:
// arn:aws[-a-z]*:iam::<12 digits>:role/[<path>/]<name>, with a name of 1-64
// and path segments of the characters IAM allows in role names, and no
// wildcard.
func ValidRoleARN(s string) bool {
	if len(s) > MaxARN {
		return false
	}
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return false
	}
	partition, rest, ok := strings.Cut(rest, ":")
	if !ok || !validPartition(partition) {
		return false
	}
	rest, ok = strings.CutPrefix(rest, "iam::")
	if !ok {
		return false
	}
	account, resource, ok := strings.Cut(rest, ":")
	if !ok || !person.IsAccountID(account) {
		return false
	}
	path, ok := strings.CutPrefix(resource, "role/")
	if !ok {
		return false
	}
	segs := strings.Split(path, "/")
	for _, seg := range segs {
		if seg == "" || !roleNameChars(seg) {
			return false
		}
	}
	return len(segs[len(segs)-1]) <= 64
}

// validPartition reports whether p is "aws" followed by lower-case letters
// and dashes (aws, aws-cn, aws-us-gov, ...).
func validPartition(p string) bool {
	suffix, ok := strings.CutPrefix(p, "aws")
	if !ok {
		return false
	}
	for i := 0; i < len(suffix); i++ {
		if c := suffix[i]; c != '-' && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

// roleNameChars reports whether s uses only [A-Za-z0-9+=,.@_-].
func roleNameChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("+=,.@_-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// checkRoles checks that roles holds 1..MaxRoles distinct role ARNs.
func checkRoles(roles []string) error {
	if len(roles) == 0 {
		return record.Invalidf("a revocation entry names at least one role")
	}
	if len(roles) > MaxRoles {
		return record.Invalidf("a revocation entry names at most %d roles, not %d", MaxRoles, len(roles))
	}
	for i, r := range roles {
		if !ValidRoleARN(r) {
			return record.Invalidf("%q is not an IAM role ARN", r)
		}
		for _, prev := range roles[:i] {
			if strings.EqualFold(prev, r) {
				return record.Invalidf("role %s is named twice", r)
			}
		}
	}
	return nil
}

// checkTimes checks the entry's times: an expiry after its creation and no
// later than the longest credential it can target allows.
func checkTimes(e *Entry) error {
	if err := record.Time("creation time", e.CreatedAt); err != nil {
		return err
	}
	if err := record.Time("expiry", e.ExpiresAt); err != nil {
		return err
	}
	if !e.ExpiresAt.After(e.CreatedAt) {
		return record.Invalidf("expiry %s is not after creation %s", stamp(e.ExpiresAt), stamp(e.CreatedAt))
	}
	if e.Target == TargetUnblocked {
		if err := record.Time("block time", e.BlockedAt); err != nil {
			return err
		}
		if e.BlockedAt.After(e.CreatedAt.Add(MaxSkew)) {
			return record.Invalidf("block time %s is after the unblock %s", stamp(e.BlockedAt), stamp(e.CreatedAt))
		}
	} else if !e.BlockedAt.IsZero() {
		return record.Invalidf("only an unblocked entry has a block time")
	}
	if e.Target == TargetOlder {
		if err := record.Time("issued-before time", e.IssuedBefore); err != nil {
			return err
		}
	} else if !e.IssuedBefore.IsZero() {
		return record.Invalidf("only an older entry has an issued-before time")
	}
	if limit := e.reach().Add(MaxCredentialLifetime + MaxSkew); e.ExpiresAt.After(limit) {
		return record.Invalidf("expiry %s is more than %s after the credentials it targets were issued (%s)",
			stamp(e.ExpiresAt), MaxCredentialLifetime, stamp(e.reach()))
	}
	return nil
}

// checkStatus checks the status and the fields that go with it.
func checkStatus(e *Entry) error {
	if !machine.Known(e.Status) {
		return record.Invalidf("revocation entry %s has unknown status %q", e.ID, e.Status)
	}
	if e.Version < 0 {
		return record.Invalidf("revocation entry %s has negative version %d", e.ID, e.Version)
	}
	if err := record.OptionalTime("end time", e.EndedAt); err != nil {
		return err
	}
	if (e.Status == StatusActive) != e.EndedAt.IsZero() {
		return record.Invalidf("revocation entry %s: an end time goes with a final status, and only with one", e.ID)
	}
	if e.Status == StatusLifted {
		if e.Target != TargetBlock {
			return record.Invalidf("only a block is lifted, not a %s entry", e.Target)
		}
		if err := record.Name("lifted by", e.LiftedBy, record.MaxName); err != nil {
			return err
		}
	} else if e.LiftedBy != "" || e.LiftedByARN != "" {
		return record.Invalidf("revocation entry %s names who lifted it but is %s", e.ID, e.Status)
	}
	return record.OptionalName("lifted by ARN", e.LiftedByARN, record.MaxARN)
}

// stamp formats t for an error.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
