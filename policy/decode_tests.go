package policy

import (
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sentinel-cli/sentinel/person"
)

// testsSection decodes the tests: section; an empty one is fine.
func (d *decoder) testsSection(n *yaml.Node, field string) []TestCase {
	return decodeOptionalSection(d, n, field, "test cases", d.testCase)
}

// testCase decodes one case. References to the rest of the file (rule
// names, accounts) are checked by checkTests once the file is read.
func (d *decoder) testCase(n *yaml.Node, field string, names *uniqueNames) TestCase {
	tc := TestCase{Line: n.Line}
	var has = map[string]bool{}
	ok := d.mapping(n, field, []key{
		{"name", func(f string, v *yaml.Node) {
			has["name"] = true
			tc.Name, _ = d.name(v, f)
			names.check(d, v, f, "test", tc.Name)
		}},
		{"user", func(f string, v *yaml.Node) {
			has["user"] = true
			s, ok := d.name(v, f)
			if ok && !strings.HasPrefix(s, "arn:") && strings.ContainsAny(s, ":/*?") {
				d.addf(v, f, "%q is neither a bare IAM user name nor an ARN", s)
			}
			tc.User = s
		}},
		{"account", func(f string, v *yaml.Node) {
			s, ok := d.str(v, f)
			if ok && !person.IsAccountID(s) {
				d.addf(v, f, "bad account ID %q (want 12 digits, quoted)", s)
			}
			tc.Account = s
		}},
		{"profile", func(f string, v *yaml.Node) { has["profile"] = true; tc.Profile, _ = d.name(v, f) }},
		{"roles", func(f string, v *yaml.Node) {
			list, _ := d.strList(v, f, "leave roles out for the profile's pinned role")
			for i, r := range list {
				if _, ok := checkRoleARN(r); !ok {
					d.addf(itemNode(v, i), f, "%q is not a role ARN (want arn:aws:iam::<account>:role/NAME)", r)
				}
			}
			tc.Roles = list
		}},
		{"mode", func(f string, v *yaml.Node) {
			if s, ok := d.str(v, f); ok {
				m, err := ParseMode(s)
				if err != nil {
					d.addf(v, f, "%v", err)
				}
				tc.Mode = m
			}
		}},
		{"time", func(f string, v *yaml.Node) {
			// yaml would turn an unquoted timestamp into !!timestamp;
			// take its text either way.
			if v.Kind != yaml.ScalarNode || (v.ShortTag() != "!!str" && v.ShortTag() != "!!timestamp") {
				d.addf(v, f, "want an RFC 3339 time like 2025-06-02T09:30:00+02:00, got %s", describe(v))
				return
			}
			t, err := time.Parse(time.RFC3339, v.Value)
			if err != nil {
				d.addf(v, f, "bad time %q (want RFC 3339 like 2025-06-02T09:30:00+02:00)", v.Value)
				return
			}
			tc.Time = t
		}},
		{"effect", func(f string, v *yaml.Node) {
			has["effect"] = true
			if s, ok := d.str(v, f); ok {
				e, err := parseEffect(s)
				if err != nil {
					d.addf(v, f, "%v", err)
				}
				tc.Effect = e
			}
		}},
		{"rule", func(f string, v *yaml.Node) { tc.Rule, _ = d.name(v, f) }},
		{"default_deny", func(f string, v *yaml.Node) { tc.DefaultDeny, _ = d.boolean(v, f) }},
	})
	if !ok {
		return tc
	}
	for _, k := range []string{"name", "user", "profile", "effect"} {
		if !has[k] {
			d.addf(n, join(field, k), "missing (every test needs name, user, profile and effect)")
		}
	}
	if tc.DefaultDeny && tc.Rule != "" {
		d.addf(n, join(field, "default_deny"), "give rule or default_deny, not both")
	}
	if tc.DefaultDeny && has["effect"] && tc.Effect != EffectDeny {
		d.addf(n, join(field, "default_deny"), "the default is deny: want effect: deny")
	}
	return tc
}

// boolean decodes true or false.
func (d *decoder) boolean(n *yaml.Node, field string) (bool, bool) {
	var v bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		d.addf(n, field, "want true or false, got %s", describe(n))
		return false, false
	}
	return v, true
}

// checkTests checks what the cases refer to in the rest of the file: the
// rules they expect exist, and a bare user has an account to live in.
func (d *decoder) checkTests(p *Policy, n *yaml.Node, field string) {
	rules := make(map[string]bool, len(p.Rules))
	for _, r := range p.Rules {
		rules[r.Name] = true
	}
	for i, tc := range p.tests {
		at := itemNode(n, i)
		f := index(field, i)
		if tc.Rule != "" && len(p.Rules) > 0 && !rules[tc.Rule] {
			d.addf(at, join(f, "rule"), "no rule is named %q", tc.Rule)
		}
		isARN := strings.HasPrefix(tc.User, "arn:")
		switch {
		case tc.User == "":
		case !isARN && tc.Account == "" && len(p.Accounts) == 0:
			d.addf(at, join(f, "user"), "bare user %q needs account: in the test or accounts: in the policy", tc.User)
		case isARN && tc.Account != "" && arnAccount(tc.User) != tc.Account:
			d.addf(at, join(f, "account"), "%s differs from the account of user %s", tc.Account, tc.User)
		}
	}
}
