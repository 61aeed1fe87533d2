package deploy

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
)

const trustPolicyYAML = `version: "1"
accounts: ["111122223333"]
profiles:
  dev: {role_arn: "arn:aws:iam::111122223333:role/dev"}
  deep:
    role_arn: "arn:aws:iam::777788889999:role/deep-admin"
    via: ["arn:aws:iam::111122223333:role/jump", "arn:aws:iam::444455556666:role/transit"]
  jumpy:
    role_arn: "arn:aws:iam::111122223333:role/dev"
    via: ["arn:aws:iam::111122223333:role/jump"]
  sandbox: {account: "111122223333"}
rules:
  - {name: all, effect: allow, conditions: {profiles: ["*"]}}
`

const svc = "arn:aws:iam::111122223333:role/sentinel-service"

func TestTrustFollowsEachChain(t *testing.T) {
	p, err := policy.Parse([]byte(trustPolicyYAML), "policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Trust(p, svc)
	if err != nil {
		t.Fatal(err)
	}
	// The service role assumes the first hop of each chain only: jump
	// (deep, jumpy) and dev (dev). sandbox assumes no role: not vended.
	if want := []string{"arn:aws:iam::111122223333:role/dev", "arn:aws:iam::111122223333:role/jump"}; !slices.Equal(r.FirstHops, want) {
		t.Errorf("first hops %v, want %v", r.FirstHops, want)
	}
	want := map[string]struct{ trusted, assumes []string }{
		"arn:aws:iam::111122223333:role/jump":       {[]string{svc}, []string{"arn:aws:iam::111122223333:role/dev", "arn:aws:iam::444455556666:role/transit"}},
		"arn:aws:iam::444455556666:role/transit":    {[]string{"arn:aws:iam::111122223333:role/jump"}, []string{"arn:aws:iam::777788889999:role/deep-admin"}},
		"arn:aws:iam::777788889999:role/deep-admin": {[]string{"arn:aws:iam::444455556666:role/transit"}, nil},
		// dev is a first hop of dev and the target of jumpy, reached from
		// jump: it trusts both, and nothing else.
		"arn:aws:iam::111122223333:role/dev": {[]string{"arn:aws:iam::111122223333:role/jump", svc}, nil},
	}
	if len(r.Roles) != len(want) {
		t.Fatalf("roles %+v, want %d", r.Roles, len(want))
	}
	for _, role := range r.Roles {
		w, ok := want[role.ARN]
		if !ok || !slices.Equal(role.TrustedPrincipals, w.trusted) || !slices.Equal(role.Assumes, w.assumes) {
			t.Errorf("%s: trusts %v assumes %v, want %v %v", role.ARN, role.TrustedPrincipals, role.Assumes, w.trusted, w.assumes)
		}
		st := role.TrustPolicy.Statement[0]
		var principal []string
		switch v := st.Principal["AWS"].(type) {
		case string:
			principal = []string{v}
		case []string:
			principal = v
		}
		if !slices.Equal(principal, w.trusted) {
			t.Errorf("%s: trust policy principal %v, want %v", role.ARN, st.Principal, w.trusted)
		}
	}
	if _, err := Trust(p, "not-an-arn"); err == nil {
		t.Error("a service role that is not a role ARN was accepted")
	}
	empty, err := policy.Parse([]byte("version: \"1\"\naccounts: [\"111122223333\"]\nprofiles:\n  s: {account: \"111122223333\"}\nrules:\n  - {name: all, effect: allow, conditions: {profiles: [\"*\"]}}\n"), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Trust(empty, svc); !errors.Is(err, ErrNoCatalogue) {
		t.Errorf("no pinned role: %v, want ErrNoCatalogue", err)
	}
}

// The generated trust policy is the one deploy/protected-role-trust.json
// documents (with the service role as principal), and its conditions
// match what the broker sends: a SourceIdentity the broker formats
// matches the pattern, and the tag keys are the broker's.
func TestTrustPolicyMatchesTheExampleAndTheBroker(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "deploy", "protected-role-trust.json"))
	if err != nil {
		t.Fatal(err)
	}
	var example, generated any
	if err := json.Unmarshal(data, &example); err != nil {
		t.Fatal(err)
	}
	gen, _ := json.Marshal(TrustPolicy([]string{"arn:aws:iam::111111111111:role/SENTINEL-SERVICE-ROLE-NAME"}))
	if err := json.Unmarshal(gen, &generated); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(example, generated) {
		t.Errorf("deploy/protected-role-trust.json differs from deploy.TrustPolicy:\n%s\nvs\n%s", data, gen)
	}
	si, err := broker.FormatSourceIdentity("alice", broker.BasisDirect, "0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(si, SourceIdentityPrefix) {
		t.Errorf("the broker's SourceIdentity %q does not match %s*", si, SourceIdentityPrefix)
	}
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "broker", "credentials.go"))
	if err != nil {
		t.Fatal(err)
	}
	src2, _ := os.ReadFile(filepath.Join(repoRoot(t), "broker", "serversession.go"))
	for _, tag := range []string{RequestIDTag, SessionIDTag} {
		if !strings.Contains(string(src)+string(src2), `"`+tag+`"`) {
			t.Errorf("the broker no longer sets the session tag %s", tag)
		}
	}
}
