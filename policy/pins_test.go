package policy

import (
	"errors"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	devRole  = "arn:aws:iam::111122223333:role/dev"
	prodRole = "arn:aws:iam::444455556666:role/prod"
	jumpRole = "arn:aws:iam::111122223333:role/org/jump"
)

const pinsPolicy = `version: "1"
profiles:
  dev:
    role_arn: arn:aws:iam::111122223333:role/dev
    region: eu-west-1
    max_duration: 1h
  prod:
    role_arn: arn:aws:iam::444455556666:role/prod
    via: [arn:aws:iam::111122223333:role/org/jump]
  keys:
    account: "111122223333"
rules:
  - {name: all, effect: allow}
`

func TestPinsDecode(t *testing.T) {
	p := mustParse(t, pinsPolicy)
	if !p.HasPins() || len(p.Pins) != 3 {
		t.Fatalf("HasPins %v, pins %v", p.HasPins(), p.Pins)
	}
	dev, ok := p.Pin("dev")
	want := ProfilePin{Name: "dev", RoleARN: devRole, Account: "111122223333", Region: "eu-west-1", MaxDuration: time.Hour, Line: 3}
	if !ok || dev.Name != want.Name || dev.RoleARN != want.RoleARN || dev.Account != want.Account ||
		dev.Region != want.Region || dev.MaxDuration != want.MaxDuration || dev.Line != want.Line || dev.Via != nil {
		t.Errorf("Pin(dev) = %+v, %v; want %+v", dev, ok, want)
	}
	prod, _ := p.Pin("prod")
	if prod.Account != "444455556666" || !slices.Equal(prod.Via, []string{jumpRole}) {
		t.Errorf("Pin(prod) = %+v: account comes from role_arn, via as listed", prod)
	}
	keys, _ := p.Pin("keys")
	if keys.RoleARN != "" || keys.Account != "111122223333" {
		t.Errorf("Pin(keys) = %+v", keys)
	}
	if _, ok := p.Pin("other"); ok {
		t.Error("Pin(other) found a pin")
	}
	if got := p.Summary(); got != "1 rule, 0 approval rules, 0 break-glass rules, 3 pinned profiles" {
		t.Errorf("Summary() = %q", got)
	}
	var nilPolicy *Policy
	if nilPolicy.HasPins() || nilPolicy.CheckChain("dev", nil, "") != nil {
		t.Error("a nil policy has pins")
	}
}

func TestPinsDecodeErrors(t *testing.T) {
	wrap := func(body string) string {
		return "version: \"1\"\nrules: [{name: r, effect: allow}]\nprofiles:\n" + body
	}
	tests := []struct {
		name, src string
		line      int
		field     string
		message   string
	}{
		{"not a mapping", "version: \"1\"\nrules: [{name: r, effect: allow}]\nprofiles: [dev]\n", 3, "profiles", "want a mapping from profile name to its pin"},
		{"pin not a mapping", wrap("  dev: arn:aws:iam::111122223333:role/dev\n"), 4, "profiles.dev", "want a mapping"},
		{"unknown key", wrap("  dev: {role: x}\n"), 4, "profiles.dev.role", "unknown key (want role_arn, via, account, region, max_duration, sso_account, sso_role_name)"},
		{"bad role ARN", wrap("  dev: {role_arn: \"arn:aws:iam::111122223333:user/dev\"}\n"), 4, "profiles.dev.role_arn", `bad role ARN "arn:aws:iam::111122223333:user/dev" (want arn:aws:iam::<12-digit account>:role/[path/]name)`},
		{"role ARN with a short account", wrap("  dev: {role_arn: \"arn:aws:iam::1111:role/dev\"}\n"), 4, "profiles.dev.role_arn", "bad role ARN"},
		{"role ARN glob", wrap("  dev: {role_arn: \"arn:aws:iam::111122223333:role/*\"}\n"), 4, "profiles.dev.role_arn", "bad role ARN"},
		{"role ARN with an empty name", wrap("  dev: {role_arn: \"arn:aws:iam::111122223333:role/team/\"}\n"), 4, "profiles.dev.role_arn", "bad role ARN"},
		{"bad via", wrap("  dev: {role_arn: \"" + devRole + "\", via: [jump]}\n"), 4, "profiles.dev.via", `bad role ARN "jump"`},
		{"empty via", wrap("  dev: {role_arn: \"" + devRole + "\", via: []}\n"), 4, "profiles.dev.via", "empty list (leave via out"},
		{"via lists the target", wrap("  dev: {role_arn: \"" + devRole + "\", via: [\"" + devRole + "\"]}\n"), 4, "profiles.dev.via", "lists the pinned role"},
		{"via without role", wrap("  dev: {account: \"111122223333\", via: [\"" + jumpRole + "\"]}\n"), 4, "profiles.dev.via", "via without role_arn"},
		{"no role and no account", wrap("  dev: {region: eu-west-1}\n"), 4, "profiles.dev.account", "missing (a pin without role_arn must name the account"},
		{"account differs from the role's", wrap("  dev: {role_arn: \"" + devRole + "\", account: \"444455556666\"}\n"), 4, "profiles.dev.account", "account 444455556666 differs from role_arn's account 111122223333"},
		{"account not quoted", wrap("  dev: {account: 111122223333}\n"), 4, "profiles.dev.account", "quote it"},
		{"bad account", wrap("  dev: {account: \"12\"}\n"), 4, "profiles.dev.account", `bad account ID "12"`},
		{"bad region", wrap("  dev: {role_arn: \"" + devRole + "\", region: Frankfurt}\n"), 4, "profiles.dev.region", `bad region "Frankfurt"`},
		{"duration too long", wrap("  dev: {role_arn: \"" + devRole + "\", max_duration: 13h}\n"), 4, "profiles.dev.max_duration", "outside 15m..12h"},
		{"pattern as a name", wrap("  \"dev-*\": {role_arn: \"" + devRole + "\"}\n"), 4, "profiles.dev-*", "exact name, not a pattern"},
		{"duplicate profile", wrap("  dev: {role_arn: \"" + devRole + "\"}\n  dev: {role_arn: \"" + devRole + "\"}\n"), 5, "profiles.dev", "duplicate profile (first at line 4)"},
		{"numeric name", wrap("  123: {role_arn: \"" + devRole + "\"}\n"), 4, "profiles", "want a string, got the number 123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			le := loadError(t, tt.src)
			prefix := "test.yaml:" + itoa(tt.line) + ": " + tt.field + ": "
			for _, l := range le.Lines() {
				if strings.HasPrefix(l, prefix) && strings.Contains(l, tt.message) {
					return
				}
			}
			t.Errorf("no issue like %s...%s...; got\n  %s", prefix, tt.message, strings.Join(le.Lines(), "\n  "))
		})
	}
}

