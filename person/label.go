package person

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// A label is how a person appears in the SourceIdentity
// "sentinel.<label>.<basis>.<request-id>" and in the role session name
// "sentinel-<label>" of the credentials sentinel issues. Labels must never
// let one person pass for another, in CloudTrail or in an IAM condition on
// "sentinel.<label>.*":
//
//   - two person keys never get the same label;
//   - a label has no '.', so "sentinel.<label>." is a prefix of exactly the
//     SourceIdentities of that one person;
//   - a label is one value per person (not one per basis), at most MaxLabel
//     characters, so that it always fits beside the longest basis; one that
//     does not fit is shortened with a hash, never cut short.
//
// The forms, with home the policy's first accounts: entry:
//
//	alice                    IAM user alice in the home account
//	alice,smith              IAM user alice.smith in the home account
//	alice=444455556666       IAM user alice in another account
//	alice=sso                IAM Identity Center user alice
//	deploy=r111122223333     role deploy (any session name) in that account
//	fed=f111122223333        federated users of that account
//	root=o111122223333       the account's root user
//	depl=hXXXXXXXXXXXXXXX    any of these that does not fit (see hashedLabel)
//
// A name keeps its plain form, lower-cased and with each '.' written as
// ',', only when it holds no ',', no '=' and no character STS refuses. Only IAM users of the home account
// have labels without '='; every other label carries one, followed by a tag
// whose first character says the kind (a digit, s, r, f, o or h). So an IAM
// user and an SSO user both named alice differ (alice and alice=sso): the
// bare name is kept for the home account's IAM users, and an SSO user keeps
// the name as the label's visible part.

// MaxLabel is the longest label: STS's 64 characters less "sentinel.", the
// longest basis ("apr-" and 16 hex digits), a 12-digit request ID and the
// dots between them.
const MaxLabel = 64 - len("sentinel.") - len(".apr-0123456789abcdef.") - 12

// labelSep separates a label's visible part from its tag.
const labelSep = "="

// hashedPrefix is how many characters of the name a hashed label shows.
const hashedPrefix = 4

// Label returns the label of person key k; home is the policy's first
// accounts: entry ("" when the policy lists none, so that no label is a
// bare name).
func Label(k Key, home string) string {
	var name, tag string
	switch k.Kind {
	case KindUser:
		name, tag = k.Name, k.Account
		if k.Account == home {
			if body, ok := labelBody(name); ok && len(body) <= MaxLabel {
				return body
			}
		}
	case KindSSO:
		name, tag = k.Name, "sso"
	case KindRole:
		name, tag = k.Name, "r"+k.Account
	case KindFederated:
		name, tag = "fed", "f"+k.Account
	case KindRoot:
		name, tag = "root", "o"+k.Account
	default:
		return hashedLabel(k)
	}
	if body, ok := labelBody(name); ok && len(body)+len(labelSep)+len(tag) <= MaxLabel {
		return body + labelSep + tag
	}
	return hashedLabel(k)
}

// labelBody is name as a label's visible part: each '.' written as ','
// (a label has no dot). A name that holds a ',' or a '=' already, or a
// character STS refuses, has no plain body, so the mapping is one-to-one.
func labelBody(name string) (string, bool) {
	if name == "" {
		return "", false
	}
	b := []byte(name)
	for i, c := range b {
		switch {
		case c == '.':
			b[i] = ','
		case c == ',' || !plainChar(c):
			return "", false
		}
	}
	return string(b), true
}

// LabelPrefix is "sentinel.<label>.": the start of every SourceIdentity
// sentinel gives person k, and of no one else's. An IAM condition on
// "LabelPrefix*" matches exactly that person's sessions.
func LabelPrefix(k Key, home string) string {
	return "sentinel." + Label(k, home) + "."
}

// hashedLabel is the label of a person whose plain form does not fit: up to
// hashedPrefix characters of the name (made plain), labelSep, 'h' and the
// SHA-256 of the person key in lower-case base32, as many characters as fit
// (15: 75 bits).
func hashedLabel(k Key) string {
	prefix := sanitizeName(k.Name)
	if len(prefix) > hashedPrefix {
		prefix = prefix[:hashedPrefix]
	}
	if prefix == "" {
		prefix = "-"
	}
	sum := sha256.Sum256([]byte(k.Value))
	digest := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:]))
	room := MaxLabel - len(prefix) - len(labelSep) - 1
	return prefix + labelSep + "h" + digest[:room]
}

// ValidLabel reports whether s has the shape of a label: 1 to MaxLabel
// characters STS accepts, no '.', and either no '=' or one '=' followed by
// a tag.
func ValidLabel(s string) bool {
	if s == "" || len(s) > MaxLabel {
		return false
	}
	body, tag, tagged := strings.Cut(s, labelSep)
	if !plainName(body) {
		return false
	}
	if !tagged {
		return true
	}
	return tag != "" && plainName(tag)
}

// plainName reports whether s, non-empty, uses only the characters STS
// accepts other than '.' and '=' (and no upper case: names are lowered).
func plainName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !plainChar(s[i]) {
			return false
		}
	}
	return true
}

func plainChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("_+,@-", c) >= 0
}

// sanitizeName lower-cases s and replaces every character plainName
// refuses with '-'.
func sanitizeName(s string) string {
	b := []byte(strings.ToLower(s))
	for i := range b {
		if !plainChar(b[i]) {
			b[i] = '-'
		}
	}
	return string(b)
}
