package policy

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// ErrNoRoleProfiles means the AWS config has no profile a starter policy
// could pin: none assumes a role or names an IAM Identity Center role.
var ErrNoRoleProfiles = errors.New("no role profiles to pin")

// StarterProfile is one profile of the person's AWS config, as the
// starter policy pins it.
type StarterProfile struct {
	// Name is the profile name.
	Name string
	// RoleARN is the role the profile assumes; "" for an IAM Identity
	// Center profile used directly.
	RoleARN string
	// Via are the roles a chain assumes before RoleARN, in order.
	Via []string
	// SSOAccount and SSORoleName pin an IAM Identity Center profile used
	// directly (no role_arn).
	SSOAccount  string
	SSORoleName string
}

// StarterInput is what a starter policy is made from.
type StarterInput struct {
	// Profiles are the role profiles to pin, one rule each.
	Profiles []StarterProfile
	// Account is the caller's 12-digit account: the accounts: entry.
	Account string
	// CallerARN is the caller's ARN: the user of the generated tests.
	CallerARN string
}

// Starter is a generated policy and what was left out of it.
type Starter struct {
	// YAML is the policy file.
	YAML []byte
	// Skipped are the profiles whose names cannot be pinned (glob
	// characters, control characters, not UTF-8).
	Skipped []string
}

// productionPatterns are the profile names that look like production: a
// starter policy asks for approval before issuing them.
var productionPatterns = []string{"prod*", "*-prod", "production"}

// LooksLikeProduction reports whether a profile name matches prod*,
// *-prod or production, ignoring case.
func LooksLikeProduction(name string) bool {
	lower := strings.ToLower(name)
	for _, p := range productionPatterns {
		if ok, _ := path.Match(p, lower); ok {
			return true
		}
	}
	return false
}

// NewStarter writes a starter policy: every profile pinned (with via for
// a chain), the caller's account, one rule per profile (require_approval
// for the ones that look like production, allow for the others), an
// approval rule for those with PlaceholderApprover as its approver (which
// Warnings flags until it is replaced), and a test per profile plus one
// for a profile the policy does not know (an IAM Identity Center profile
// used directly gets no test: a case cannot say where credentials come
// from). The result loads with Parse and
// its tests pass.
func NewStarter(in StarterInput) (Starter, error) {
	var out Starter
	var profiles []StarterProfile
	for _, p := range in.Profiles {
		if !pinnable(p.Name) {
			out.Skipped = append(out.Skipped, p.Name)
			continue
		}
		profiles = append(profiles, p)
	}
	if len(profiles) == 0 {
		return out, ErrNoRoleProfiles
	}
	slices.SortFunc(profiles, func(a, b StarterProfile) int { return strings.Compare(a.Name, b.Name) })
	var prod []string
	for _, p := range profiles {
		if LooksLikeProduction(p.Name) {
			prod = append(prod, p.Name)
		}
	}

	var b strings.Builder
	b.WriteString("# A starter policy written by `sentinel policy init` from your AWS config.\n")
	b.WriteString("# Read it through before you rely on it: every profile below is pinned to\n")
	b.WriteString("# the role it assumes today, and any profile not listed is refused.\n")
	if len(prod) > 0 {
		fmt.Fprintf(&b, "# Replace %s under approvals: with the people who may approve.\n", PlaceholderApprover)
	}
	b.WriteString("# Check it with: sentinel policy validate && sentinel policy test\n")
	fmt.Fprintf(&b, "version: %q\n", Version)
	if in.Account != "" {
		fmt.Fprintf(&b, "accounts: [%s]\n", yamlFlow(in.Account))
	}
	b.WriteString("profiles:\n")
	for _, p := range profiles {
		fmt.Fprintf(&b, "  %s:\n", yamlScalar(p.Name))
		if p.RoleARN != "" {
			fmt.Fprintf(&b, "    role_arn: %s\n", yamlScalar(p.RoleARN))
			if len(p.Via) > 0 {
				fmt.Fprintf(&b, "    via: [%s]\n", yamlList(p.Via))
			}
			continue
		}
		fmt.Fprintf(&b, "    sso_account: %s\n", yamlScalar(p.SSOAccount))
		fmt.Fprintf(&b, "    sso_role_name: %s\n", yamlScalar(p.SSORoleName))
	}
	b.WriteString("rules:\n")
	for _, p := range profiles {
		effect := EffectAllow
		if LooksLikeProduction(p.Name) {
			effect = EffectRequireApproval
		}
		fmt.Fprintf(&b, "  - name: %s\n    effect: %s\n    conditions:\n      profiles: [%s]\n", yamlScalar(p.Name), effect, yamlFlow(p.Name))
	}
	if len(prod) > 0 {
		b.WriteString("approvals:\n")
		fmt.Fprintf(&b, "  - name: production\n    profiles: [%s]\n    approvers: [%s]\n", yamlList(prod), PlaceholderApprover)
	}
	b.WriteString("tests:\n")
	user := in.CallerARN
	for _, p := range profiles {
		if p.RoleARN == "" {
			// A test case cannot say that credentials come from IAM
			// Identity Center, so the pin would refuse it.
			continue
		}
		effect, verb := EffectAllow, "is allowed"
		if LooksLikeProduction(p.Name) {
			effect, verb = EffectRequireApproval, "needs an approval"
		}
		fmt.Fprintf(&b, "  - name: %s\n    user: %s\n    profile: %s\n    effect: %s\n    rule: %s\n",
			yamlScalar(p.Name+" "+verb), yamlScalar(user), yamlScalar(p.Name), effect, yamlScalar(p.Name))
	}
	fmt.Fprintf(&b, "  - name: a profile the policy does not list is refused\n    user: %s\n    profile: %s\n    effect: deny\n",
		yamlScalar(user), yamlScalar(unlistedProfile(profiles)))
	out.YAML = []byte(b.String())
	return out, nil
}