func TestCheckChain(t *testing.T) {
	p := mustParse(t, pinsPolicy)
	other := "arn:aws:iam::444455556666:role/other"
	tests := []struct {
		name    string
		profile string
		roles   []string
		account string
		kind    PinErrorKind // 0 when allowed
		want    string       // the error's text
	}{
		{"pinned role", "dev", []string{devRole}, "111122223333", 0, ""},
		{"pinned role, base account irrelevant", "dev", []string{devRole}, "999999999999", 0, ""},
		// The defect: the policy matched names, and a person's config
		// pointed "dev" at the production role.
		{"dev pointed at prod", "dev", []string{prodRole}, "111122223333", PinWrongRole,
			"profile dev is pinned to role " + devRole + " but its config assumes " + prodRole},
		// A profile with no role_arn that inherits one through
		// source_profile: the caller passes the whole chain.
		{"inherited role", "dev", []string{devRole, prodRole}, "111122223333", PinWrongRole,
			"profile dev is pinned to role " + devRole + " but its config assumes " + prodRole},
		{"chain through via", "prod", []string{jumpRole, prodRole}, "111122223333", 0, ""},
		{"chain without the via role", "prod", []string{prodRole}, "111122223333", 0, ""},
		{"chain through an unlisted role", "prod", []string{other, prodRole}, "111122223333", PinUnexpectedVia,
			"profile prod is pinned to role " + prodRole + " but its chain passes through " + other + ", which is not in its via list"},
		{"chain through the target twice", "dev", []string{devRole, devRole}, "111122223333", PinUnexpectedVia, "passes through " + devRole},
		{"no role where one is pinned", "dev", nil, "111122223333", PinMissingRole,
			"profile dev is pinned to role " + devRole + " but its config assumes no role"},
		{"role-less pin", "keys", nil, "111122223333", 0, ""},
		{"role-less pin, role assumed", "keys", []string{devRole}, "111122223333", PinUnexpectedRole,
			"profile keys is pinned to assume no role but its config assumes " + devRole},
		{"role-less pin, other account", "keys", nil, "999999999999", PinAccountMismatch,
			"profile keys is pinned to account 111122223333 but its credentials are in account 999999999999"},
		{"role-less pin, unknown account", "keys", nil, "", PinAccountMismatch, "but its credentials are in account "},
		{"unpinned profile", "staging", []string{devRole}, "111122223333", PinUnknownProfile,
			"profile staging is not in the policy's profiles: section"},
		{"names are exact", "Dev", []string{devRole}, "111122223333", PinUnknownProfile, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.CheckChain(tt.profile, tt.roles, tt.account)
			if tt.kind == 0 {
				if err != nil {
					t.Fatalf("CheckChain = %v, want nil", err)
				}
				return
			}
			var pe *PinError
			if !errors.As(err, &pe) || pe.Kind != tt.kind || pe.Profile != tt.profile {
				t.Fatalf("CheckChain = %#v, want a *PinError of kind %v", err, tt.kind)
			}
			if !errors.Is(err, ErrPin) {
				t.Error("errors.Is(err, ErrPin) = false")
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Error() = %q, want one line containing %q", err.Error(), tt.want)
			}
		})
	}
}

