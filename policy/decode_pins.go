package policy

import (
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/sentinel-cli/sentinel/internal/field"
	"github.com/sentinel-cli/sentinel/person"
)

// The shape of an IAM role ARN is
//
//	^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role/((?:[\x21-\x2e\x30-\x7e]+/)*)([\w+=,.@-]+)$
//
// with a path (group 2) of at most 512 bytes and a name (group 3) of at
// most 64. checkRoleARN matches it by hand: it runs for every pin and via
// entry, and a regular expression cost a fifth of loading 10,000 pins.
// TestCheckRoleARNAgreesWithRegexp holds it to the expression.

// regionName is the shape of an AWS region name, like eu-west-1.
// Compiled on first use, not at init: every command pays for init.
var regionName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$`) })

// checkRoleARN returns the account of a role ARN, and false when s is not
// one.
func checkRoleARN(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, "arn:aws")
	if !ok {
		return "", false
	}
	// Partition suffixes: "-gov", "-us-gov", "-cn" and so on.
	for len(rest) > 0 && rest[0] == '-' {
		i := 1
		for i < len(rest) && rest[i] >= 'a' && rest[i] <= 'z' {
			i++
		}
		if i == 1 {
			return "", false
		}
		rest = rest[i:]
	}
	if rest, ok = strings.CutPrefix(rest, ":iam::"); !ok || len(rest) < 12 {
		return "", false
	}
	account := rest[:12]
	for i := 0; i < 12; i++ {
		if account[i] < '0' || account[i] > '9' {
			return "", false
		}
	}
	if rest, ok = strings.CutPrefix(rest[12:], ":role/"); !ok {
		return "", false
	}
	slash := strings.LastIndexByte(rest, '/')
	path, name := rest[:slash+1], rest[slash+1:]
	if len(path) > 512 || len(name) == 0 || len(name) > 64 {
		return "", false
	}
	// The path is segments of printable characters other than '/', each
	// followed by '/'.
	prev := byte('/')
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c == '/' {
			if prev == '/' {
				return "", false
			}
		} else if c < 0x21 || c > 0x7e {
			return "", false
		}
		prev = c
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_+=,.@-", c) >= 0) {
			return "", false
		}
	}
	return account, true
}

const roleARNWant = "want arn:aws:iam::<12-digit account>:role/[path/]name"

// pins decodes the profiles: section: a mapping from profile name to its
// pin. An empty section ("profiles:" with nothing after it) pins nothing,
// so every profile is refused.
func (d *decoder) pins(n *yaml.Node, field string) map[string]ProfilePin {
	out := map[string]ProfilePin{}
	if isNull(n) {
		return out
	}
	if n.Kind != yaml.MappingNode {
		d.addf(n, field, "want a mapping from profile name to its pin, got %s", describe(n))
		return out
	}
	if sec := d.fast.lazyOf(n); sec != nil {
		out = make(map[string]ProfilePin, sec.count)
		for k, v, ok := sec.next(); ok; k, v, ok = sec.next() {
			d.pinEntry(out, k, v, field)
		}
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		d.pinEntry(out, n.Content[i], n.Content[i+1], field)
	}
	return out
}

// pinEntry decodes one profile name k and its pin v into out.
func (d *decoder) pinEntry(out map[string]ProfilePin, k, v *yaml.Node, field string) {
	name, ok := d.name(k, field)
	if !ok {
		return
	}
	f := d.join(field, name)
	if isGlob(name) || strings.ContainsAny(name, globRefused) {
		d.addf(k, f, "a pinned profile is an exact name, not a pattern")
		return
	}
	if first, dup := out[name]; dup {
		d.addf(k, f, "duplicate profile (first at line %d)", first.Line)
		return
	}
	out[name] = d.pin(v, f, name, k.Line)
}

// pinKeys are the keys of a profile's pin.
var pinKeys = []string{"role_arn", "via", "account", "region", "max_duration", "sso_account", "sso_role_name"}

// pin decodes one profile's pin.
func (d *decoder) pin(n *yaml.Node, field, name string, line int) ProfilePin {
	pin := ProfilePin{Name: name, Line: line}
	var roleNode, accountNode, viaNode, ssoAccountNode, ssoRoleNode *yaml.Node
	it, ok := d.fields(n, field, pinKeys)
	for ok && it.next() {
		f, v := it.f, it.v
		switch it.key {
		case 0: // role_arn
			roleNode = v
			s, ok := d.name(v, f)
			if !ok {
				continue
			}
			if _, ok := checkRoleARN(s); !ok {
				d.addf(v, f, "bad role ARN %q (%s)", s, roleARNWant)
				continue
			}
			pin.RoleARN = s
		case 1: // via
			viaNode = v
			list, _ := d.strList(v, f, "leave via out when the chain passes through no other role")
			for i, s := range list {
				if _, ok := checkRoleARN(s); !ok {
					d.addf(itemNode(v, i), f, "bad role ARN %q (%s)", s, roleARNWant)
					continue
				}
				if containsString(pin.Via, s) {
					d.addf(itemNode(v, i), f, "duplicate role %s", s)
					continue
				}
				pin.Via = append(pin.Via, s)
			}
		case 2: // account
			accountNode = v
			s, ok := d.str(v, f)
			if !ok {
				continue
			}
			if !person.IsAccountID(s) {
				d.addf(v, f, "bad account ID %q (want 12 digits, quoted)", s)
				continue
			}
			pin.Account = s
		case 3: // region
			s, ok := d.name(v, f)
			if !ok {
				continue
			}
			if !regionName().MatchString(s) {
				d.addf(v, f, "bad region %q (want a region name like eu-west-1)", s)
				continue
			}
			pin.Region = s
		case 4: // max_duration
			pin.MaxDuration, _ = d.duration(v, f, minDuration, maxRuleDuration)
		case 5: // sso_account
			ssoAccountNode = v
			s, ok := d.str(v, f)
			if !ok {
				continue
			}
			if !person.IsAccountID(s) {
				d.addf(v, f, "bad account ID %q (want 12 digits, quoted)", s)
				continue
			}
			pin.SSOAccount = s
		case 6: // sso_role_name
			ssoRoleNode = v
			s, ok := d.name(v, f)
			if !ok {
				continue
			}
			if !validSSORoleName(s) {
				d.addf(v, f, "bad role name %q (want the permission set's name, like AdministratorAccess)", s)
				continue
			}
			pin.SSORoleName = s
		}
	}
	if !ok {
		return pin
	}
	if ssoAccountNode != nil || ssoRoleNode != nil {
		d.ssoPin(n, field, &pin, roleNode, accountNode, viaNode, ssoAccountNode, ssoRoleNode)
		return pin
	}
	switch {
	case roleNode == nil && accountNode == nil:
		d.addf(n, join(field, "account"), "missing (a pin without role_arn must name the account of its base credentials)")
	case roleNode == nil && viaNode != nil:
		d.addf(viaNode, join(field, "via"), "via without role_arn (a profile that assumes no role passes through none)")
	case pin.RoleARN != "":
		roleAccount, _ := checkRoleARN(pin.RoleARN)
		if pin.Account == "" && accountNode == nil {
			pin.Account = roleAccount
		} else if pin.Account != "" && pin.Account != roleAccount {
			d.addf(accountNode, join(field, "account"), "account %s differs from role_arn's account %s", pin.Account, roleAccount)
		}
		if containsString(pin.Via, pin.RoleARN) {
			d.addf(viaNode, join(field, "via"), "lists the pinned role %s itself (via is for the roles before it)", pin.RoleARN)
		}
	}
	return pin
}

// validSSORoleName is the shape of a permission set's role name.
func validSSORoleName(name string) bool { return field.CharsIn(name, 1, 64, "+=,.@-") }

// ssoPin checks a pin of an IAM Identity Center profile used directly:
// sso_account and sso_role_name together, without role_arn or via (a
// role chained from Identity Center is pinned by its role_arn), and an
// account, if given, that is sso_account.
func (d *decoder) ssoPin(n *yaml.Node, field string, pin *ProfilePin, roleNode, accountNode, viaNode, ssoAccountNode, ssoRoleNode *yaml.Node) {
	switch {
	case ssoAccountNode == nil:
		d.addf(n, join(field, "sso_account"), "missing (sso_role_name needs the account of the permission set)")
	case ssoRoleNode == nil:
		d.addf(n, join(field, "sso_role_name"), "missing (sso_account needs the permission set's role name)")
	case roleNode != nil:
		d.addf(roleNode, join(field, "role_arn"), "role_arn with sso_account (pin a role chained from IAM Identity Center by its role_arn alone)")
	case viaNode != nil:
		d.addf(viaNode, join(field, "via"), "via with sso_account (a profile using IAM Identity Center credentials directly passes through no role)")
	case accountNode != nil && pin.Account != "" && pin.Account != pin.SSOAccount:
		d.addf(accountNode, join(field, "account"), "account %s differs from sso_account %s", pin.Account, pin.SSOAccount)
	default:
		pin.Account = pin.SSOAccount
	}
}