// pinnable reports whether name can be a key of the profiles: section:
// printable UTF-8 text, not blank, with no glob character.
func pinnable(name string) bool {
	if strings.TrimSpace(name) == "" || !utf8.ValidString(name) || isGlob(name) || strings.ContainsAny(name, globRefused) {
		return false
	}
	return !strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsPrint(r) })
}

// unlistedProfile is a profile name none of profiles has.
func unlistedProfile(profiles []StarterProfile) string {
	for i := 0; ; i++ {
		name := "not-in-this-policy"
		if i > 0 {
			name = fmt.Sprintf("%s-%d", name, i)
		}
		if !slices.ContainsFunc(profiles, func(p StarterProfile) bool { return p.Name == name }) {
			return name
		}
	}
}

// yamlScalar is s as a YAML scalar, quoted where YAML would otherwise read
// it as something else (a number, a boolean, a comment).
func yamlScalar(s string) string {
	data, err := yaml.Marshal(s)
	if err != nil || strings.Count(string(data), "\n") != 1 {
		return fmt.Sprintf("%q", s)
	}
	return strings.TrimSuffix(string(data), "\n")
}

// flowSafe are the scalars that may stand unquoted in a flow sequence.
// Compiled on first use, not at init: every command pays for init.
var flowSafe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@/+=:-]*$`) })

// yamlFlow is s as a scalar inside a flow sequence, where more characters
// end or change a plain scalar than in a block. Anything unusual is
// double-quoted (s is printable UTF-8, so %q escapes only quotes and
// backslashes, as YAML reads them).
func yamlFlow(s string) string {
	if !flowSafe().MatchString(s) {
		return fmt.Sprintf("%q", s)
	}
	return yamlScalar(s)
}

// yamlList is a flow sequence of scalars, without the brackets.
func yamlList(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = yamlFlow(s)
	}
	return strings.Join(out, ", ")
}