func TestCheckChainWithoutPins(t *testing.T) {
	p := mustParse(t, "version: \"1\"\nrules: [{name: r, effect: allow}]\n")
	if p.HasPins() {
		t.Fatal("HasPins without a profiles: section")
	}
	if err := p.CheckChain("dev", []string{prodRole}, ""); err != nil {
		t.Errorf("CheckChain without pins = %v, want nil (names stay unbound)", err)
	}
	// An empty section exists: every profile is refused.
	empty := mustParse(t, "version: \"1\"\nrules: [{name: r, effect: allow}]\nprofiles:\n")
	var pe *PinError
	if !empty.HasPins() || !errors.As(empty.CheckChain("dev", []string{devRole}, ""), &pe) || pe.Kind != PinUnknownProfile {
		t.Errorf("empty profiles: section: HasPins %v", empty.HasPins())
	}
}

func TestPinErrorKindString(t *testing.T) {
	for k, want := range map[PinErrorKind]string{
		PinUnknownProfile: "unknown_profile", PinWrongRole: "wrong_role", PinUnexpectedVia: "unexpected_via",
		PinUnexpectedRole: "unexpected_role", PinMissingRole: "missing_role", PinAccountMismatch: "account_mismatch",
		0: "PinErrorKind(0)",
	} {
		if got := k.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(k), got, want)
		}
	}
}

// roleARNShape is the expression checkRoleARN implements by hand.
var roleARNShape = regexp.MustCompile(`^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role/((?:[\x21-\x2e\x30-\x7e]+/)*)([\w+=,.@-]+)$`)

func checkRoleARNByRegexp(s string) (string, bool) {
	m := roleARNShape.FindStringSubmatch(s)
	if m == nil || len(m[2]) > 512 || len(m[3]) > 64 {
		return "", false
	}
	return m[1], true
}

// TestCheckRoleARNAgreesWithRegexp holds the hand-written role ARN check
// to the expression it replaced, over real shapes and many mutations.
func TestCheckRoleARNAgreesWithRegexp(t *testing.T) {
	seeds := []string{
		"arn:aws:iam::111122223333:role/admin",
		"arn:aws-us-gov:iam::111122223333:role/a/b/c/admin+x=y,z.w@v-u_t",
		"arn:aws-cn:iam::111122223333:role/" + strings.Repeat("p/", 256) + "n",
		"arn:aws:iam::111122223333:role/" + strings.Repeat("n", 64),
		"arn:aws:iam::111122223333:role/" + strings.Repeat("n", 65),
		"arn:aws:iam::111122223333:role/p~!\"#$%&'()*+,-.:;<=>?@[\\]^_`{|}/n",
		"arn:aws:iam::11112222333:role/a", "arn:aws:iam::111122223333:role//a", "arn:aws:iam::111122223333:role/a/",
		"arn:aws-:iam::111122223333:role/a", "arn:aws-US:iam::111122223333:role/a", "arn:aws:sts::111122223333:role/a",
		"arn:aws:iam::111122223333:role/a b", "arn:aws:iam::111122223333:role/caf\u00e9", "arn:aws:iam::111122223333:role/",
	}
	for _, s := range seeds {
		wantAcct, want := checkRoleARNByRegexp(s)
		if gotAcct, got := checkRoleARN(s); got != want || gotAcct != wantAcct {
			t.Errorf("checkRoleARN(%q) = %q, %v; the expression says %q, %v", s, gotAcct, got, wantAcct, want)
		}
	}
	rng := rand.New(rand.NewPCG(3, 17))
	alphabet := "arn:aws-iam:role/0123456789 az_+=,.@-~\x7f\x20\x21/é"
	for range 50000 {
		s := []byte(seeds[rng.IntN(len(seeds))])
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(s) + 1)
			c := alphabet[rng.IntN(len(alphabet))]
			switch rng.IntN(3) {
			case 0:
				if i < len(s) {
					s[i] = c
				}
			case 1:
				if i < len(s) {
					s = append(s[:i], s[i+1:]...)
				}
			default:
				s = append(s[:i], append([]byte{c}, s[i:]...)...)
			}
		}
		wantAcct, want := checkRoleARNByRegexp(string(s))
		if gotAcct, got := checkRoleARN(string(s)); got != want || gotAcct != wantAcct {
			t.Fatalf("checkRoleARN(%q) = %q, %v; the expression says %q, %v", s, gotAcct, got, wantAcct, want)
		}
	}
}

// FuzzCheckRoleARN holds checkRoleARN to the expression on fuzzed input.
func FuzzCheckRoleARN(f *testing.F) {
	f.Add("arn:aws:iam::111122223333:role/a/b")
	f.Add("arn:aws-us-gov:iam::111122223333:role/x")
	f.Fuzz(func(t *testing.T, s string) {
		wantAcct, want := checkRoleARNByRegexp(s)
		if gotAcct, got := checkRoleARN(s); got != want || gotAcct != wantAcct {
			t.Fatalf("checkRoleARN(%q) = %q, %v; the expression says %q, %v", s, gotAcct, got, wantAcct, want)
		}
	})
}
