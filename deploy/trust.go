package deploy

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/sentinel-cli/sentinel/policy"
)

// The session tags and the SourceIdentity form the service sets on every
// AssumeRole (broker/credentials.go, broker/sourceidentity.go), which
// every trust policy requires.
const (
	RequestIDTag         = "sentinel-request-id"
	SessionIDTag         = "sentinel-session-id"
	SourceIdentityPrefix = "sentinel."
)

// VendActions are what each hop of a chain is allowed: the AssumeRole
// itself, setting the SourceIdentity and tagging the session.
var VendActions = []string{"sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"}

// Roles is what a policy's catalogue asks of AWS: the roles the service
// role assumes directly (the template's CatalogRoleArns), and for every
// role of every chain, whom it must trust and whom it assumes next.
type Roles struct {
	// ServiceRole is the service's own role, the principal of every first
	// hop.
	ServiceRole string `json:"service_role"`
	// FirstHops are the roles the service role assumes itself: the first
	// via role of each profile, else its target role. Sorted, once each.
	FirstHops []string `json:"first_hops"`
	// Roles lists every role of every chain, sorted by ARN.
	Roles []Role `json:"roles"`
}

// Role is one role of the catalogue's chains.
type Role struct {
	ARN string `json:"role_arn"`
	// Profiles are the profiles whose chain passes through it.
	Profiles []string `json:"profiles"`
	// TrustedPrincipals are the previous hops: the service role for a
	// first hop, the role before it otherwise. Its trust policy names
	// exactly these.
	TrustedPrincipals []string `json:"trusted_principals"`
	// Assumes are the next hops: a via role must be allowed to assume
	// them (in its permissions policy, needed across accounts).
	Assumes []string `json:"assumes,omitempty"`
	// TrustPolicy is the document to set as its trust policy.
	TrustPolicy PolicyDocument `json:"trust_policy"`
}

// PolicyDocument is an IAM policy document.
type PolicyDocument struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a PolicyDocument.
type Statement struct {
	Sid       string                    `json:"Sid"`
	Effect    string                    `json:"Effect"`
	Principal map[string]any            `json:"Principal"`
	Action    []string                  `json:"Action"`
	Condition map[string]map[string]any `json:"Condition"`
}

// ErrNoCatalogue means the policy pins no profile to a role: the service
// would vend nothing.
var ErrNoCatalogue = errors.New("the policy pins no profile to a role")

// Trust derives Roles from p's profiles: section, the chains the service
// builds (broker.catalogueChain): each profile's via roles in the order
// listed, then its role. serviceRole is the service role's ARN.
func Trust(p *policy.Policy, serviceRole string) (Roles, error) {
	if p == nil {
		return Roles{}, ErrNoCatalogue
	}
	if !strings.HasPrefix(serviceRole, "arn:") || !strings.Contains(serviceRole, ":role/") {
		return Roles{}, fmt.Errorf("service role %q is not a role ARN", serviceRole)
	}
	type acc struct{ profiles, trusted, assumes map[string]bool }
	roles := map[string]*acc{}
	get := func(arn string) *acc {
		if roles[arn] == nil {
			roles[arn] = &acc{profiles: map[string]bool{}, trusted: map[string]bool{}, assumes: map[string]bool{}}
		}
		return roles[arn]
	}
	first := map[string]bool{}
	for name, pin := range p.Pins {
		if pin.RoleARN == "" {
			continue // not vended by the service
		}
		chain := append(slices.Clone(pin.Via), pin.RoleARN)
		prev := serviceRole
		for i, arn := range chain {
			r := get(arn)
			r.profiles[name] = true
			r.trusted[prev] = true
			if i == 0 {
				first[arn] = true
			} else {
				get(prev).assumes[arn] = true
			}
			prev = arn
		}
	}
	if len(roles) == 0 {
		return Roles{}, ErrNoCatalogue
	}
	out := Roles{ServiceRole: serviceRole, FirstHops: sortedKeys(first)}
	for _, arn := range sortedKeys(roles) {
		r := roles[arn]
		trusted := sortedKeys(r.trusted)
		out.Roles = append(out.Roles, Role{
			ARN: arn, Profiles: sortedKeys(r.profiles), TrustedPrincipals: trusted,
			Assumes: sortedKeys(r.assumes), TrustPolicy: TrustPolicy(trusted),
		})
	}
	return out, nil
}

// TrustPolicy is the trust policy of a role whose previous hops are
// principals: only they may assume it, only with a SourceIdentity of
// sentinel's form, only with sentinel's session tags, and both the
// request-ID and the session-ID tag must be present (ForAllValues alone
// passes a request with no tags). The session ID is what the
// SentinelRevocations deny names a revoked session by
// (aws:PrincipalTag/sentinel-session-id), so credentials without it could
// not be revoked one session at a time: the roles refuse to issue them.
func TrustPolicy(principals []string) PolicyDocument {
	var principal any = principals
	if len(principals) == 1 {
		principal = principals[0]
	}
	return PolicyDocument{Version: "2012-10-17", Statement: []Statement{{
		Sid:       "OnlyThePreviousHop",
		Effect:    "Allow",
		Principal: map[string]any{"AWS": principal},
		Action:    slices.Clone(VendActions),
		Condition: map[string]map[string]any{
			"StringLike":                {"sts:SourceIdentity": SourceIdentityPrefix + "*"},
			"ForAllValues:StringEquals": {"aws:TagKeys": []string{RequestIDTag, SessionIDTag}},
			"Null":                      {"aws:RequestTag/" + RequestIDTag: "false", "aws:RequestTag/" + SessionIDTag: "false"},
		},
	}}}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
